"""Publication dates as discovery endpoints state them, turned into aware UTC or refused.

Feeds lie about time in three ways: no zone at all (Yonhap's English RSS writes Korean
local time without saying so), a zone name no parser knows (``KST``, ``MSK``), and dates
that cannot be right (next week, or 1970 from an unset CMS field). A wrong date is worse
than none — the digest buckets pieces by week — so an implausible date is dropped and the
drop is counted, while the link itself is kept.

Which outlet writes which zone is known in one place, :mod:`monitor.timezones`.
"""

from __future__ import annotations

import logging
import re
import time
import warnings
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from dateutil import parser as dateutil_parser

from monitor.timezones import ZONE_ABBREVIATIONS, local_zone

log = logging.getLogger(__name__)

OLDEST_PLAUSIBLE = datetime(1991, 1, 1, tzinfo=UTC)  # before the web, a date is a bug
FUTURE_TOLERANCE = timedelta(days=1)
MAX_ZONE_OFFSET = timedelta(
    hours=14
)  # Kiribati; anything larger is a typo  # clock skew and zone confusion, not a scheduled piece

_ZONE_NAME_AT_END = re.compile(r"(?<=[\d\s])([A-Za-z]{1,4})\s*$")
_CJK_DATE = re.compile(r"(\d)\s*[年月]\s*")
_HAS_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")


def naive_zone(host: str) -> tzinfo:
    """The zone a feed on ``host`` means when it writes a date without one: the outlet's
    own when known, else UTC (the RSS convention)."""
    return local_zone(host) or UTC


def parse_date(
    raw: str | None,
    *,
    host: str,
    now: datetime,
    fallback: time.struct_time | None = None,
) -> tuple[datetime | None, str | None]:
    """Read one date string. Returns ``(utc_datetime, None)`` or ``(None, reason)``.

    ``reason`` is a skip-counter key (``date_unparsed``, ``date_future``, ``date_too_old``)
    or None when there was no date at all. ``fallback`` is feedparser's own reading (a UTC
    struct_time), used when none of the parsers here understands the string: feedparser
    knows some exotic formats (Korean, Greek, Hungarian…) but cannot say whether the string
    carried a zone, so it only comes second.
    """
    value = read_date(raw.strip(), host) if raw and raw.strip() else None
    if value is None and fallback is not None:
        try:
            value = datetime(*fallback[:6], tzinfo=UTC)
        except (TypeError, ValueError):
            value = None
    if value is None:
        return (None, "date_unparsed") if raw and raw.strip() else (None, None)
    try:
        value = value.astimezone(UTC)
    except (ValueError, OverflowError):  # year 1 moved across midnight, and the like
        return None, "date_unparsed"
    if value > now.astimezone(UTC) + FUTURE_TOLERANCE:
        log.debug("dropping future date %r (now %s)", raw, now.isoformat())
        return None, "date_future"
    if value < OLDEST_PLAUSIBLE:
        log.debug("dropping implausibly old date %r", raw)
        return None, "date_too_old"
    return value, None


def read_date(text: str, host: str) -> datetime | None:
    """``text`` as an aware datetime (a missing zone is ``host``'s), without any
    plausibility check; None when no format fits or the zone offset is not a real one."""
    try:
        value = _read(text, host)
        offset = value.utcoffset() if value is not None else None
    except (ValueError, OverflowError):  # "+2400", "UTC+25": offsets datetime refuses
        return None
    if offset is None or abs(offset) > MAX_ZONE_OFFSET:
        return None
    return value


def _read(text: str, host: str) -> datetime | None:
    zone: timezone | None = None
    match = _ZONE_NAME_AT_END.search(text)
    if match and match.group(1).upper() in ZONE_ABBREVIATIONS:
        zone = timezone(timedelta(minutes=ZONE_ABBREVIATIONS[match.group(1).upper()]))
        text = text[: match.start()]
    value = _rfc822(text) or _iso(text) or _loose(text)
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=zone or naive_zone(host))
    return value


_RFC822 = re.compile(
    r"^\s*(?:[A-Za-z]{3,9},?\s*)?(\d{1,2})[\s-]+([A-Za-z]{3})[A-Za-z]*\.?[\s-]+(\d{2,4})"
    r"\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(?:([+-])(\d{2}):?(\d{2}))?\s*$"
)
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def _rfc822(text: str) -> datetime | None:
    """RFC 822/2822, the RSS ``pubDate``; a naive result means the string had no zone.

    Written out rather than left to ``email.utils``, which reads a missing zone as UTC
    and misreads other formats ("October 23, 2024 7:15 PM" as 07:15) instead of refusing.
    """
    m = _RFC822.match(text)
    if m is None or m.group(2).lower() not in _MONTHS:
        return None
    day, _, year, hour, minute, second, sign, off_h, off_m = m.groups()
    year_n = int(year) + (2000 if len(year) == 2 and int(year) < 50 else 0)
    year_n += 1900 if len(year) == 2 and year_n < 100 else 0
    try:
        naive = datetime(
            year_n, _MONTHS[m.group(2).lower()], int(day), int(hour), int(minute), int(second or 0)
        )
    except ValueError:
        return None
    if sign is None or (sign == "-" and off_h == "00" and off_m == "00"):
        return naive  # RFC 2822: "-0000" means the zone is unknown
    offset = timedelta(hours=int(off_h), minutes=int(off_m))
    return naive.replace(tzinfo=timezone(offset if sign == "+" else -offset))


def _iso(text: str) -> datetime | None:
    """ISO 8601 / W3C-DTF (Atom, sitemaps, JSON APIs), and ``YYYY-MM-DD HH:MM:SS``."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _loose(text: str) -> datetime | None:
    """Anything else dateutil can read — but only if it names a year, because dateutil
    happily turns "Monday" or "12" into a date by filling the gaps from today."""
    if not _HAS_YEAR.search(text) or len(text) > 80:
        return None
    text = _CJK_DATE.sub(r"\1-", text).replace("日", " ")  # 2024年10月23日 → 2024-10-23
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an unknown zone name reads as naive
            value: datetime = dateutil_parser.parse(text, default=datetime(2000, 1, 1))
            return value
    except (ValueError, OverflowError, TypeError):
        return None
