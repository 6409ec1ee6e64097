"""Step 4 of the generic extractor: drop boilerplate blocks inside the chosen article.

Readability's "conditional cleaning", innermost first: forms, fieldsets, tables, lists,
divs, sections and headers are removed when they look like boilerplate — a class or id
of boilerplate; or, with fewer than ten commas, more list items than paragraphs, more
images than text, inputs, embeds, a high link density, or almost no text. Data tables and
code samples are kept. Small share boxes and ``h1``/``h2`` headers with boilerplate class
names go too. Removing a block updates the counts of every block around it, so an outer
block is judged on what is left inside it.

Every step is linear in the number of elements, however deep the page: each sweep visits
the elements innermost first and carries what was removed below an element up to its
parent once (instead of walking to the root on each removal), and what an element's
ancestors are (a data table, ``code``, a ``figure``) is worked out once, top down.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from monitor.extract.blocks import LEAD_IN, SENTENCE_END, paragraphs
from monitor.extract.dom import Doc, El, preorder

_SHARE = re.compile(r"(\b|_)(share|sharedaddy)(\b|_)", re.IGNORECASE)
CHAR_THRESHOLD = 500  # a share box this long is content
# What the cleaner counts below each element: tags → slot in a small list.
_HEAD, _LIST, _N_SLOTS = 5, 6, 7
_COUNT_SLOTS = {
    "p": 0, "img": 1, "li": 2, "input": 3, "iframe": 4, "object": 4, "embed": 4,
    "h1": _HEAD, "h2": _HEAD, "h3": _HEAD, "h4": _HEAD, "h5": _HEAD, "h6": _HEAD,
    "ul": _LIST, "ol": _LIST,
}  # fmt: skip
_NO_COUNTS = [0.0] * _N_SLOTS
_LINK_LINE = 200  # characters: a mostly-link paragraph shorter than this is a link line
_LINK_ROW = 120  # characters: a line of three links or more shorter than this is a link row
_LEAD_IN_MAX = 80  # characters: a line ending in a colon shorter than this introduces a list
_PROMPT = 200  # characters: a block that held a form and has less text is a prompt
_LINK_LIST = 0.8  # a list whose text is this much link is a list of other stories
_NEAR = 3  # "inside a code sample / figure" looks this many levels above the parent
_CLEANED = frozenset({"form", "fieldset", "table", "ul", "div", "section", "header"})
_TABLE_PARTS = frozenset({"col", "colgroup", "tfoot", "thead", "th"})
_TABLE_TAGS = _TABLE_PARTS | {"table", "caption", "tr"}  # what the data-table test counts
# What was removed below an element in the current sweep: length, links, commas, counts.
_Delta = tuple[float, float, int, list[float] | None]


class Cleaner:
    """Drops boilerplate blocks inside the chosen article (``roots``), innermost first.

    ``length``, ``links`` and ``commas`` are the measures of the live tree (``dead``
    elements left out); ``class_weight`` scores a class/id (or gives 0 when the caller's
    attempt ignores class names). ``run`` returns the removed elements; ``length`` then
    holds what is left.
    """

    def __init__(
        self,
        doc: Doc,
        roots: list[int],
        *,
        dead: Sequence[bool],
        length: Sequence[float],
        links: Sequence[float],
        commas: Sequence[int],
        class_weight: Callable[[El], int],
    ) -> None:
        self.doc = doc
        self.els = doc.els
        self.class_weight = class_weight
        self.roots = roots
        self.root_set = set(roots)
        everything = [i for r in roots for i in preorder(doc, r)]
        self.order = [i for i in everything if not dead[i]]
        self.inside = set(self.order)
        self.removed: set[int] = set()
        # copies, indexed like the caller's (only the live elements inside are read)
        self.length = list(length)
        self.links = list(links)
        self.commas = list(commas)
        # per element: counts of p, img, li, input, embeds, heading text, list text
        # (sparse: elements with nothing to count have no entry)
        self.counts: dict[int, list[float]] = {}
        self._count()
        # form inputs below each element before any cleaning: a short block that held a
        # form is a sign-up or search prompt even once the form itself has gone
        self.had_inputs = {i for i, c in self.counts.items() if c[3]}
        self.data_tables = _data_tables(doc, everything, self.inside)
        self.in_data_table = self._below(self.data_tables) if self.data_tables else set()
        self.gone: set[int] = set()  # removed, or inside something removed

    def _count(self) -> None:
        counts, length, inside = self.counts, self.length, self.inside
        for i in reversed(self.order):
            el = self.els[i]
            tag = el.tag
            c = counts.get(i)
            slot = _COUNT_SLOTS.get(tag)
            if slot is not None:
                if c is None:
                    c = counts[i] = [0.0] * _N_SLOTS
                if slot == _HEAD or slot == _LIST:
                    c[slot] = length[i]
                else:
                    c[slot] += 1
            if c is not None and el.parent in inside and i not in self.root_set:
                pc = counts.get(el.parent)
                if pc is None:
                    counts[el.parent] = list(c)
                else:
                    for k in range(_N_SLOTS):
                        pc[k] += c[k]

    def _below(self, tops: set[int]) -> set[int]:
        """Elements below any of ``tops``: one top-down pass (parents come first)."""
        els, roots = self.els, self.root_set
        out: set[int] = set()
        for i in self.order:
            parent = els[i].parent
            if i not in roots and (parent in tops or parent in out):
                out.add(i)
        return out

    def run(self) -> set[int]:
        els, order, roots = self.els, self.order, self.root_set
        by_tag: dict[str, list[int]] = {}
        for i in order:
            tag = els[i].tag
            if i in roots:
                # Chosen siblings other than p/section/article count as divs, as Readability has it.
                if i != 0 and tag not in ("p", "section", "article"):
                    by_tag.setdefault("div", []).append(i)
            elif tag in _CLEANED:
                by_tag.setdefault(tag, []).append(i)
        for tag in ("form", "fieldset"):
            self._sweep(by_tag.get(tag), tag)
        share = [
            i
            for i in order
            if i not in roots
            and els[i].match
            and _SHARE.search(els[i].match)
            and self.length[i] < CHAR_THRESHOLD
        ]
        self._sweep(share, None)
        headers = [
            i for i in order if els[i].tag in ("h1", "h2") and self.class_weight(els[i]) < 0
        ]
        self._sweep(headers, None)
        for tag in ("table", "ul", "div", "section", "header"):
            self._sweep(by_tag.get(tag), tag)
        self._sweep(self._link_lines(), None)
        self._sweep(self._lead_ins(), None)
        return self.removed

    def _link_lines(self) -> list[int]:
        """Short paragraphs that are mostly a link: "Read more: <a>…</a>", "Topics: <a>…",
        "Follow us on <a>Telegram</a>"; and short rows of three links or more with a label
        ("Share this article: <a>Facebook</a> <a>X</a> <a>Email</a>", a row of tags), whose
        links are short words. A story's own paragraphs link a word or two, and a linked
        sentence that ends as one is kept."""
        els, roots, gone, length, links = (
            self.els, self.root_set, self.gone, self.length, self.links
        )  # fmt: skip
        return [
            i
            for i in self.order
            if els[i].tag == "p"
            and i not in roots
            and i not in gone
            and 0 < length[i] < _LINK_LINE
            and (
                links[i] > 0.6 * length[i]
                or (length[i] < _LINK_ROW and links[i] > 0.35 * length[i] and self._anchors(i) >= 3)
            )
            and not SENTENCE_END.search(" ".join(paragraphs(self.doc, [i])))
        ]

    def _anchors(self, i: int) -> int:
        els = self.els
        return sum(1 for k in preorder(self.doc, i) if els[k].tag == "a")

    def _lead_ins(self) -> list[int]:
        """The line that introduced a list this cleaning removed ("Related coverage:",
        "More games news:" over a list of other stories): a short paragraph ending in a
        colon, right before the list. Left alone, it would dangle in the story."""
        els, gone, inside = self.els, self.gone, self.inside
        out: set[int] = set()
        for r in self.removed:
            parent = els[r].parent
            if parent < 0 or els[r].tag not in ("ul", "ol"):
                continue
            kids = els[parent].kids
            before = [k for k in kids[: kids.index(r)] if k in inside and k not in gone]
            if not before:
                continue
            k = before[-1]
            if (
                els[k].tag == "p"
                and 0 < self.length[k] < _LEAD_IN_MAX
                and LEAD_IN.search(" ".join(paragraphs(self.doc, [k])))
            ):
                out.add(k)
        return sorted(out)

    def _sweep(self, candidates: list[int] | None, tag: str | None) -> None:
        """One pass innermost first over ``candidates`` (in page order): each is removed
        when ``tag`` is None or it looks like boilerplate (:meth:`_fishy`), judged on what
        is left once what went below it in this pass is taken off its measures."""
        if not candidates:
            return
        els, inside, roots, removed, gone = (
            self.els, self.inside, self.root_set, self.removed, self.gone
        )  # fmt: skip
        wanted = set(candidates)
        pending: dict[int, _Delta] = {}
        swept = False
        for i in reversed(self.order):
            if i in gone:
                continue
            below = pending.pop(i, None) if pending else None
            if below is not None:
                self._subtract(i, below)
            if i in wanted and (tag is None or self._fishy(i, tag)):
                removed.add(i)
                swept = True
                mine = (self.length[i], self.links[i], self.commas[i], self.counts.get(i))
                below = _add(below, mine)  # the parent loses this element and what went
            if below is not None and i not in roots:
                parent = els[i].parent
                if parent in inside:
                    pending[parent] = _add(pending.get(parent), below)
        if swept:  # what later passes must skip: removed now, or inside something removed
            for i in self.order:
                if i in removed or (i not in roots and els[i].parent in gone):
                    gone.add(i)

    def _subtract(self, i: int, delta: _Delta) -> None:
        self.length[i] -= delta[0]
        self.links[i] -= delta[1]
        self.commas[i] -= delta[2]
        if delta[3] is not None:
            mine = self.counts[i]
            for k in range(_N_SLOTS):
                mine[k] -= delta[3][k]

    def _fishy(self, i: int, tag: str) -> bool:
        els = self.els
        length = self.length[i]
        counts = self.counts.get(i, _NO_COUNTS)
        is_list = tag in ("ul", "ol") or (length > 0 and counts[_LIST] / length > 0.9)
        if tag == "table" and i in self.data_tables:
            return False
        if i in self.in_data_table or _near(els, i, "code"):
            return False
        weight = self.class_weight(els[i])
        if weight < 0:
            return True
        if self.commas[i] >= 10:
            return False
        if i in self.had_inputs and length < _PROMPT:
            return True
        p, img, li, inputs, embeds = counts[0], counts[1], counts[2] - 100, counts[3], counts[4]
        heading_density = counts[_HEAD] / length if length else 0.0
        link_density = self.links[i] / length if length else 0.0
        in_figure = _near(els, i, "figure")
        return (
            (img > 1 and p / img < 0.5 and not in_figure)
            or (not is_list and li > p)
            or (inputs > p // 3)
            or (
                not is_list
                and heading_density < 0.9
                and length < 25
                and (img == 0 or img > 2)
                and not in_figure
            )
            or (not is_list and weight < 25 and link_density > 0.2)
            or (is_list and counts[2] >= 2 and link_density > _LINK_LIST)
            or (weight >= 25 and link_density > 0.5)
            or (embeds == 1 and length < 75)
            or embeds > 1
        )


def _add(total: _Delta | None, more: _Delta) -> _Delta:
    if total is None:
        return more
    counts = total[3]
    if more[3] is not None:
        if counts is None:
            counts = list(more[3])
        else:
            counts = [a + b for a, b in zip(counts, more[3], strict=True)]
    return (total[0] + more[0], total[1] + more[1], total[2] + more[2], counts)


def _near(els: list[El], i: int, tag: str) -> bool:
    """Whether a ``tag`` element is among the few ancestors nearest to ``i``."""
    p, level = els[i].parent, 0
    while p >= 0 and level <= _NEAR:
        if els[p].tag == tag:
            return True
        p, level = els[p].parent, level + 1
    return False


# ── data tables ──────────────────────────────────────────────────────────────────────


class _TableFacts:
    """What lies below an element, as far as telling a data table from layout goes."""

    __slots__ = ("table", "caption", "parts", "rows", "columns")

    def __init__(self) -> None:
        self.table = self.caption = self.parts = False
        self.rows = self.columns = 0

    def merge(self, other: _TableFacts) -> None:
        self.table |= other.table
        self.caption |= other.caption
        self.parts |= other.parts
        self.rows += other.rows
        self.columns = max(self.columns, other.columns)


def _data_tables(doc: Doc, everything: list[int], inside: set[int]) -> set[int]:
    """The live tables that hold data (Readability's test), from one bottom-up pass."""
    els = doc.els
    if not any(els[i].tag == "table" for i in everything):
        return set()
    below: dict[int, _TableFacts] = {}
    out: set[int] = set()
    in_region = set(everything)
    for i in reversed(everything):
        el = els[i]
        tag = el.tag
        facts = below.pop(i, None)
        if facts is None and tag not in _TABLE_TAGS:
            continue  # nothing of a table here or below: nothing to pass up
        if tag == "table" and i in inside and _is_data(el, facts or _TableFacts()):
            out.add(i)
        own = _TableFacts()
        if tag == "table":
            own.table = True
        elif tag == "caption" and el.children:
            own.caption = True
        elif tag in _TABLE_PARTS:
            own.parts = True
        elif tag == "tr":
            own.rows = _int(el.attrs.get("rowspan"))
            own.columns = sum(
                _int(els[k].attrs.get("colspan")) for k in el.kids if els[k].tag == "td"
            )
        if facts is not None:
            own.merge(facts)
        if el.parent in in_region and (own.table or own.caption or own.parts or own.rows):
            parent_facts = below.get(el.parent)
            if parent_facts is None:
                below[el.parent] = own
            else:
                parent_facts.merge(own)
    return out


def _is_data(el: El, below: _TableFacts) -> bool:
    if el.attrs.get("role") == "presentation" or el.attrs.get("datatable") == "0":
        return False
    if el.attrs.get("summary"):
        return True
    if below.caption or below.parts:
        return True
    if below.table:
        return False
    rows, columns = below.rows, below.columns
    return rows >= 10 or columns > 4 or rows * columns > 10


def _int(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1
