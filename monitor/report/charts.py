"""Small inline SVG charts, drawn in Python so the HTML digest needs no script and no file
beside it. Each chart carries a ``<title>`` and ``role="img"``/``aria-label`` for screen
readers, text labels for print, and the Okabe–Ito colour-blind-safe palette (blue for
echo, orange for contest, reddish purple for mixed). Labels are escaped here: the result is
``Markup`` and goes into the page as is."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from .formatting import signed
from .model import CampCoverage, PositionTrend, StanceCounts

ECHO = "#0072B2"
CONTEST = "#E69F00"
MIXED = "#CC79A7"
BAR = "#56B4E9"
INK = "#222222"
GRID = "#BBBBBB"


def _svg(width: int, height: int, title: str, body: str) -> Markup:
    label = escape(title)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
        f"<title>{label}</title>{body}</svg>"
    )


def camp_bars(camps: Sequence[CampCoverage], *, week: str) -> Markup:
    """Horizontal bars, one per camp, count written at the bar's end; a dark tick marks
    last week's count so the change is visible without reading numbers."""
    label_w, bar_w, row_h, pad = 84, 240, 22, 4
    width, height = label_w + bar_w + 90, row_h * len(camps) + 2 * pad + 14
    top = max([c.count for c in camps] + [c.previous for c in camps] + [1])
    parts = []
    for i, camp in enumerate(camps):
        y = pad + i * row_h
        w = round(bar_w * camp.count / top)
        prev_x = label_w + round(bar_w * camp.previous / top)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(camp.name)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row_h - 6}" fill="{BAR}"/>'
            f'<line x1="{prev_x}" x2="{prev_x}" y1="{y + 1}" y2="{y + row_h - 1}" '
            f'stroke="{INK}" stroke-width="2"/>'
            f'<text x="{label_w + w + 6}" y="{y + 15}" font-size="12" fill="{INK}">'
            f"{camp.count} ({escape(signed(camp.change))})</text>"
        )
    legend_y = height - 4
    parts.append(
        f'<text x="{label_w}" y="{legend_y}" font-size="10" fill="{INK}">'
        "bar: this week · tick: last week</text>"
    )
    summary = ", ".join(f"{c.name} {c.count} (last week {c.previous})" for c in camps)
    return _svg(width, height, f"Pieces per camp, {week}: {summary}", "".join(parts))


def balance_bar(counts: StanceCounts, *, label: str, width: int = 96, height: int = 12) -> Markup:
    """A 100% bar: contest (orange) from the left, mixed (purple) in the middle, echo (blue)
    to the right, with a centre line, so "which way does this camp lean" is one glance."""
    if not counts.total:
        return Markup("")
    contest_w = round(width * counts.contest_share)
    mixed_w = round(width * counts.mixed_share)
    echo_w = width - contest_w - mixed_w
    mid = width // 2
    segments = (
        (0, contest_w, CONTEST),
        (contest_w, mixed_w, MIXED),
        (contest_w + mixed_w, echo_w, ECHO),
    )
    bars = "".join(
        f'<rect x="{x}" y="0" width="{w}" height="{height}" fill="{colour}"/>'
        for x, w, colour in segments
        if w > 0
    )
    body = (
        bars + f'<line x1="{mid}" x2="{mid}" y1="0" y2="{height}" stroke="{INK}" '
        f'stroke-width="1"/><rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" '
        f'fill="none" stroke="{GRID}"/>'
    )
    title = f"{label}: {counts.echo} echo, {counts.contest} contest, {counts.mixed} mixed"
    return _svg(width, height, title, body)


CAMP_COLOURS = {
    "ru": "#D55E00",
    "cn": "#CC79A7",
    "west": "#0072B2",
    "kr": "#009E73",
    "ua": "#E69F00",
}


def _net(counts: StanceCounts) -> float:
    return (counts.echo - counts.contest) / counts.total


def trend_chart(position: PositionTrend, *, weeks: Sequence[str]) -> Markup:
    """One small multiple: each camp's net balance on one position, week by week, from
    contest (−1, bottom) to echo (+1, top). A week a camp said nothing leaves a gap; the
    camp's name ends its line, so colour is never the only cue. The table beside the
    charts carries every number."""
    width, height, left, right, top, bottom = 300, 132, 30, 70, 10, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(weeks) - 1, 1)

    def x(i: int) -> float:
        return round(left + i * step, 1)

    def y(value: float) -> float:
        return round(top + (1 - value) / 2 * plot_h, 1)

    parts = [
        f'<line x1="{left}" x2="{left + plot_w}" y1="{y(0)}" y2="{y(0)}" stroke="{GRID}"/>',
        f'<text x="{left - 4}" y="{y(1) + 4}" text-anchor="end" font-size="9" fill="{INK}">'
        "echo</text>",
        f'<text x="{left - 4}" y="{y(-1) + 2}" text-anchor="end" font-size="9" fill="{INK}">'
        "cont.</text>",
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="{GRID}"/>',
    ]
    if weeks:
        parts.append(
            f'<text x="{left}" y="{height - 6}" font-size="9" fill="{INK}">'
            f"{escape(weeks[0][5:])}</text>"
            f'<text x="{x(len(weeks) - 1)}" y="{height - 6}" text-anchor="end" font-size="9" '
            f'fill="{INK}">{escape(weeks[-1][5:])}</text>'
        )
    described = []
    for camp in position.camps:
        colour = CAMP_COLOURS.get(camp.camp, INK)
        points = [
            (x(i), y(_net(cell.counts))) if cell.counts.total else None
            for i, cell in enumerate(camp.cells)
        ]
        run: list[tuple[float, float]] = []
        for point in [*points, None]:
            if point is not None:
                run.append(point)
                continue
            if len(run) > 1:
                path = " ".join(f"{px},{py}" for px, py in run)
                parts.append(
                    f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
                )
            run = []
        for point in points:
            if point is not None:
                parts.append(f'<circle cx="{point[0]}" cy="{point[1]}" r="2.2" fill="{colour}"/>')
        last = next((p for p in reversed(points) if p is not None), None)
        if last is not None:
            parts.append(
                f'<text x="{left + plot_w + 4}" y="{last[1] + 3}" font-size="9" '
                f'fill="{colour}">{escape(camp.name)}</text>'
            )
        described.append(
            f"{camp.name}: "
            + ", ".join(
                f"{c.week} {c.counts.echo} echo {c.counts.contest} contest"
                for c in camp.cells
                if c.counts.total
            )
        )
    title = f"{position.id} {position.title}, net balance per camp by week. " + "; ".join(
        described or ["no camp addressed it"]
    )
    return _svg(width, height, title, "".join(parts))
