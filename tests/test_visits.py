"""What a visit's counts say to the operator: failing or not, blind or not, and why."""

from __future__ import annotations

import pytest

from monitor.visits import (
    all_endpoints_failed,
    failing_streak,
    failures,
    page_outcome,
    recent_failures,
    visit_failed,
)

ALL_DOWN = {"endpoints": 2, "endpoint_failed:connect": 1, "endpoint_failed:timeout": 1}
ONE_DOWN = {"endpoints": 2, "endpoints_ok": 1, "endpoint_failed:status": 1, "stored": 2}
PAGES_FAIL = {"endpoints": 1, "endpoints_ok": 1, "new_links": 3, "failed:truncated": 3}
SOME_PAGES_FAIL = {"endpoints": 1, "endpoints_ok": 1, "failed:timeout": 1, "dropped:off_topic": 1}
QUIET = {"endpoints": 1, "endpoints_ok": 1, "endpoint_not_modified": 1}
NOT_ARCHIVED = {"endpoints": 2, "endpoint_not_archived": 2}


@pytest.mark.parametrize(
    ("counts", "failed", "blind"),
    [
        (ALL_DOWN, True, True),
        (ONE_DOWN, False, False),
        (PAGES_FAIL, True, False),
        (SOME_PAGES_FAIL, False, False),
        (QUIET, False, False),
        (NOT_ARCHIVED, False, False),
        ({"endpoints": 1, "endpoints_ok": 1, "failed:bug:KeyError": 1}, True, False),
    ],
    ids=["all-down", "one-down", "pages-fail", "some-pages-fail", "quiet", "not-archived", "bug"],
)
def test_a_visit_fails_when_nothing_could_be_read(
    counts: dict[str, int], failed: bool, blind: bool
) -> None:
    assert visit_failed(counts) is failed
    assert all_endpoints_failed(counts) is blind


def test_failures_are_named_by_where_and_why() -> None:
    assert failures(ONE_DOWN) == {"endpoint:status": 1}
    assert failures(PAGES_FAIL) == {"page:truncated": 3}
    assert recent_failures([ALL_DOWN, PAGES_FAIL, QUIET]) == {
        "endpoint:connect": 1,
        "endpoint:timeout": 1,
        "page:truncated": 3,
    }


def test_the_failing_streak_counts_back_from_the_newest_visit() -> None:
    assert failing_streak([ALL_DOWN, PAGES_FAIL, QUIET, ALL_DOWN]) == 2
    assert failing_streak([QUIET, ALL_DOWN]) == 0
    assert failing_streak([]) == 0


@pytest.mark.parametrize(
    ("reason", "key", "outcome"),
    [
        ("robots", "skipped:robots", "refused"),  # our rule, not the site's fault
        ("internal_address", "failed:internal_address", "refused"),
        ("content_type", "failed:content_type", "refused"),
        ("too_large", "failed:too_large", "refused"),  # the limit will not have moved
        ("too_complex", "failed:too_complex", "refused"),
        ("no_text", "failed:no_text", "no_text"),
        ("empty", "failed:empty", "no_text"),
        ("timeout", "failed:timeout", "failed"),  # tried again on a later visit
        ("robots_unavailable", "failed:robots_unavailable", "failed"),
        ("truncated", "failed:truncated", "failed"),
    ],
)
def test_refused_pages_are_settled_and_transient_ones_retried(
    reason: str, key: str, outcome: str
) -> None:
    assert page_outcome(reason) == (key, outcome)
