"""Who covered the story this week: pieces per camp and per outlet, and the camp ×
position stance table (how each camp's pieces sit against each baseline position)."""

from __future__ import annotations

from collections import Counter

from .model import CampCoverage, SourceCoverage, StanceCounts, StanceRow
from .stories import count_stories
from .view import WeekView


def camp_coverage(view: WeekView) -> tuple[CampCoverage, ...]:
    """Pieces per camp with last week's count beside them. A camp missing from
    ``previous_counts`` had no pieces last week."""
    rows = []
    for camp in view.camps:
        articles = view.articles_of(camp)
        rows.append(
            CampCoverage(
                camp=camp,
                name=view.camp_name(camp),
                count=len(articles),
                previous=int(view.data.previous_counts.get(camp, 0)),
                compared=view.compared(articles),
                outlets=len({a.source_id for a in articles}),
                stories=count_stories(view, articles),
            )
        )
    return tuple(rows)


def source_coverage(view: WeekView) -> tuple[SourceCoverage, ...]:
    """Every configured outlet, silent ones included (a zero is news to an analyst), plus
    any outlet that has pieces but is no longer configured. Busiest first within a camp."""
    counts = Counter(a.source_id for a in view.data.articles)
    camps = {a.source_id: a.camp for a in view.data.articles}
    camps.update({sid: info.camp for sid, info in view.data.sources.items()})
    order = {camp: i for i, camp in enumerate(view.camps)}
    rows = [
        SourceCoverage(
            source_id=sid,
            name=view.outlet(sid),
            camp=camp,
            camp_name=view.camp_name(camp),
            count=counts.get(sid, 0),
        )
        for sid, camp in camps.items()
    ]
    rows.sort(key=lambda r: (order.get(r.camp, len(order)), -r.count, r.name.casefold()))
    return tuple(rows)


def stance_table(view: WeekView) -> tuple[StanceRow, ...]:
    rows = []
    for camp in view.camps:
        articles = view.articles_of(camp)
        rows.append(
            StanceRow(
                camp=camp,
                name=view.camp_name(camp),
                compared=view.compared(articles),
                cells=tuple(view.counts(articles, pid) for pid in view.position_ids),
            )
        )
    return tuple(rows)


def all_calls(table: tuple[StanceRow, ...]) -> StanceCounts:
    """Every counted call of the week (each piece once per position it addresses), with
    how many were weak and how many an analyst set: the table's cells added up."""
    cells = [cell for row in table for cell in row.cells]
    return StanceCounts(
        echo=sum(c.echo for c in cells),
        contest=sum(c.contest for c in cells),
        mixed=sum(c.mixed for c in cells),
        weak=sum(c.weak for c in cells),
        corrected=sum(c.corrected for c in cells),
    )
