"""The week's input, indexed once for the aggregations that build the digest.

``DigestInput`` arrives as the store keeps things (tuples, article id → stances). Every
section of the digest needs the same lookups — a piece's camp and outlet, its stance on a
position, the camps to show — so they are computed here once, and the section builders
(coverage, positions, framing, health) stay short and free of bookkeeping.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from monitor.models import (
    CAMP_NAMES,
    CAMPS,
    DigestInput,
    PositionInfo,
    StoredArticle,
    StoredStance,
    position_order,
)

from .model import StanceCounts, Tally
from .text import clean_text

log = logging.getLogger(__name__)

# The five camps the monitor is about are always shown, so a silent camp reads as 0,
# not as a missing row; "other" and unknown camps appear only when they have something.
MAIN_CAMPS = ("ru", "cn", "west", "kr", "ua")


@dataclass(frozen=True)
class WeekView:
    data: DigestInput
    camps: tuple[str, ...]
    positions: tuple[PositionInfo, ...]  # as loaded from positions.yaml, in natural order
    stances: Mapping[int, Mapping[str, StoredStance]]  # article id -> position id -> stance

    @property
    def position_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.positions)

    def camp_name(self, camp: str) -> str:
        return CAMP_NAMES.get(camp, clean_text(camp, limit=40) or "Unknown")

    def outlet(self, source_id: str) -> str:
        info = self.data.sources.get(source_id)
        return clean_text(info.name if info else source_id, limit=120) or "unknown outlet"

    def articles_of(self, camp: str) -> list[StoredArticle]:
        return [a for a in self.data.articles if a.camp == camp]

    def stance_of(self, article_id: int, position_id: str) -> StoredStance | None:
        return self.stances.get(article_id, {}).get(position_id)

    def compared(self, articles: Iterable[StoredArticle]) -> int:
        """How many of ``articles`` the differ has set against the baseline."""
        return sum(1 for a in articles if a.id in self.stances)

    def counts(self, articles: Iterable[StoredArticle], position_id: str) -> StanceCounts:
        tally: Counter[str] = Counter()
        for article in articles:
            stance = self.stance_of(article.id, position_id)
            if stance is None or stance.stance == "absent":
                continue
            tally[stance.stance] += 1
            tally["weak"] += stance.weak
            tally["corrected"] += stance.correction is not None
        return StanceCounts(
            echo=tally["echo"],
            contest=tally["contest"],
            mixed=tally["mixed"],
            weak=tally["weak"],
            corrected=tally["corrected"],
        )


def index_week(data: DigestInput) -> WeekView:
    # The positions come from positions.yaml, however many there are; shown P1, P2, …,
    # P10, P11 whatever order the file lists them in.
    positions = tuple(sorted(data.positions, key=lambda p: position_order(p.id)))
    known = {p.id for p in positions}
    week_ids = {a.id for a in data.articles}
    stances: dict[int, dict[str, StoredStance]] = {}
    ignored = 0
    for article_id, rows in data.stances.items():
        if article_id not in week_ids:
            continue
        for row in rows:
            if row.position_id in known:
                stances.setdefault(article_id, {})[row.position_id] = row
            else:
                ignored += 1
    if ignored:
        log.warning("digest %s: ignored %d stances on unknown positions", data.week, ignored)
    return WeekView(data=data, camps=_camps_shown(data), positions=positions, stances=stances)


def _camps_shown(data: DigestInput) -> tuple[str, ...]:
    present = (
        {a.camp for a in data.articles}
        | {s.camp for s in data.sources.values()}
        | {c for c, n in data.previous_counts.items() if n}
    )
    extra = sorted(present - set(MAIN_CAMPS), key=lambda c: (c not in CAMPS, c))
    return MAIN_CAMPS + tuple(extra)


def top_tallies(groups: Iterable[Iterable[str]], limit: int) -> tuple[Tally, ...]:
    """Count each label once per piece (case-insensitively), most used first; the label is
    shown in the form it was first seen in."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for labels in groups:
        seen: set[str] = set()
        for raw in labels:
            label = clean_text(raw, limit=80)
            key = label.casefold()
            if not key or key in seen:
                continue
            seen.add(key)
            shown.setdefault(key, label)
            counts[key] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(Tally(shown[key], n) for key, n in ranked[:limit])
