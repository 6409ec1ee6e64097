"""The cleaned page: a light tree of the elements that can hold article text.

One iterative walk over the Lexbor tree copies what matters into plain Python records and
leaves out what never holds article text (scripts, styles, navigation, forms' controls,
hidden elements). Everything later — scoring, cleaning, turning blocks into paragraphs —
reads these records, never the Lexbor tree, so it costs no further C calls and can be
re-run with different settings at no parsing cost.

The walk is iterative (an explicit stack), so a page of ten thousand unclosed ``<div>``
cannot exhaust Python's recursion limit, and linear in the number of nodes.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache

from selectolax.lexbor import LexborNode

from monitor.extract.names import (
    ANY_NAMED,
    BYLINE,
    BYLINE_WORDS,
    CAPTION,
    HARD_JUNK,
    HARD_JUNK_ROLES,
    is_unlikely,
)

# Never article text: skipped with everything inside them.
DROP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "head", "title", "meta", "link", "base",
        "svg", "math", "canvas", "map", "select", "option", "datalist", "textarea", "button",
        "nav", "aside", "footer", "dialog", "frameset", "frame", "noframes", "applet", "figcaption",
        "-comment", "-doctype",
    }
)  # fmt: skip
# Kept as empty elements (scoring counts them: images, embeds, form inputs), never entered.
LEAF_TAGS = frozenset(
    {"img", "picture", "iframe", "object", "embed", "input", "video", "audio", "source",
     "hr", "br", "wbr", "track", "param", "area", "col"}
)  # fmt: skip

UNLIKELY_ROLES = frozenset(
    {"menu", "menubar", "complementary", "navigation", "alert", "alertdialog", "dialog"}
)
_BOXES = frozenset({"div", "section", "p", "ul", "ol", "dl", "address", "header", "table"})
_AUTHOR_BOX_MAX = 600  # characters: an "author" box longer than this holds the article
_CAPTION_MAX = 300  # characters: a "caption" box longer than this is more than one
_BYLINE_SELECTOR = ", ".join(
    ["[rel=author]", "[itemprop*=author]"]
    + [f"[{attr}*={word} i]" for attr in ("class", "id") for word in BYLINE_WORDS]
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Words; each CJK character is a word of its own (those scripts do not space words).
_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3"
_TOKENS = re.compile(f"[{_CJK_CHARS}]|[^\\W_{_CJK_CHARS}]+")


class El:
    """One element of the cleaned tree. ``children`` mixes element indices and text."""

    __slots__ = ("tag", "attrs", "parent", "children", "kids", "unlikely", "match")

    def __init__(self, tag: str, attrs: dict[str, str | None], parent: int) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[int | str] = []
        self.kids: list[int] = []  # the element children alone, in order
        self.unlikely = False  # class/id/role say boilerplate (dropped when stripping)
        if attrs:
            cls = attrs.get("class") or ""
            ident = attrs.get("id") or ""
            self.match = f"{cls} {ident}" if (cls or ident) else ""
        else:
            self.match = ""

    def set_children(self, children: list[int | str]) -> None:
        self.children = children
        self.kids = [c for c in children if isinstance(c, int)]


@dataclass
class Doc:
    """The cleaned tree; element 0 is the root the walk started from."""

    els: list[El] = field(default_factory=list)
    byline: str | None = None  # text of the first byline-looking element, removed from the tree


def build(
    root: LexborNode,
    *,
    skip: Collection[int] = (),
    title: str | None = None,
    strip_unlikely: bool = False,
    hunt_bylines: bool = True,
) -> Doc:
    """Copy the text-bearing part of ``root`` into a :class:`Doc`.

    ``skip`` holds ``mem_id`` of nodes to leave out (a source's ``remove`` selectors).
    With a ``title``, the first ``h1``/``h2`` repeating it is left out, since the title is
    reported separately. With ``strip_unlikely``, elements whose class or id says
    boilerplate are left out with what they hold (a third of a typical page's elements),
    as the extractor's first and usually only attempt wants; a byline inside one is
    still found, unless ``hunt_bylines`` is off (the page's metadata already names the
    authors, so the search, a query of each such element, would be wasted).
    """
    doc = Doc()
    els = doc.els
    els.append(El(root.tag or "div", dict(root.attributes), -1))
    title_tokens = _tokens(title) if title else None
    # Two parallel stacks (nodes, their parent's index): no tuple per node.
    stack: list[LexborNode] = _kids(root)[::-1]
    parents: list[int] = [0] * len(stack)
    pop, push, pop_parent, push_parents = stack.pop, stack.extend, parents.pop, parents.extend
    while stack:
        node, parent = pop(), pop_parent()
        tag = node.tag
        if tag == "-text":
            text = node.text_content
            if text:
                els[parent].children.append(text)
            continue
        if tag is None or tag in DROP_TAGS or tag[0] == "-":
            continue
        if skip and node.mem_id in skip:
            continue
        attrs = node.attributes
        el = El(tag, attrs, parent)
        if attrs:
            # what the class/id says, worked out once per distinct name; the other
            # attributes that matter are looked at only when the element has one
            flags = _name_flags(el.match) if el.match else 0
            special = not _SPECIAL_ATTRS.isdisjoint(attrs)
            if flags & _JUNK or (special and _never_text(attrs)):
                continue
            if flags & _CAPTION and len(node.text()) < _CAPTION_MAX:
                continue
            if flags & _BYLINE or (special and _author_attrs(attrs)):
                text = " ".join(node.text(separator=" ").split())
                if doc.byline is None and 0 < len(text) < 100:
                    doc.byline = _byline_names(node) or text
                    continue
                if tag in _BOXES and len(text) < _AUTHOR_BOX_MAX:
                    continue  # another byline box, or the author's bio
            if (flags & _UNLIKELY and tag not in _NEVER_UNLIKELY) or (
                special and attrs.get("role") in UNLIKELY_ROLES and tag not in _NEVER_UNLIKELY
            ):
                el.unlikely = _unlikely(el, els)
            if el.unlikely and strip_unlikely:
                if doc.byline is None and hunt_bylines:
                    doc.byline = _byline_inside(node)
                continue
        if title_tokens and (tag == "h1" or tag == "h2"):
            if _similarity(title_tokens, _tokens(node.text())) > 0.75:
                title_tokens = None
                continue
        index = len(els)
        els.append(el)
        els[parent].children.append(index)
        els[parent].kids.append(index)
        if tag not in LEAF_TAGS:
            kids = list(node.iter(include_text=True))
            if kids:
                kids.reverse()
                push(kids)
                push_parents([index] * len(kids))
    return doc


def _byline_inside(node: LexborNode) -> str | None:
    """The first byline-looking element below ``node``, as :func:`build` would read it."""
    for found in node.css(_BYLINE_SELECTOR):
        text = " ".join(found.text(separator=" ").split())
        if 0 < len(text) < 100:
            return _byline_names(found) or text
    return None


def _kids(node: LexborNode) -> list[LexborNode]:
    return list(node.iter(include_text=True))


_JUNK, _CAPTION, _BYLINE, _UNLIKELY = 1, 2, 4, 8
_SPECIAL_ATTRS = frozenset({"hidden", "role", "aria-hidden", "style", "aria-modal", "rel",
                            "itemprop"})  # fmt: skip
_NEVER_UNLIKELY = frozenset({"body", "a"})


@lru_cache(maxsize=8192)
def _name_flags(name: str) -> int:
    """What a class + id string says: consent-box junk, caption, byline, unlikely.
    Cached: class names repeat across a page's elements and across pages."""
    lowered = name.lower()
    if ANY_NAMED.search(lowered) is None:  # nine names in ten: one search settles all four
        return 0
    return (
        (_JUNK if HARD_JUNK.search(lowered) else 0)
        | (_CAPTION if CAPTION.search(lowered) else 0)
        | (_BYLINE if BYLINE.search(lowered) else 0)
        | (_UNLIKELY if is_unlikely(name) else 0)
    )


def _never_text(attrs: dict[str, str | None]) -> bool:
    """Hidden from readers, or a modal dialog: never article text."""
    if "hidden" in attrs or attrs.get("role") in HARD_JUNK_ROLES:
        return True
    if attrs.get("aria-hidden") == "true" and "fallback-image" not in (attrs.get("class") or ""):
        return True
    style = attrs.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    return attrs.get("aria-modal") == "true"


def _author_attrs(attrs: dict[str, str | None]) -> bool:
    return attrs.get("rel") == "author" or "author" in (attrs.get("itemprop") or "")


def _unlikely(el: El, els: list[El]) -> bool:
    """Readability's test, once the name or role said boilerplate: a role says it for sure;
    a name does unless the element sits in a layout table or a code sample."""
    if el.attrs.get("role") in UNLIKELY_ROLES:
        return True
    parent, depth = el.parent, 0
    while parent >= 0 and depth < 4:  # layout tables and code samples keep their parts
        if els[parent].tag in ("table", "code"):
            return False
        parent, depth = els[parent].parent, depth + 1
    return True


def _byline_names(node: LexborNode) -> str | None:
    """The names inside a byline box: ``<b class=name>A</b><i>Director of X</i>`` → "A";
    a box of byline, date and share buttons → the text of its inner byline element; else
    the text of its few short links (bylines link to author pages)."""
    for selector in ('[class*="byline"], [itemprop=name], [class*="name"], [rel=author]', "a"):
        names = [" ".join(n.text(separator=" ").split()) for n in node.css(selector)]
        names = [n for n in names if n]
        if names and (selector != "a" or (len(names) <= 4 and max(map(len, names)) < 40)):
            return ", ".join(names)  # else the links are not names (share buttons, "More")
    return None


def _tokens(text: str | None) -> list[str]:
    return _TOKENS.findall((text or "").lower())


def _similarity(a: list[str], b: list[str]) -> float:
    """1 when ``b`` uses only words of ``a`` (by length of the unique rest), 0 when none."""
    if not a or not b:
        return 0.0
    seen = set(a)
    rest = [t for t in b if t not in seen]
    return 1 - len(" ".join(rest)) / len(" ".join(b))


def similarity(a: str | None, b: str | None) -> float:
    """Word-overlap similarity of ``b`` to ``a`` (used to match headings to the title)."""
    return _similarity(_tokens(a), _tokens(b))


def preorder(doc: Doc, root: int = 0) -> list[int]:
    """Element indices of the subtree at ``root`` in document order."""
    out: list[int] = []
    els = doc.els
    stack = [root]
    while stack:
        i = stack.pop()
        out.append(i)
        stack.extend(reversed(els[i].kids))
    return out
