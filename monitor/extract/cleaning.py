"""Step 4 of the generic extractor: drop boilerplate blocks inside the chosen article.

Readability's "conditional cleaning", innermost first: forms, fieldsets, tables, lists,
divs, sections and headers are removed when they look like boilerplate — a class or id
of boilerplate; or, with fewer than ten commas, more list items than paragraphs, more
images than text, inputs, embeds, a high link density, or almost no text. Data tables and
code samples are kept. Small share boxes and ``h1``/``h2`` headers with boilerplate class
names go too. Removing a block updates the counts of every block around it, so an outer
block is judged on what is left inside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

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
        self.order = [i for r in roots for i in preorder(doc, r) if not dead[i]]
        self.inside = set(self.order)
        self.removed: set[int] = set()
        self.gone: set[int] = set()
        self.length = {i: length[i] for i in self.order}
        self.links = {i: links[i] for i in self.order}
        self.commas = {i: commas[i] for i in self.order}
        # per element: counts of p, img, li, input, embeds, heading text, list text
        # (sparse: elements with nothing to count have no entry)
        self.counts: dict[int, list[float]] = {}
        self._count()
        self.data_tables = {
            i for i in self.order if self.els[i].tag == "table" and self._is_data(i)
        }

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

    def run(self) -> set[int]:
        for tag in ("form", "fieldset"):
            self._clean_conditionally(tag)
        for i in self.order:
            el = self.els[i]
            if i not in self.root_set and el.match and _SHARE.search(el.match):
                if self.length[i] < CHAR_THRESHOLD:
                    self._remove(i)
        for i in self.order:
            if self.els[i].tag in ("h1", "h2") and self.class_weight(self.els[i]) < 0:
                self._remove(i)
        for tag in ("table", "ul", "div", "section", "header"):
            self._clean_conditionally(tag)
        return self.removed

    def _remove(self, i: int) -> None:
        if i in self.gone:
            return
        self.removed.add(i)
        for j in preorder(self.doc, i):
            self.gone.add(j)
        delta_len, delta_links, delta_commas = self.length[i], self.links[i], self.commas[i]
        delta_counts = self.counts.get(i)
        el = self.els[i]
        p = el.parent if i not in self.root_set else -1
        while p in self.inside:
            self.length[p] -= delta_len
            self.links[p] -= delta_links
            self.commas[p] -= delta_commas
            if delta_counts is not None:
                parent_counts = self.counts[p]
                for k in range(_N_SLOTS):
                    parent_counts[k] -= delta_counts[k]
            if p in self.root_set:
                break
            p = self.els[p].parent

    def _clean_conditionally(self, tag: str) -> None:
        # Chosen siblings other than p/section/article count as divs, as in Readability.
        candidates = [
            i
            for i in self.order
            if (self.els[i].tag == tag and i not in self.root_set)
            or (tag == "div" and i in self.root_set and i != 0
                and self.els[i].tag not in ("p", "section", "article"))
        ]  # fmt: skip
        for i in reversed(candidates):
            if i not in self.gone and self._fishy(i, tag):
                self._remove(i)

    def _fishy(self, i: int, tag: str) -> bool:
        els = self.els
        length = self.length[i]
        counts = self.counts.get(i, _NO_COUNTS)
        is_list = tag in ("ul", "ol") or (length > 0 and counts[_LIST] / length > 0.9)
        if tag == "table" and i in self.data_tables:
            return False
        if self._has_ancestor(i, ("table",), None, self.data_tables):
            return False
        if self._has_ancestor(i, ("code",), 3):
            return False
        weight = self.class_weight(els[i])
        if weight < 0:
            return True
        if self.commas[i] >= 10:
            return False
        p, img, li, inputs, embeds = counts[0], counts[1], counts[2] - 100, counts[3], counts[4]
        heading_density = counts[_HEAD] / length if length else 0.0
        link_density = self.links[i] / length if length else 0.0
        in_figure = self._has_ancestor(i, ("figure",), 3)
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
            or (weight >= 25 and link_density > 0.5)
            or (embeds == 1 and length < 75)
            or embeds > 1
        )

    def _has_ancestor(
        self, i: int, tags: tuple[str, ...], max_depth: int | None, among: set[int] | None = None
    ) -> bool:
        depth = 0
        p = self.els[i].parent
        while p >= 0:
            if max_depth is not None and depth > max_depth:
                return False
            if self.els[p].tag in tags and (among is None or p in among):
                return True
            p, depth = self.els[p].parent, depth + 1
        return False

    def _is_data(self, i: int) -> bool:
        el = self.els[i]
        if el.attrs.get("role") == "presentation" or el.attrs.get("datatable") == "0":
            return False
        if el.attrs.get("summary"):
            return True
        sub = preorder(self.doc, i)[1:]
        tags = [self.els[j].tag for j in sub]
        if "caption" in tags and any(
            self.els[j].children for j in sub if self.els[j].tag == "caption"
        ):
            return True
        if any(t in ("col", "colgroup", "tfoot", "thead", "th") for t in tags):
            return True
        if "table" in tags:
            return False
        rows = columns = 0
        for j in sub:
            if self.els[j].tag != "tr":
                continue
            rows += _int(self.els[j].attrs.get("rowspan"))
            cells = [
                _int(self.els[k].attrs.get("colspan"))
                for k in self.els[j].kids
                if self.els[k].tag == "td"
            ]
            columns = max(columns, sum(cells))
        return rows >= 10 or columns > 4 or rows * columns > 10


def _int(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1
