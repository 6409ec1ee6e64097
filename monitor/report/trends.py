"""Trends: how each camp's balance on each position moved over the last weeks, and the
troop figures each outlet claimed over time.

The store sums the earlier weeks (``DigestInput.history`` / ``troop_history``); this
week comes from the week's own stances, so the last column always equals the camp ×
position table above it.
"""

from __future__ import annotations

from collections.abc import Mapping

from .model import (
    CampTrend,
    OutletTroops,
    PositionTrend,
    StanceCounts,
    StanceRow,
    TrendCell,
    Trends,
    TroopPoint,
)
from .text import human_title
from .view import WeekView

Grid = Mapping[str, Mapping[tuple[str, str], StanceCounts]]  # week -> (camp, pid) -> counts


def history_grid(view: WeekView) -> dict[str, dict[tuple[str, str], StanceCounts]]:
    """The earlier weeks' counts, keyed for lookup (weeks without calls are empty)."""
    grid: dict[str, dict[tuple[str, str], StanceCounts]] = {w: {} for w in view.data.history_weeks}
    for b in view.data.history:
        grid.setdefault(b.week, {})[(b.camp, b.position_id)] = StanceCounts(
            echo=b.echo, contest=b.contest, mixed=b.mixed
        )
    return grid


def trends(view: WeekView, table: tuple[StanceRow, ...], grid: Grid) -> Trends:
    this_week = {
        (row.camp, pid): cell
        for row in table
        for pid, cell in zip(view.position_ids, row.cells, strict=True)
    }
    weeks = tuple(sorted(grid)) + (view.data.week,)
    full: dict[str, Mapping[tuple[str, str], StanceCounts]] = {**grid, view.data.week: this_week}
    positions = []
    for info in view.positions:
        camps = []
        for camp in view.camps:
            cells = tuple(
                TrendCell(week=w, counts=full[w].get((camp, info.id), StanceCounts()))
                for w in weeks
            )
            if any(c.counts.total for c in cells):
                camps.append(CampTrend(camp=camp, name=view.camp_name(camp), cells=cells))
        positions.append(
            PositionTrend(id=info.id, title=human_title(info.title), camps=tuple(camps))
        )
    return Trends(weeks=weeks, positions=tuple(positions), troops=_troops(view, weeks))


def _troops(view: WeekView, weeks: tuple[str, ...]) -> tuple[OutletTroops, ...]:
    points: dict[str, list[TroopPoint]] = {}
    for claim in view.data.troop_history:
        points.setdefault(claim.source_id, []).append(
            TroopPoint(week=claim.week, pieces=claim.pieces, low=claim.low, high=claim.high)
        )
    current: dict[str, list[int]] = {}
    for article in view.data.articles:
        framing = view.data.framings.get(article.id)
        count = framing.troop_count if framing is not None else None
        if isinstance(count, int) and not isinstance(count, bool) and count > 0:
            current.setdefault(article.source_id, []).append(count)
    for source_id, counts in current.items():
        points.setdefault(source_id, []).append(
            TroopPoint(week=view.data.week, pieces=len(counts), low=min(counts), high=max(counts))
        )
    order = {camp: i for i, camp in enumerate(view.camps)}
    rows = []
    for source_id, found in points.items():
        kept = tuple(sorted((p for p in found if p.week in weeks), key=lambda p: p.week))
        if not kept:
            continue
        info = view.data.sources.get(source_id)
        camp = info.camp if info else "other"
        rows.append(
            OutletTroops(
                source_id=source_id,
                name=view.outlet(source_id),
                camp=camp,
                camp_name=view.camp_name(camp),
                points=kept,
            )
        )
    rows.sort(key=lambda r: (order.get(r.camp, len(order)), r.name.casefold()))
    return tuple(rows)
