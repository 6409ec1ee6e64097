"""The two Jinja2 environments the digest renders with, and the filters they share.

HTML: autoescape on, so every scraped string is escaped unless it is ``Markup`` (only the
charts in ``charts.py`` are). Markdown: Jinja has no Markdown escaping, so the environment's
``finalize`` hook escapes *every* ``{{ … }}`` output with ``escape_markdown`` unless the
value is ``MdRaw`` — text a filter here has already built safely (a link). Escaping is the
default in both; forgetting a filter cannot let a hostile title through.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined
from jinja2.bccache import Bucket

from . import charts, formatting
from .model import Call, PieceRef, StanceCounts
from .text import escape_markdown, markdown_url

log = logging.getLogger(__name__)


class MdRaw(str):
    """Markdown built by a filter from escaped parts; passed through ``finalize`` as is."""


def _finalize_markdown(value: Any) -> str:
    if isinstance(value, MdRaw):
        return value
    if value is None:
        return "—"
    return escape_markdown(value)


def md_link(text: str, link: str | None, url: str = "") -> MdRaw:
    """``[text](url)`` for a safe http(s) URL; otherwise the text, and the URL as inert
    text, so a ``javascript:`` URL never becomes a link."""
    if link:
        return MdRaw(f"[{escape_markdown(text)}]({markdown_url(link)})")
    suffix = f" (link withheld: {escape_markdown(url)})" if url else ""
    return MdRaw(escape_markdown(text) + suffix)


def md_anchor(text: object, anchor: str) -> MdRaw:
    """``[text](#anchor)``: a link inside the digest (the anchor is ours, the text escaped)."""
    return MdRaw(f"[{escape_markdown(text)}]({markdown_url(anchor.replace(' ', '-'))})")


def md_line(text: str) -> MdRaw:
    """Text that starts a line (a quoted sentence): a leading "- " or "1. " is escaped too."""
    return MdRaw(escape_markdown(text, line_start=True))


def _counts_text(counts: StanceCounts) -> str:
    return formatting.stance_symbols(counts.echo, counts.contest, counts.mixed)


def _cell_notes(counts: StanceCounts) -> str:
    return formatting.call_counts(counts.weak, counts.corrected)


def call_note(piece: PieceRef) -> str:
    """How sure a call is, in words: "confidence 0.85", "weak, 0.52", or for an analyst's
    call "analyst-corrected; differ said contest, 0.52"."""
    if piece.label is not None:
        said = piece.label.differ_stance
        if said is None:
            return "analyst-corrected; the differ had no call"
        return (
            f"analyst-corrected; differ said {said}, "
            f"{formatting.confidence(piece.label.differ_confidence)}"
        )
    if piece.weak:
        return f"weak, {formatting.confidence(piece.confidence)}"
    return f"confidence {formatting.confidence(piece.confidence)}"


def mark(call: Call | None) -> str:
    """A piece's call on one position in one or two characters: "+", "−", "±", "·"
    (not addressed), "" (not compared); "?" after a weak call, "✎" after an analyst's."""
    if call is None:
        return ""
    symbol = formatting.STANCE_SYMBOL.get(call.stance, "?")
    if call.corrected:
        return symbol + "✎"
    return symbol + "?" if call.weak else symbol


def call_title(call: Call | None) -> str:
    """The mark in words, for a tooltip and for screen readers."""
    if call is None:
        return "not compared"
    if call.stance == "absent":
        return "not addressed"
    if call.corrected:
        return f"{call.stance}, set by an analyst"
    weak = "weak, " if call.weak else ""
    return f"{call.stance} ({weak}confidence {formatting.confidence(call.confidence)})"


_SHARED_FILTERS = {
    "mark": mark,
    "call_title": call_title,
    "day": formatting.day,
    "stamp": formatting.stamp,
    "date_range": formatting.date_range,
    "signed": formatting.signed,
    "percent": formatting.percent,
    "number": formatting.number,
    "score": formatting.score,
    "symbols": _counts_text,
    "cell_notes": _cell_notes,
    "confidence": formatting.confidence,
    "call_note": call_note,
}
_SHARED_GLOBALS = {"STANCE_SYMBOL": formatting.STANCE_SYMBOL}


class _SpeedUpOnly(FileSystemBytecodeCache):
    """Jinja's per-user cache of compiled templates (a directory of mode 0700 under the
    temporary directory, keyed by each template's checksum): compiling the templates
    costs more than rendering a week. It is only ever a speed-up — a full or read-only
    disk, or a damaged entry, costs a compile, never a digest."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as exc:
            log.debug("compiled template not cached: %s", exc)


def bytecode_cache() -> FileSystemBytecodeCache | None:
    """The cache, or None where no private cache directory can be had."""
    try:
        return _SpeedUpOnly()
    except (OSError, RuntimeError) as exc:
        log.debug("no cache for compiled templates: %s", exc)
        return None


def _environment(**options: Any) -> Environment:
    env = Environment(
        loader=PackageLoader("monitor.report", "templates"),
        bytecode_cache=bytecode_cache(),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,
    )
    env.filters.update(_SHARED_FILTERS)
    env.globals.update(_SHARED_GLOBALS)
    return env


@cache
def html_environment() -> Environment:
    env = _environment(autoescape=True)
    env.filters["camp_bars"] = charts.camp_bars
    env.filters["balance_bar"] = charts.balance_bar
    env.filters["trend_chart"] = charts.trend_chart
    return env


@cache
def markdown_environment() -> Environment:
    env = _environment(autoescape=False, finalize=_finalize_markdown)
    env.filters["md_link"] = md_link
    env.filters["md_line"] = md_line
    env.filters["md_anchor"] = md_anchor
    return env
