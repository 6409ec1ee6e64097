"""Bounds on the work one page may cost, so no page can freeze the crawl.

Three budgets, checked before any Python walks the page:

* **size**: decoded HTML over :data:`MAX_HTML_CHARS` is refused (``too_large``);
* **elements**: a page with more than :data:`MAX_ELEMENTS` elements is refused
  (``too_complex``): a news page has a few thousand, and each one costs Python time;
* **depth**: nesting deeper than :data:`MAX_DEPTH` is cut, and the page parsed again
  without it. The HTML parser checks the stack of open elements on every block start
  tag, so 50,000 nested ``<div>`` cost seconds inside Lexbor itself (quadratic), before
  our code runs. Like browsers (Blink stops nesting at 512), start tags beyond the limit
  are dropped with their end tags: their text stays, flattened into the deepest kept
  element.

The nesting scan (:func:`bound_nesting`) is a regular-expression pass plus one
dictionary step per tag; it skips scripts, styles and comments (their ``"<div>"``
strings are not markup) and pops to the matching open element on an end tag, as the
parser does, so unclosed ``<p>`` or ``<font>`` do not add up to a false depth. It runs
before the parse only on pages of more than :data:`PARSE_FIRST_TAGS` tags (a ``<``
each). A smaller page cannot make the parse slow however it nests (8,192 ``<div>``
nested as deep as they go: 80 ms), so it is parsed first and the tree asked, in one
query inside Lexbor (:func:`nests_too_deep`), whether anything sits deeper than the
limit; only then is it scanned and, if the scan cuts, parsed again. On a news page that
query costs a third of the scan, which was a tenth of the extractor's time.
"""

from __future__ import annotations

import logging
import re

from selectolax.lexbor import LexborHTMLParser

logger = logging.getLogger(__name__)

MAX_HTML_CHARS = 20_000_000
MAX_ELEMENTS = 250_000
MAX_DEPTH = 512
PARSE_FIRST_TAGS = 8_192

# Elements that never hold others, and those the parser closes by itself when a sibling
# starts (<p>, <li>, <td>…): neither deepens the tree the way an unclosed <div> does.
_FLAT = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr", "keygen", "image", "frame", "basefont", "bgsound",
        "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead",
        "tfoot", "colgroup", "caption", "rb", "rt", "rp", "rtc", "a", "nobr", "button",
        "h1", "h2", "h3", "h4", "h5", "h6", "html", "head", "body",
    }
)  # fmt: skip
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*")
# token ("<div", "</DIV") → (closing?, element name), or None for tags that never nest
_KINDS: dict[str, tuple[bool, str] | None] = {}


# An element with MAX_DEPTH elements above it: matched right to left inside Lexbor, each
# candidate's ancestors climbed at most MAX_DEPTH steps (a news page nests ~20 deep).
# Only first children are candidates (half the elements, and a tenth of the query's
# time): any element that deep has a parent whose first child is as deep.
_BELOW_THE_LIMIT = " > ".join(["*"] * MAX_DEPTH) + " > :first-child"


def parse_first(tags: int) -> bool:
    """Whether a page of ``tags`` tags (``<`` characters) is cheap to parse however it
    nests, so its depth can be asked of the parsed tree instead of scanned for."""
    return tags <= PARSE_FIRST_TAGS


def nests_too_deep(tree: LexborHTMLParser) -> bool:
    """Whether some element of ``tree`` has more than :data:`MAX_DEPTH` elements above
    it and itself. Every element counts, so this says yes wherever :func:`bound_nesting`
    might cut (it counts only the elements that nest), and sometimes where it will not."""
    root = tree.root
    return root is not None and root.css_first(_BELOW_THE_LIMIT) is not None


def may_exceed_elements(text: str) -> bool:
    """A cheap bound: a page with fewer ``<`` than the budget cannot exceed it."""
    return text.count("<") > MAX_ELEMENTS


def bound_nesting(text: str) -> tuple[str, int]:
    """``text`` with the start tags (and their end tags) that would nest deeper than
    :data:`MAX_DEPTH` removed, and how many were removed."""
    if text.count("<") <= MAX_DEPTH or _deepest(_TAG.findall(text)) <= MAX_DEPTH:
        return text, 0
    out: list[str] = []
    last = dropped = depth = 0
    stack: list[tuple[str, bool]] = []  # open elements: (name, kept?)
    open_count: dict[str, int] = {}
    in_script = False
    for m in _TAG.finditer(text):
        kind = _kind(m.group())
        if kind is None:
            continue
        closing, name = kind
        if in_script or name == "script":
            in_script = not closing
            continue
        if not closing:
            keep = depth < MAX_DEPTH
            stack.append((name, keep))
            open_count[name] = open_count.get(name, 0) + 1
            depth += keep
        elif not open_count.get(name):
            continue  # a stray end tag: the parser ignores it too
        else:
            while stack:
                top, keep = stack.pop()
                open_count[top] -= 1
                depth -= keep
                if top == name:
                    break
        if keep:
            continue
        end = text.find(">", m.end())
        out.append(text[last : m.start()])
        last = len(text) if end < 0 else end + 1
        dropped += 1
    if not dropped:  # the quick bound was loose (unclosed <font>…): nothing is too deep
        return text, 0
    out.append(text[last:])
    return "".join(out), dropped


def _deepest(tokens: list[str]) -> int:
    """An upper bound of how deep the tags nest: open elements not yet closed by an end
    tag of their name (the parser may close more at once, never fewer); script bodies are
    skipped."""
    open_count: dict[str, int] = {}
    depth = deepest = 0
    in_script = False
    kinds = _KINDS
    for token in tokens:
        kind = kinds[token] if token in kinds else _kind(token)
        if kind is None:
            continue
        closing, name = kind
        if in_script or name == "script":
            in_script = not closing
        elif not closing:
            open_count[name] = open_count.get(name, 0) + 1
            depth += 1
            if depth > deepest:
                deepest = depth
        elif open_count.get(name):
            open_count[name] -= 1
            depth -= 1
    return deepest


def _kind(token: str) -> tuple[bool, str] | None:
    kind = _KINDS.get(token)
    if kind is None and token not in _KINDS:
        closing = token[1] == "/"
        name = token[2 if closing else 1 :].lower()
        kind = None if name in _FLAT else (closing, name)
        if len(_KINDS) < 10_000:  # generated tag names must not grow the cache forever
            _KINDS[token] = kind
    return kind
