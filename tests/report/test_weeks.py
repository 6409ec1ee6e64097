"""An analyst names a digest by its ISO week; the week's bounds must be exact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from monitor.errors import ReportError
from monitor.report import week_bounds, week_of


def test_a_week_runs_from_monday_midnight_utc_to_the_next_monday() -> None:
    start, end = week_bounds("2024-W44")
    assert start == datetime(2024, 10, 28, tzinfo=UTC)
    assert end == datetime(2024, 11, 4, tzinfo=UTC)
    assert start.weekday() == 0 and start.utcoffset() == timedelta(0)


def test_week_one_of_2025_starts_in_december_2024() -> None:
    assert week_bounds("2025-W01")[0] == datetime(2024, 12, 30, tzinfo=UTC)


def test_2020_has_a_week_53_and_2021_does_not() -> None:
    assert week_bounds("2020-W53") == (
        datetime(2020, 12, 28, tzinfo=UTC),
        datetime(2021, 1, 4, tzinfo=UTC),
    )
    with pytest.raises(ReportError, match=r"2021-W53.*does not exist.*W01 to W52"):
        week_bounds("2021-W53")


@pytest.mark.parametrize(
    "label", ["2024-44", "2024-W54", "2024-W00", "2024-W4", "24-W44", "", "2024-w44x"]
)
def test_malformed_or_impossible_labels_get_a_clear_error(label: str) -> None:
    with pytest.raises(ReportError) as caught:
        week_bounds(label)
    assert caught.value.reason == "bad_week"
    assert "YYYY-Www" in str(caught.value) or "does not exist" in str(caught.value)


def test_week_of_reads_the_moment_in_utc() -> None:
    # Monday 01:00 in Moscow is still Sunday in UTC: the previous week.
    moscow = timezone(timedelta(hours=3))
    assert week_of(datetime(2024, 10, 28, 1, 0, tzinfo=moscow)) == "2024-W43"
    assert week_of(datetime(2024, 10, 28, 0, 0, tzinfo=UTC)) == "2024-W44"
    assert week_of(datetime(2024, 12, 31, 12, tzinfo=UTC)) == "2025-W01"


def test_week_of_and_week_bounds_agree_on_every_day_of_a_year() -> None:
    day = datetime(2020, 1, 1, 12, tzinfo=UTC)
    while day.year < 2022:
        start, end = week_bounds(week_of(day))
        assert start <= day < end
        day += timedelta(days=1)


def test_week_of_refuses_a_naive_datetime() -> None:
    with pytest.raises(ReportError, match="timezone-aware"):
        week_of(datetime(2024, 10, 28, 12))
