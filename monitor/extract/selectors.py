"""A source's own CSS selectors (``sources.yaml`` → :class:`monitor.config.Selectors`).

Selectors are the most precise reading of a page and the most fragile: sites redesign.
So a selector that matches nothing, or cannot be parsed, is logged and treated as absent;
the caller then falls back to metadata and the generic extractor. A selector never makes
an article disappear.

A comma-separated ``body`` selector is a union: every match is part of the body, in page
order (TASS: lead + text). For ``title``, ``published`` and ``authors`` the alternatives are
a fallback chain, tried left to right until one matches: scrapers write author selectors
as "the byline box, else the editor box", and a union would credit the editor too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from monitor.config import Selectors

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Selected:
    """What a source's selectors found on one page (everything may be empty)."""

    title: str | None = None
    body: tuple[LexborNode, ...] = ()  # outermost matches, in document order
    published: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    remove: frozenset[int] = field(default_factory=frozenset)  # mem_id of removed nodes


def apply_selectors(tree: LexborHTMLParser, selectors: Selectors | None, url: str) -> Selected:
    if selectors is None:
        return Selected()
    remove = frozenset(n.mem_id for sel in selectors.remove for n in _css(tree, sel, url))
    title_nodes = _first_alternative(tree, selectors.title, url)
    title = " ".join(title_nodes[0].text(separator=" ").split()) if title_nodes else None
    body = _outermost(_css(tree, selectors.body, url), remove)
    published = tuple(
        value
        for n in _first_alternative(tree, selectors.published, url)
        if (value := _date_value(n))
    )
    authors = tuple(
        text
        for n in _first_alternative(tree, selectors.authors, url)
        if (text := " ".join(n.text().split()))
    )
    return Selected(title or None, body, published, authors, remove)


def _css(
    tree: LexborHTMLParser, selector: str | None, url: str, *, quiet: bool = False
) -> list[LexborNode]:
    if not selector:
        return []
    try:
        nodes = tree.css(selector)
    except SelectolaxError:
        logger.warning("%s: selector %r cannot be parsed; ignoring it", url, selector)
        return []
    if not nodes and not quiet:
        logger.info("%s: selector %r matched nothing (has the site changed?)", url, selector)
    return list(nodes)


def _first_alternative(tree: LexborHTMLParser, selector: str | None, url: str) -> list[LexborNode]:
    for alternative in split_selector_list(selector or ""):
        nodes = _css(tree, alternative, url, quiet=True)
        if nodes:
            return nodes
    if selector:
        logger.info("%s: selector %r matched nothing (has the site changed?)", url, selector)
    return []


def split_selector_list(selector: str) -> list[str]:
    """``"a, b:is(c, d)"`` → ``["a", "b:is(c, d)"]``: commas inside (), [] or quotes stay."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(selector):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(selector[start:i])
            start = i + 1
    parts.append(selector[start:])
    return [p.strip() for p in parts if p.strip()]


def _outermost(nodes: list[LexborNode], remove: frozenset[int]) -> tuple[LexborNode, ...]:
    """Drop matches nested inside another match (or inside a removed node)."""
    ids = {n.mem_id for n in nodes}
    kept = []
    for node in nodes:
        parent, nested = node.parent, node.mem_id in remove
        while parent is not None and not nested:
            nested = parent.mem_id in ids or parent.mem_id in remove
            parent = parent.parent
        if not nested:
            kept.append(node)
    return tuple(kept)


def _date_value(node: LexborNode) -> str | None:
    attrs = node.attributes
    value = attrs.get("datetime") or attrs.get("content") or node.text(separator=" ")
    value = " ".join((value or "").split())
    return value or None
