"""The framing diff as a terminal renderable: it reads like a diff.

For each addressed position: the baseline's claim as the context line, then the piece's
evidence sentences marked ``+`` (echoes it), ``−`` (contests it) or ``~`` (both, for a
mixed position's summary line). Absent positions are summarised in one line, then the
framing block. Scraped text is untrusted: it goes into ``rich.text.Text`` objects, never
through console markup, so "[bold]" in an article stays literal.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from monitor.differ.positions import Positions
from monitor.models import WEAK_CONFIDENCE, DiffResult

MARK = {"echo": ("+", "green"), "contest": ("−", "red"), "mixed": ("~", "yellow")}


def render_terminal(result: DiffResult, positions: Positions) -> RenderableType:
    parts: list[RenderableType] = []
    head = Text()
    head.append("framing diff", style="bold")
    head.append(
        f"  language {result.language} · {result.method} · positions {result.positions_version}",
        style="dim",
    )
    parts.append(head)
    absent: list[str] = []
    for p in positions.positions:
        r = result.positions.get(p.id)
        if r is None or r.stance == "absent":
            absent.append(p.id)
            continue
        mark, colour = MARK[r.stance]
        line = Text()
        line.append(f"@@ {p.id} {p.slug} ", style="bold cyan")
        line.append(f"{mark} {r.stance} ({r.score:+.2f})", style=f"bold {colour}")
        weak = r.confidence < WEAK_CONFIDENCE
        line.append(
            f"  confidence {r.confidence:.2f}{' · weak call' if weak else ''}",
            style="yellow" if weak else "dim",
        )
        parts.append(line)
        parts.append(Text(f"  baseline: {p.claim}", style="dim"))
        for e in r.evidence:
            emark, ecolour = MARK[e.stance]
            ev = Text()
            ev.append(f"{emark} ", style=f"bold {ecolour}")
            ev.append(e.sentence, style=ecolour)
            if e.cues:
                ev.append(f"   [{', '.join(e.cues)}]", style="dim")
            parts.append(ev)
    if absent:
        parts.append(Text(f"  absent: {', '.join(absent)}", style="dim"))
    f = result.framing
    block = Text()
    block.append("framing\n", style="bold")
    rows = [
        ("troops called", ", ".join(f.troop_labels) or "—"),
        ("troop count", f"{f.troop_count:,}" if f.troop_count is not None else "—"),
        ("epistemic", f.epistemic or "—"),
        ("sources", ", ".join(f.sources_cited) or "—"),
        ("loaded terms", ", ".join(f.loaded_terms) or "—"),
        ("subtopics", ", ".join(f"{k} {v}" for k, v in sorted(f.subtopics.items())) or "—"),
    ]
    for i, (name, value) in enumerate(rows):
        block.append(f"  {name:<14}", style="dim")
        block.append(value + ("\n" if i < len(rows) - 1 else ""))
    parts.append(block)
    return Group(*parts)
