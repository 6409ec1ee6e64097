"""How each camp frames the story apart from the baseline: what it calls the North Korean
personnel, the troop numbers it repeats, how sure it sounds, whom it cites, and the
loaded words it uses."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable

from monitor.models import Framing

from .model import CampFraming, Share, TroopFigures
from .view import WeekView, top_tallies

LABELS = 8
CITED = 5
LOADED = 8
EPISTEMIC_MODES = ("asserted", "attributed", "hedged")


def camp_framings(view: WeekView) -> tuple[CampFraming, ...]:
    """One record per camp that has pieces with a framing this week."""
    rows = []
    for camp in view.camps:
        framings = [
            f for a in view.articles_of(camp) if (f := view.data.framings.get(a.id)) is not None
        ]
        if framings:
            rows.append(_camp(view, camp, framings))
    return tuple(rows)


def _camp(view: WeekView, camp: str, framings: list[Framing]) -> CampFraming:
    return CampFraming(
        camp=camp,
        name=view.camp_name(camp),
        pieces=len(framings),
        labels=top_tallies((f.troop_labels for f in framings), LABELS),
        troops=troop_figures(f.troop_count for f in framings),
        epistemic=epistemic_shares(f.epistemic for f in framings),
        cited=top_tallies((f.sources_cited for f in framings), CITED),
        loaded=top_tallies((f.loaded_terms for f in framings), LOADED),
    )


def troop_figures(counts: Iterable[int | None]) -> TroopFigures | None:
    """Min / median / max of the positive troop counts claimed, or None if none was."""
    values = sorted(c for c in counts if isinstance(c, int) and not isinstance(c, bool) and c > 0)
    if not values:
        return None
    return TroopFigures(
        pieces=len(values),
        low=values[0],
        median=float(statistics.median(values)),
        high=values[-1],
    )


def epistemic_shares(modes: Iterable[str | None]) -> tuple[Share, ...]:
    """Share of each epistemic mode among the pieces where one was recognised."""
    tally = Counter(m for m in modes if m)
    total = sum(tally.values())
    if not total:
        return ()
    return tuple(
        Share(label=mode, count=tally[mode], share=tally[mode] / total)
        for mode in EPISTEMIC_MODES
        if tally[mode]
    )
