"""The vocabulary of a visit's counts, and what an operator reads from the last visits.

A visit to a source (one ``crawl_runs`` row) keeps counts keyed by what happened:
``endpoints``, ``endpoints_ok``, ``endpoint_failed:<reason>`` for discovery endpoints,
``failed:<reason>`` for article pages (and a visit aborted by a defect), ``stored``,
``updated``, ``dropped:<why>``, ``skipped:<why>``. The pipeline writes them; this module is
the one place that reads them, so `monitor status`, its JSON and the digest's crawl
health agree on what "failing" means. Pure functions, no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

#: visits `monitor status` sums failures over
RECENT_VISITS = 10

ENDPOINT_FAILED = "endpoint_failed:"
PAGE_FAILED = "failed:"
#: the status's key of pieces whose analysis failed, by reason (not a visit's count: the
#: analysis of a piece runs apart from the visit that stored it)
ANALYSIS_FAILED = "analysis:"


#: page failures that settle the link: asking again would get the same answer (a page
#: whose work overran its time limit would overrun it again, and cost that much each time)
REFUSALS = frozenset(
    {"robots", "internal_address", "content_type", "too_large", "too_complex", "page_timeout"}
)
#: pages that were read and hold no article
NO_TEXT = frozenset({"no_text", "not_html", "empty"})


def page_outcome(reason: str) -> tuple[str, str]:
    """``(count key, link outcome)`` for a page that could not be read for ``reason``.

    A page robots.txt forbids is our choice, not the site's fault: it is counted as a
    skip. Every other reason is a failure; refusals and pages without text are settled
    (never fetched again), the rest are retried on later visits."""
    if reason == "robots":
        return "skipped:robots", "refused"
    if reason in REFUSALS:
        return PAGE_FAILED + reason, "refused"
    return PAGE_FAILED + reason, "no_text" if reason in NO_TEXT else "failed"


def failures(counts: Mapping[str, int]) -> Counter[str]:
    """A visit's failures by reason: ``endpoint:<reason>`` and ``page:<reason>``."""
    found: Counter[str] = Counter()
    for key, n in counts.items():
        if key.startswith(ENDPOINT_FAILED):
            found["endpoint:" + key[len(ENDPOINT_FAILED) :]] += int(n)
        elif key.startswith(PAGE_FAILED):
            found["page:" + key[len(PAGE_FAILED) :]] += int(n)
    return found


def all_endpoints_failed(counts: Mapping[str, int]) -> bool:
    """Every discovery endpoint failed: the source is a blind spot, whatever else ran.
    (Endpoints a replayed archive simply lacks are not failures.)"""
    endpoints = int(counts.get("endpoints", 0)) - int(counts.get("endpoint_not_archived", 0))
    failed = sum(n for key, n in counts.items() if key.startswith(ENDPOINT_FAILED))
    return endpoints > 0 and failed >= endpoints


def visit_failed(counts: Mapping[str, int]) -> bool:
    """A failing visit: every endpoint failed, or pages were fetched and none of them
    worked (each failed), or the visit itself was aborted by a defect."""
    if all_endpoints_failed(counts):
        return True
    page_failures = sum(n for key, n in counts.items() if key.startswith(PAGE_FAILED))
    if not page_failures:
        return False
    read = sum(  # pages fetched and read, whatever the verdict on them
        int(n)
        for key, n in counts.items()
        if key in ("stored", "updated") or key.startswith("dropped:")
    )
    return read == 0


def recent_failures(visits: Iterable[Mapping[str, int]]) -> Counter[str]:
    """Failures by reason summed over ``visits``."""
    total: Counter[str] = Counter()
    for counts in visits:
        total.update(failures(counts))
    return total


def failing_streak(visits_newest_first: Iterable[Mapping[str, int]]) -> int:
    """How many visits in a row, up to the newest, failed."""
    streak = 0
    for counts in visits_newest_first:
        if not visit_failed(counts):
            break
        streak += 1
    return streak
