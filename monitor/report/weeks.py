"""ISO weeks: the digest's unit of time.

An analyst names a digest by its ISO week ("2024-W44"), and the pipeline asks the store for
the articles between that week's Monday 00:00 UTC and the next Monday. ISO weeks have
traps — week 1 may start in December, only some years have a week 53 — so both directions
go through ``datetime.fromisocalendar`` / ``isocalendar`` rather than by hand.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from monitor.errors import ReportError

_WEEK = re.compile(r"(?P<year>\d{4})-W(?P<week>\d{2})")


def week_bounds(week: str) -> tuple[datetime, datetime]:
    """``"2024-W44"`` → (Monday 00:00 UTC of that ISO week, the next Monday 00:00 UTC).

    Raises ``ReportError`` (reason ``bad_week``) naming the expected form for anything else:
    ``"2024-44"``, ``"2024-W5"``, ``"2024-W54"``, or week 53 of a year that has only 52.
    """
    match = _WEEK.fullmatch(week.strip()) if isinstance(week, str) else None
    if match is None:
        raise ReportError(
            f"week {week!r} is not an ISO week label; expected YYYY-Www, e.g. 2024-W44",
            reason="bad_week",
        )
    year, number = int(match["year"]), int(match["week"])
    try:
        monday = datetime.fromisocalendar(year, number, 1)
    except ValueError:
        last = _weeks_in(year) if 1 <= year <= 9998 else 52
        raise ReportError(
            f"week {week!r} does not exist: ISO year {year} has weeks W01 to W{last:02d}",
            reason="bad_week",
        ) from None
    start = monday.replace(tzinfo=UTC)
    return start, start + timedelta(days=7)


def week_of(moment: datetime) -> str:
    """The ISO week label ("2024-W44") of an aware datetime, taken in UTC.

    A naive datetime is refused: guessing its zone could put a Sunday-night piece in the
    wrong week's digest.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ReportError(
            f"week_of needs a timezone-aware datetime, got naive {moment.isoformat()}",
            reason="naive_datetime",
        )
    year, number, _ = moment.astimezone(UTC).isocalendar()
    return f"{year:04d}-W{number:02d}"


def _weeks_in(year: int) -> int:
    """52 or 53: 28 December always lies in the ISO year's last week."""
    return datetime(year, 12, 28).isocalendar()[1]


def earlier_weeks(week: str, count: int) -> list[tuple[str, datetime, datetime]]:
    """The ``count`` ISO weeks before ``week``, oldest first, as (label, start, end)."""
    start, _ = week_bounds(week)
    spans = []
    for back in range(count, 0, -1):
        monday = start - timedelta(days=7 * back)
        spans.append((week_of(monday), monday, monday + timedelta(days=7)))
    return spans
