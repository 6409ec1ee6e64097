"""The "at a glance" lead: what a busy analyst reads before deciding whether to read on.

Grouped like an analyst's lead, not one sentence per camp: the week's volume and its
change; the positions where the camps diverge most; what moved since last week; the
positions no camp touched; how far to trust the counts; the blind spots. Built from the
digest's own numbers, so it cannot disagree with them. ``summary_text`` flattens the
groups into the one paragraph the Atom feed, the JSON and e-mail previews carry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.models import WEAK_CONFIDENCE

from .formatting import date_range, signed
from .model import (
    CampCoverage,
    CrawlHealth,
    GlanceGroup,
    PositionDigest,
    StanceCounts,
    StanceRow,
)

DIVERGENT = 3  # positions named under "where the camps diverge most"
MOVED = 4  # changes named under "what moved"
MIN_SPREAD = 0.5  # net balance apart (on a −1..+1 scale) to count as diverging
MIN_SHIFT = 0.5  # change of a camp's net balance on a position to count as a move


@dataclass(frozen=True)
class Week:
    """What the lead needs to know about the week, as the digest counted it."""

    week: str
    start: datetime
    end: datetime
    articles: int
    outlets: int
    not_compared: int
    camps: tuple[CampCoverage, ...]
    table: tuple[StanceRow, ...]
    positions: tuple[PositionDigest, ...]
    failing: Sequence[CrawlHealth]
    calls: StanceCounts
    # last week's counts by (camp, position id); None when no earlier week is known
    last_week: Mapping[tuple[str, str], StanceCounts] | None = None


def at_a_glance(week: Week) -> tuple[GlanceGroup, ...]:
    groups = [GlanceGroup("volume", "Volume", _volume(week))]
    if week.articles:
        groups.append(GlanceGroup("divergence", "Where the camps diverge most", _divergence(week)))
        groups.append(GlanceGroup("moved", "What moved since last week", _moved(week)))
        groups.append(GlanceGroup("untouched", "Positions no camp touched", _untouched(week)))
        certainty = _certainty(week)
        if certainty:
            groups.append(GlanceGroup("certainty", "How sure", certainty))
    blind = _blind_spots(week)
    if blind:
        groups.append(GlanceGroup("blind_spots", "Blind spots", blind))
    return tuple(groups)


def summary_text(groups: Sequence[GlanceGroup]) -> str:
    """The groups as one plain paragraph: "Volume: … Where the camps diverge most: …"."""
    return " ".join(f"{g.heading}: {' '.join(g.lines)}" for g in groups if g.lines)


# ── the groups ──────────────────────────────────────────────────────────────────────


def _volume(week: Week) -> tuple[str, ...]:
    previous = sum(c.previous for c in week.camps)
    if not week.articles:
        return (
            f"No pieces on the story were collected in {week.week} "
            f"({date_range(week.start, week.end)}); last week there were {previous}.",
        )
    change = week.articles - previous
    trend = (
        f"up {change} on last week's {previous}"
        if change > 0
        else f"down {-change} on last week's {previous}"
        if change < 0
        else "as many as last week"
    )
    by_camp = ", ".join(
        f"{c.name} {c.count} ({signed(c.change)})" for c in week.camps if c.count or c.previous
    )
    return (
        f"{_n(week.articles, 'piece')} from {_n(week.outlets, 'outlet')}, {trend}.",
        f"By camp: {by_camp}.",
    )


def net(cell: StanceCounts) -> float:
    """−1 (every call contests) … +1 (every call echoes); mixed calls count as 0."""
    return (cell.echo - cell.contest) / cell.total if cell.total else 0.0


def _divergence(week: Week) -> tuple[str, ...]:
    ranked = []
    for i, position in enumerate(week.positions):
        cells = [(row.name, row.cells[i]) for row in week.table if row.cells[i].total]
        if len(cells) < 2:
            continue
        nets = [net(c) for _, c in cells]
        spread = max(nets) - min(nets)
        if spread >= MIN_SPREAD:
            calls = sum(c.total for _, c in cells)
            ranked.append((spread, calls, i, position, cells))
    if not ranked:
        return ("No position split the camps: where two or more camps spoke, they leaned alike.",)
    ranked.sort(key=lambda r: (-r[0], -r[1], r[2]))
    lines = []
    for _, _, _, position, cells in ranked[:DIVERGENT]:
        lines.append(f"{position.id} ({position.title}): {_grouped(cells)}.")
    return tuple(lines)


_SIDES = (
    ("echo", "echoes", "echo"),
    ("split", "is split", "are split"),
    ("mixed", "is mixed", "are mixed"),
    ("contest", "contests", "contest"),
)


def _grouped(cells: list[tuple[str, StanceCounts]]) -> str:
    """Camps that lean the same way named together: "Russian and Chinese echo it (4 of
    4 calls); Western and Korean contest it (8 of 9 calls)"."""
    parts = []
    for leaning, one, many in _SIDES:
        side = [(name, c) for name, c in cells if c.leaning == leaning]
        if not side:
            continue
        names = _join([name for name, _ in side])
        verb = one if len(side) == 1 else many
        total = sum(c.total for _, c in side)
        if leaning in ("echo", "contest"):
            agree = sum(getattr(c, leaning) for _, c in side)
            parts.append(f"{names} {verb} it ({agree} of {_n(total, 'call')})")
        elif leaning == "mixed":
            mixed = sum(c.mixed for _, c in side)
            parts.append(f"{names} {verb} ({mixed} of {_n(total, 'call')} mixed)")
        else:
            echo, contest = sum(c.echo for _, c in side), sum(c.contest for _, c in side)
            parts.append(f"{names} {verb} ({echo} echo, {contest} contest)")
    return "; ".join(parts)


def _moved(week: Week) -> tuple[str, ...]:
    if week.last_week is None:
        return ("No earlier week in the store to compare with.",)
    moves = []
    for row in week.table:
        for i, position in enumerate(week.positions):
            now = row.cells[i]
            before = week.last_week.get((row.camp, position.id), StanceCounts())
            move = _move(row.name, position, before, now)
            if move is not None:
                moves.append((move[0], i, move[1]))
    if not moves:
        return ("No camp changed its leaning on any position.",)
    moves.sort(key=lambda m: (-m[0], m[1]))
    return tuple(text for _, _, text in moves[:MOVED])


def _move(
    camp: str, position: PositionDigest, before: StanceCounts, now: StanceCounts
) -> tuple[float, str] | None:
    """How far and in what words a camp moved on a position, or None if it did not."""
    where = f"{camp} on {position.id} ({position.title})"
    if not before.total and now.total >= 2:
        return (
            1.0 + now.total / 100,
            f"{camp} took up {position.id} ({position.title}): it {_leaning(now)}.",
        )
    if before.total >= 2 and not now.total:
        return 1.0 + before.total / 100, (
            f"{camp} dropped {position.id} ({position.title}): "
            f"{_n(before.total, 'call')} last week, none this week."
        )
    if not before.total or not now.total:
        return None
    shift = net(now) - net(before)
    flipped = now.leaning != before.leaning and now.total + before.total >= 3
    if flipped and (abs(shift) >= MIN_SHIFT or "split" in (now.leaning, before.leaning)):
        return 1.5 + abs(shift), f"{where}: now {_leaning(now)}; last week {_leaning(before)}."
    if abs(shift) >= MIN_SHIFT and min(now.total, before.total) >= 2:
        toward = "echo" if shift > 0 else "contest"
        return abs(shift), (
            f"{where} moved toward {toward}: {_leaning(now)}; last week {_leaning(before)}."
        )
    return None


def _untouched(week: Week) -> tuple[str, ...]:
    silent = [f"{p.id} ({p.title})" for p in week.positions if not p.addressed]
    if not silent:
        return ("Every position was addressed by at least one camp.",)
    return (f"No camp addressed {_join(silent)}.",)


def _certainty(week: Week) -> tuple[str, ...]:
    """How far to trust the counts: weak calls, calls an analyst set, pieces not compared."""
    calls, said = week.calls, []
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
    lines = [_capitalise("; ".join(said)) + "."] if said else []
    if week.not_compared:
        lines.append(f"{_n(week.not_compared, 'piece')} not yet compared with the baseline.")
    return tuple(lines)


def _blind_spots(week: Week) -> tuple[str, ...]:
    lines = []
    silent = [c.name for c in week.camps if not c.count and c.camp != "other"]
    if silent and week.articles:
        lines.append(f"Nothing from {_join(silent)} outlets.")
    if week.failing:
        failing = week.failing
        names = _join([r.name for r in failing[:4]]) + (" and others" if len(failing) > 4 else "")
        lines.append(f"{_n(len(failing), 'source')} failing at the last run ({names}).")
    return tuple(lines)


# ── wording ─────────────────────────────────────────────────────────────────────────


def _leaning(cell: StanceCounts) -> str:
    """ "echoes (3 of 4)", "contests (5 of 5)", "is mixed (2 of 3)", "is split (2 echo,
    2 contest)"."""
    leaning = cell.leaning
    if leaning == "echo":
        return f"echoes ({cell.echo} of {cell.total})"
    if leaning == "contest":
        return f"contests ({cell.contest} of {cell.total})"
    if leaning == "mixed":
        return f"is mixed ({cell.mixed} of {cell.total})"
    return f"is split ({cell.echo} echo, {cell.contest} contest)"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
