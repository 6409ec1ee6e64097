"""Publication dates: any of the forms pages use → a timezone-aware datetime in UTC.

Forms read: ISO 8601 (with or without offset), RFC 2822, ``DD.MM.YYYY [HH:MM]`` (RIAC,
TASS, most Russian sites), ``YYYY年MM月DD日 HH:MM`` (Chinese sites), day + month name in
English (read by dateutil), Russian or Ukrainian, and a date in the URL as a last resort
(``/2024/10/23/``, ``-2024-10-23/``, Guancha ``2024_10_28_``, Yonhap ``AEN20241023…``).

A date without an offset is read in the source's local zone when we know it, else in UTC.
We know it for the outlets we watch and for country domains with one time zone (.cn, .kr,
.ua; .ru is read as Moscow time); see :mod:`monitor.timezones`. A
date without a time of day (URL dates, ``23.10.2024``) is taken as 12:00 of that day in
that zone: noon keeps the calendar day when converted to UTC from any zone between
UTC−11 and UTC+12, so a piece dated Monday in Seoul is not filed under Sunday. Years
outside 1990–2100 are rejected as misreadings.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, tzinfo
from urllib.parse import urlsplit

from dateutil import parser as dateutil_parser

from monitor.timezones import ZONE_ABBREVIATIONS, local_zone

__all__ = ["date_from_url", "local_zone", "parse_date"]

logger = logging.getLogger(__name__)

_MONTHS = {
    # Russian, genitive and nominative stems
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6, "июл": 7,
    "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
    # Ukrainian
    "січ": 1, "лют": 2, "берез": 3, "квіт": 4, "травн": 5, "черв": 6, "лип": 7,
    "серп": 8, "верес": 9, "жовт": 10, "листопад": 11, "груд": 12,
}  # fmt: skip
_YEAR = re.compile(r"(?<!\d)(19[9]\d|20\d\d)(?!\d)")
_DOTTED = re.compile(r"(?<!\d)(\d{1,2})[./](\d{1,2})[./](\d{4})(?:\D{1,3}(\d{1,2}):(\d{2}))?(?!\d)")
_CJK_DATE = re.compile(
    r"(\d{4})\s*[年/-]\s*(\d{1,2})\s*[月/-]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2})[:：时](\d{2}))?"
)
_NAMED = re.compile(r"(?<!\d)(\d{1,2})\s+([A-Za-zА-Яа-яЁёІіЇїЄєҐґ]{3,})\.?,?\s+(\d{4})")
_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?!\d)")
_CLOCK = re.compile(r"\d{1,2}\s*[:：时]\s*\d{2}")
_URL_PATTERNS = (
    re.compile(r"/(20\d\d)/(\d{1,2})/(\d{1,2})(?:/|$)"),
    re.compile(r"[-_/](20\d\d)-(\d\d)-(\d\d)(?:[/_.-]|$)"),
    re.compile(r"/(20\d\d)_(\d\d)_(\d\d)_\d+"),  # Guancha
    re.compile(r"/AEN(20\d\d)(\d\d)(\d\d)\d+"),  # Yonhap
    re.compile(r"/(20\d\d)(\d\d)(\d\d)/"),
)


def parse_date(value: str | None, zone: tzinfo | None = None) -> datetime | None:
    """Read one date string; ``None`` when it holds no believable date."""
    if not value:
        return None
    text = " ".join(str(value).split())[:200]
    if not text or not _YEAR.search(text):
        return None
    parsed = _iso(text) or _dotted(text) or _cjk(text) or _named(text) or _general(text)
    if parsed is None or not 1990 <= parsed.year <= 2100:
        return None
    if not _CLOCK.search(text):
        parsed = parsed.replace(hour=12, minute=0, second=0, microsecond=0)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone or UTC)
    try:
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # an impossible offset ("+09:002024" read as one)
        return None


def date_from_url(url: str, zone: tzinfo | None = None) -> datetime | None:
    """A publication day written into the URL, at 12:00 local time."""
    path = urlsplit(url).path
    for pattern in _URL_PATTERNS:
        m = pattern.search(path)
        if m:
            parsed = _build(int(m.group(1)), int(m.group(2)), int(m.group(3)), 12)
            if parsed is not None:
                return parsed.replace(tzinfo=zone or UTC).astimezone(UTC)
    return None


def _iso(text: str) -> datetime | None:
    if not re.match(r"\d{4}-\d\d-\d\d", text):
        return None
    try:
        return datetime.fromisoformat(text.replace(" UTC", "+00:00"))
    except ValueError:
        return None


def _dotted(text: str) -> datetime | None:
    m = _DOTTED.search(text)
    if not m:
        return None
    day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if "/" in m.group(0) and month > 12 >= day:  # US style 10/23/2024
        day, month = month, day
    hour, minute = (int(m.group(4)), int(m.group(5))) if m.group(4) else (0, 0)
    return _build(year, month, day, hour, minute)


def _cjk(text: str) -> datetime | None:
    if "年" not in text and not re.match(r"\d{4}/\d", text):
        return None
    m = _CJK_DATE.search(text)
    if not m:
        return None
    hour, minute = (int(m.group(4)), int(m.group(5))) if m.group(4) else (0, 0)
    return _build(int(m.group(1)), int(m.group(2)), int(m.group(3)), hour, minute)


def _named(text: str) -> datetime | None:
    """``23 октября 2024, 14:05`` and other day-month-year forms dateutil cannot read."""
    m = _NAMED.search(text)
    if not m or m.group(2).isascii():  # English month names: dateutil also reads zones
        return None
    month = _month(m.group(2))
    if month is None:
        return None
    time = _TIME.search(text, m.end())
    hour, minute = (int(time.group(1)), int(time.group(2))) if time else (0, 0)
    return _build(int(m.group(3)), month, int(m.group(1)), hour, minute)


def _month(word: str) -> int | None:
    word = word.lower()
    for stem in sorted(_MONTHS, key=len, reverse=True):
        if word.startswith(stem) and (len(stem) >= 3 or word in ("мая", "май")):
            return _MONTHS[stem]
    return None


def _zone_of(name: str | None, offset: int | None) -> int | None:
    """dateutil's zone hook: known abbreviations and sane numeric offsets, else naive.

    Without a hook dateutil reads an abbreviation that matches the *machine's* zone as
    local time, and warns (future versions: raise) on the others.
    """
    if name and name.upper() in ZONE_ABBREVIATIONS:
        return ZONE_ABBREVIATIONS[name.upper()] * 60
    if offset is not None and abs(offset) < 24 * 3600:
        return offset
    return None


def _general(text: str) -> datetime | None:
    try:
        return dateutil_parser.parse(text, tzinfos=_zone_of, fuzzy=True)
    except (ValueError, OverflowError, TypeError, dateutil_parser.ParserError):
        return None


def _build(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime | None:
    try:
        return datetime(year, month, day, hour, minute)
    except ValueError:
        return None
