"""Step 1 of the generic extractor: make paragraphs look like paragraphs.

Pages mark paragraphs up in every way: ``<p>``, a ``<div>`` of inline text, text between
``<br><br>``, a ``<div>`` around each ``<p>``. Scoring (``body``) counts paragraphs, so
first, as Readability does, every run of inline content directly inside a ``<div>``
becomes a paragraph of its own (a double ``<br>`` ends one), and a ``<div>`` that only
wraps one paragraph (with few links) is replaced by it. A ``<div>`` whose class or id
names boilerplate ("promo-box") is kept, so the cleaning step can still see that name.
"""

from __future__ import annotations

from monitor.extract.dom import Doc, El
from monitor.extract.names import is_negative

_PHRASING = frozenset(
    {
        "abbr", "audio", "b", "bdo", "br", "button", "cite", "code", "data", "datalist", "dfn",
        "em", "embed", "i", "img", "input", "kbd", "label", "mark", "math", "meter", "noscript",
        "object", "output", "progress", "q", "ruby", "samp", "script", "select", "small",
        "span", "strong", "sub", "sup", "textarea", "time", "var", "wbr", "font", "u", "s",
        "strike", "big", "tt", "nobr",
    }
)  # fmt: skip
_TRANSPARENT = frozenset({"a", "del", "ins"})  # phrasing when their content is


def normalise_divs(doc: Doc) -> None:
    els = doc.els
    phrasing: dict[int, bool] = {}
    for i in range(len(els)):  # build order is document order; new paragraphs append
        if els[i].tag == "div":
            _wrap_runs(doc, i, phrasing)
            _collapse_single_paragraph(doc, i)


def _is_phrasing(doc: Doc, item: int | str, memo: dict[int, bool]) -> bool:
    if isinstance(item, str):
        return True
    els = doc.els
    tag = els[item].tag
    if tag in _PHRASING:
        return True
    if tag not in _TRANSPARENT:
        return False
    # <a>, <del>, <ins> are phrasing when all they hold is: decided innermost first, with
    # an explicit stack (hostile pages nest them hundreds deep)
    stack = [item]
    while stack:
        i = stack[-1]
        if i in memo:
            stack.pop()
            continue
        waiting = [c for c in els[i].kids if els[c].tag in _TRANSPARENT and c not in memo]
        if waiting:
            stack.extend(waiting)
            continue
        memo[i] = all(
            isinstance(c, str)
            or els[c].tag in _PHRASING
            or (els[c].tag in _TRANSPARENT and memo[c])
            for c in els[i].children
        )
        stack.pop()
    return memo[item]


def _has_inline_content(doc: Doc, children: list[int | str], memo: dict[int, bool]) -> bool:
    """Whether any child is inline content other than white space and ``<br>``."""
    els = doc.els
    for c in children:
        if c.__class__ is str:
            if c and not c.isspace():
                return True
            continue
        tag = els[c].tag  # type: ignore[index]
        if tag == "br":
            continue
        if tag in _PHRASING or (tag in _TRANSPARENT and _is_phrasing(doc, c, memo)):
            return True
    return False


def _is_blank(doc: Doc, item: int | str) -> bool:
    return (isinstance(item, str) and not item.strip()) or (
        isinstance(item, int) and doc.els[item].tag == "br"
    )


def _wrap_runs(doc: Doc, index: int, memo: dict[int, bool]) -> None:
    """Wrap each run of inline children of a div in a new paragraph (split at ``<br><br>``)."""
    el = doc.els[index]
    if not _has_inline_content(doc, el.children, memo):
        return
    new_children: list[int | str] = []
    run: list[int | str] = []

    def close() -> None:
        while run and _is_blank(doc, run[-1]):
            run.pop()  # trailing white space and breaks end the paragraph
        if run:
            p_index = len(doc.els)
            p = El("p", {}, index)
            p.set_children(list(run))
            doc.els.append(p)
            for c in run:
                if isinstance(c, int):
                    doc.els[c].parent = p_index
            new_children.append(p_index)
            run.clear()

    pending_br = False
    for child in el.children:
        if not _is_phrasing(doc, child, memo):
            close()
            new_children.append(child)
            pending_br = False
            continue
        is_br = isinstance(child, int) and doc.els[child].tag == "br"
        if is_br and pending_br:
            close()  # <br><br> ends a paragraph
            continue
        if is_br:
            pending_br = True
        elif not _is_blank(doc, child):
            pending_br = False
        if run or not _is_blank(doc, child):
            run.append(child)
        else:
            new_children.append(child)
    close()
    el.set_children(new_children)


def _collapse_single_paragraph(doc: Doc, index: int) -> None:
    """A div holding exactly one paragraph (few links) is replaced by that paragraph."""
    el = doc.els[index]
    only: int | None = None  # the one child that is not white space, if a <p>
    for c in el.children:  # most divs hold more: stop at the second child
        if c.__class__ is str:
            if c and not c.isspace():  # type: ignore[union-attr]
                return
        elif only is None:
            only = c  # type: ignore[assignment]
        else:
            return
    if only is None or doc.els[only].tag != "p":
        return
    if el.parent < 0 or _static_link_density(doc, index) >= 0.25:
        return
    if el.match and is_negative(el.match):
        return  # a "promo-box" wrapping one line stays a div, so cleaning can see its name
    p_index = only
    parent = doc.els[el.parent]
    parent.set_children([p_index if c == index else c for c in parent.children])
    doc.els[p_index].parent = el.parent
    el.set_children([])
    el.parent = -2  # detached


def _static_link_density(doc: Doc, index: int) -> float:
    """Share of the text below ``index`` that sits inside links: one walk down, carrying
    whether a link is open (a walk up per element would cost the depth each time)."""
    els = doc.els
    total = links = 0
    stack = [(index, False)]
    while stack:
        i, in_link = stack.pop()
        el = els[i]
        in_link = in_link or (el.tag == "a" and i != index)
        own = sum(len(c) for c in el.children if c.__class__ is str)
        total += own
        if in_link:
            links += own
        stack.extend((k, in_link) for k in el.kids)
    return links / total if total else 0.0
