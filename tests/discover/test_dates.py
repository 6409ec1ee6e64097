"""Publication dates as an analyst needs them: in UTC, right, or absent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.discover.dates import parse_date

NOW = datetime(2024, 10, 24, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "host", "expected"),
    [
        # Yonhap's English RSS writes Korean time without a zone
        ("Thu, 24 Oct 2024 10:31:00", "en.yna.co.kr", "2024-10-24T01:31:00+00:00"),
        ("2024-10-23 21:05:00", "en.yna.co.kr", "2024-10-23T12:05:00+00:00"),
        # …but a zone, when written, always wins over the host's default
        ("Thu, 24 Oct 2024 10:31:00 +0000", "en.yna.co.kr", "2024-10-24T10:31:00+00:00"),
        # elsewhere a missing zone means UTC
        ("Thu, 24 Oct 2024 10:31:00", "tass.com", "2024-10-24T07:31:00+00:00"),  # Moscow
        ("Thu, 24 Oct 2024 10:31:00", "example.org", "2024-10-24T10:31:00+00:00"),
        ("Wed, 23 Oct 2024 15:02:44 +0300", "tass.com", "2024-10-23T12:02:44+00:00"),
        ("Wed, 23 Oct 2024 15:02:44 MSK", "tass.com", "2024-10-23T12:02:44+00:00"),
        ("Wed, 23 Oct 2024 19:15:00 KST", "example.org", "2024-10-23T10:15:00+00:00"),
        ("23 Oct 24 19:15 EDT", "example.org", "2024-10-23T23:15:00+00:00"),
        ("2024-10-23T14:20:00+02:00", "example.org", "2024-10-23T12:20:00+00:00"),
        ("2024-10-24T05:12:31.000Z", "example.org", "2024-10-24T05:12:31+00:00"),
        ("October 23, 2024 7:15 PM", "example.org", "2024-10-23T19:15:00+00:00"),
        ("2024年10月24日 09:12", "www.guancha.cn", "2024-10-24T01:12:00+00:00"),
    ],
)
def test_dates_are_read_into_utc(raw: str, host: str, expected: str) -> None:
    value, reason = parse_date(raw, host=host, now=NOW)
    assert reason is None
    assert value is not None and value.isoformat() == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("Sat, 26 Oct 2024 10:00:00 GMT", "date_future"),
        ("Thu, 01 Jan 1970 00:00:00 GMT", "date_too_old"),
        ("Monday", "date_unparsed"),
        ("12", "date_unparsed"),
        ("not a date 2024", "date_unparsed"),
        ("2024-10-23T22:41:07-99:00", "date_unparsed"),
        ("23 Oct 2024 10:00 +9999", "date_unparsed"),
        ("Oct 23 2024 10:00 UTC+25", "date_unparsed"),
        ("0001-01-01T00:00:00+01:00", "date_unparsed"),
    ],
)
def test_implausible_or_unreadable_dates_are_dropped_with_a_reason(raw: str, reason: str) -> None:
    assert parse_date(raw, host="example.org", now=NOW) == (None, reason)


def test_no_date_is_not_a_problem() -> None:
    assert parse_date(None, host="example.org", now=NOW) == (None, None)
    assert parse_date("  ", host="example.org", now=NOW) == (None, None)


def test_zone_less_dates_are_read_in_the_outlets_own_zone() -> None:
    kst = parse_date("2024-10-23 21:05:00", host="m.en.yna.co.kr", now=NOW)[0]
    msk = parse_date("Wed, 23 Oct 2024 21:05:00", host="tass.com", now=NOW)[0]
    utc = parse_date("2024-10-23 21:05:00", host="notyna.example.org", now=NOW)[0]
    assert kst is not None and msk is not None and utc is not None
    assert (utc - kst).total_seconds() == 9 * 3600
    assert (utc - msk).total_seconds() == 3 * 3600


@given(
    st.text(max_size=60)
    | st.from_regex(r"\d{1,4}[-/ ]\w{2,9}[-/ ]\d{1,4}[ T][\d:]{1,8} ?[+-]?\w{0,6}")
)
def test_no_string_makes_date_reading_crash(raw: str) -> None:
    value, reason = parse_date(raw, host="en.yna.co.kr", now=NOW)
    assert (value is None) or (value.utcoffset() is not None and reason is None)
