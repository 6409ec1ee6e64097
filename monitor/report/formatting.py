"""Formatting shared by every renderer, so a date or a change reads the same in the HTML,
the Markdown and the Atom summary. All times are shown in UTC, which the digest states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def day(moment: datetime | None) -> str:
    """ "2024-10-28", or "—" when unknown."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d") if moment else "—"


def stamp(moment: datetime | None) -> str:
    """ "2024-10-28 06:00 UTC", or "never"."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def date_range(start: datetime, end: datetime) -> str:
    """The week as people say it: "Mon 28 Oct – Sun 3 Nov 2024" (``end`` is exclusive)."""
    last = (end - timedelta(days=1)).astimezone(UTC)
    first = start.astimezone(UTC)
    head = f"Mon {first.day} {first:%b}" + ("" if first.year == last.year else f" {first.year}")
    return f"{head} – Sun {last.day} {last:%b} {last.year}"


def signed(delta: int) -> str:
    """ "+3", "−2" (a real minus sign), "±0"."""
    return f"+{delta}" if delta > 0 else f"−{-delta}" if delta < 0 else "±0"


def percent(share: float) -> str:
    return f"{round(share * 100)}%"


def number(value: float) -> str:
    """12 000 for 12000.0, 12 500.5 for 12500.5: troop figures read at a glance."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return text.replace(",", "\u202f")


def score(value: float) -> str:
    return f"{value:+.2f}".replace("-", "−")


def confidence(value: float | None) -> str:
    """ "0.52": the differ's confidence in a call, two decimals."""
    return "—" if value is None else f"{value:.2f}"


def call_counts(weak: int, corrected: int) -> str:
    """ "2 weak, 1 by analyst": what a cell's count holds beyond the differ's sure calls."""
    parts = [f"{weak} weak"] if weak else []
    if corrected:
        parts.append(f"{corrected} by analyst")
    return ", ".join(parts)


def stance_symbols(echo: int, contest: int, mixed: int) -> str:
    """ "+3 −1 ±2": echo, contest, mixed counts with their symbols, zeros left out, so the
    table reads in black and white and in plain Markdown."""
    parts = [f"{sym}{n}" for sym, n in (("+", echo), ("−", contest), ("±", mixed)) if n]
    return " ".join(parts)


STANCE_SYMBOL = {"echo": "+", "contest": "−", "mixed": "±", "absent": "·"}
