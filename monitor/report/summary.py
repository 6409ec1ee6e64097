"""The "at a glance" paragraph: the few sentences a busy analyst reads before deciding
whether to read on. Built from the digest's own numbers, so it cannot disagree with them."""

from __future__ import annotations

from datetime import datetime

from monitor.models import WEAK_CONFIDENCE

from .formatting import date_range
from .model import CampCoverage, CrawlHealth, PositionDigest, StanceCounts, StanceRow

_VERB = {
    "echo": "mostly echoes",
    "contest": "mostly contests",
    "mixed": "is mostly mixed on",
    "split": "is split on",
}


def at_a_glance(
    *,
    week: str,
    start: datetime,
    end: datetime,
    articles: int,
    outlets: int,
    not_compared: int,
    camps: tuple[CampCoverage, ...],
    table: tuple[StanceRow, ...],
    positions: tuple[PositionDigest, ...],
    failing: list[CrawlHealth],
    calls: StanceCounts | None = None,
) -> str:
    previous = sum(c.previous for c in camps)
    parts: list[str] = []
    if not articles:
        parts.append(
            f"No pieces on the story were collected in {week} ({date_range(start, end)})"
            f"; last week there were {previous}."
        )
    else:
        by_camp = ", ".join(f"{c.name} {c.count}" for c in camps if c.count)
        parts.append(
            f"{_n(articles, 'piece')} from {_n(outlets, 'outlet')} ({by_camp}); "
            f"{previous} last week."
        )
        leanings = [s for row in table if (s := _leaning(row, positions))]
        if leanings:
            parts.append(_capitalise("; ".join(leanings)) + ".")
        if calls is not None and (calls.weak or calls.corrected):
            parts.append(_certainty(calls))
        if not_compared:
            parts.append(f"{_n(not_compared, 'piece')} not yet compared with the baseline.")
        silent = [c.name for c in camps if not c.count and c.camp != "other"]
        if silent:
            parts.append(f"Nothing from {_join(silent)} outlets.")
    if failing:
        names = _join([r.name for r in failing[:4]]) + (" and others" if len(failing) > 4 else "")
        parts.append(
            f"Crawl blind spot: {_n(len(failing), 'source')} failing at the last run ({names})."
        )
    return " ".join(parts)


def _leaning(row: StanceRow, positions: tuple[PositionDigest, ...]) -> str | None:
    """The camp's most-addressed position and which way it leans on it."""
    best = max(range(len(row.cells)), key=lambda i: (row.cells[i].total, -i), default=None)
    if best is None or not row.cells[best].total:
        return None
    cell, position = row.cells[best], positions[best]
    return f"{row.name} coverage {_VERB[cell.leaning]} {position.id} ({position.title})"


def _certainty(calls: StanceCounts) -> str:
    """How far to trust the counts: weak calls, and calls an analyst set by hand."""
    said = []
    if calls.weak:
        said.append(
            f"{calls.weak} of {_n(calls.total, 'stance call')} counted "
            f"{'is' if calls.weak == 1 else 'are'} weak "
            f"(differ confidence under {WEAK_CONFIDENCE:.2f})"
        )
    if calls.corrected:
        said.append(
            f"{calls.corrected} {'was' if calls.corrected == 1 else 'were'} set by an analyst"
        )
    return _capitalise("; ".join(said)) + "."


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
