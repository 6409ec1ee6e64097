"""The retry decision is a pure function: a table of outcomes, and properties that hold for
any input (never a negative wait, never past the caps, never past max_retries)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.fetch.retry import RetryPolicy, next_delay, parse_retry_after

NOW = datetime(2024, 10, 23, 8, 0, 0, tzinfo=UTC)
POLICY = RetryPolicy(
    max_retries=3, base_seconds=1.0, cap_seconds=60.0, max_retry_after_seconds=3600.0
)


def delay(outcome: int | str, attempt: int = 0, retry_after: str | None = None) -> float | None:
    return next_delay(outcome, attempt, retry_after, policy=POLICY, rng=random.Random(1), now=NOW)


@pytest.mark.parametrize("outcome", [408, 429, 500, 502, 503, 504, "timeout", "connect"])
def test_transient_failures_are_retried(outcome: int | str) -> None:
    wait = delay(outcome)
    assert wait is not None and 1.0 <= wait <= 1.5


@pytest.mark.parametrize(
    "outcome", [200, 301, 304, 400, 401, 403, 404, 410, 501, "protocol", "too_large", "robots"]
)
def test_answers_that_will_not_change_are_not_retried(outcome: int | str) -> None:
    assert delay(outcome) is None


def test_a_body_cut_short_is_retried_once_only() -> None:
    assert delay("truncated", 0) is not None
    assert delay("truncated", 1) is None
    none_left = RetryPolicy(max_retries=0)
    assert next_delay("truncated", 0, policy=none_left, rng=random.Random(1), now=NOW) is None


def test_backoff_doubles_and_stops_after_max_retries() -> None:
    waits = [delay(503, attempt) for attempt in range(4)]
    assert waits[3] is None
    for wait, (low, high) in zip(waits[:3], [(1.0, 1.5), (2.0, 3.0), (4.0, 6.0)], strict=True):
        assert wait is not None and low <= wait <= high


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(max_retries=50, cap_seconds=60.0)
    wait = next_delay(503, 40, None, policy=policy, rng=random.Random(1), now=NOW)
    assert wait == 60.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        ("0", 1.0),  # "now" still waits the first backoff step, never hammers
        ("Wed, 23 Oct 2024 08:05:00 GMT", 300.0),
        ("Wed, 23 Oct 2024 07:00:00 GMT", 1.0),  # a date in the past: as soon as polite
        ("soon", 1.0),  # unreadable: ignored
    ],
)
def test_retry_after_is_honoured_as_a_minimum(header: str, expected: float) -> None:
    wait = delay(429, 0, header)
    assert wait is not None
    assert wait == pytest.approx(expected, abs=0.5)


@pytest.mark.parametrize("header", ["3601", "86400", "Thu, 24 Oct 2024 08:00:00 GMT"])
def test_a_retry_after_over_an_hour_means_give_up(header: str) -> None:
    assert delay(503, 0, header) is None


def test_parse_retry_after() -> None:
    assert parse_retry_after(" 30 ", NOW) == 30.0
    assert parse_retry_after("Wed, 23 Oct 2024 08:00:10 GMT", NOW) == 10.0
    assert parse_retry_after("-5", NOW) is None
    assert parse_retry_after("", NOW) is None
    assert parse_retry_after("9" * 400, NOW) == 1e9


outcomes = st.one_of(
    st.integers(100, 599), st.sampled_from(["timeout", "connect", "protocol", "x"])
)
headers = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(0, 10**12).map(str),
    st.integers(-(10**9), 10**9).map(
        lambda s: (NOW + timedelta(seconds=s)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    ),
)


@given(
    outcome=outcomes,
    attempt=st.integers(-5, 100),
    header=headers,
    max_retries=st.integers(0, 10),
    seed=st.integers(0, 2**32),
)
def test_a_delay_is_never_negative_and_never_past_its_cap(
    outcome: int | str, attempt: int, header: str | None, max_retries: int, seed: int
) -> None:
    policy = RetryPolicy(max_retries=max_retries)
    wait = next_delay(outcome, attempt, header, policy=policy, rng=random.Random(seed), now=NOW)
    if wait is None:
        return
    assert 0.0 <= attempt < max_retries
    assert 0.0 <= wait <= policy.max_retry_after_seconds
    if header is None:
        assert wait <= policy.cap_seconds
