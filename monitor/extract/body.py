"""The generic body extractor: readability-style scoring on the cleaned tree.

The approach is Arc90 / Mozilla Readability's, re-done over :mod:`monitor.extract.dom`
records so every step is a linear pass in plain Python:

1. *Normalise*: runs of inline content directly inside a ``<div>`` become paragraphs (a
   double ``<br>`` splits them); a ``<div>`` that only wraps one paragraph is replaced by it.
2. *Score*: each paragraph-like block (``p``, ``td``, ``pre``, ``section``, ``h2``–``h6``)
   of 25 characters or more is worth 1 + its commas + 1 per 100 characters (at most 3); the
   worth flows to five levels of ancestors (full, ½, then ⅓ per level). Ancestors start
   from their tag and their class/id (+25 for "article", "content"…, −25 for "comment",
   "share"…); a candidate's score is scaled by ``1 − link density``.
3. *Choose*: the best candidate, moved up when several near-best candidates share an
   ancestor or when its parent scores better; then its siblings that score well or read
   like paragraphs.
4. *Clean*: forms, lists, tables and divs inside the result are dropped when they look like
   boilerplate (few commas, many links, more list items than paragraphs, images without
   text…); small share boxes and headers with negative class names go too.
5. If less than 500 characters remain, try again without stripping unlikely elements,
   then without class weights, then without cleaning; a laxer attempt replaces a stricter
   one only when it finds twice as much text (Readability keeps the longest, which
   lets promo boxes back into short news items).

Chinese, Japanese and Korean characters count double in every length threshold: a
sentence of 25 such characters carries as much as a 50-letter English one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from monitor.extract.blocks import paragraphs
from monitor.extract.dom import Doc, El, preorder
from monitor.extract.names import POSITIVE, is_negative

_TAGS_TO_SCORE = frozenset({"section", "h2", "h3", "h4", "h5", "h6", "p", "td", "pre"})
_PHRASING = frozenset(
    {
        "abbr", "audio", "b", "bdo", "br", "button", "cite", "code", "data", "datalist", "dfn",
        "em", "embed", "i", "img", "input", "kbd", "label", "mark", "math", "meter", "noscript",
        "object", "output", "progress", "q", "ruby", "samp", "script", "select", "small",
        "span", "strong", "sub", "sup", "textarea", "time", "var", "wbr", "font", "u", "s",
        "strike", "big", "tt", "nobr",
    }
)  # fmt: skip
_TAG_BONUS = {
    "div": 5, "pre": 3, "td": 3, "blockquote": 3,
    "address": -3, "ol": -3, "ul": -3, "dl": -3, "dd": -3, "dt": -3, "li": -3, "form": -3,
    "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "th": -5,
}  # fmt: skip
_SHARE = re.compile(r"(\b|_)(share|sharedaddy)(\b|_)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"\.( |$)")
_COMMA_MARKS = (",", "\uff0c", "\u3001", "\u060c")  # Latin, fullwidth, ideographic, Arabic
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff]")
_CHAR_THRESHOLD = 500
_EMPTY_DROPPED = frozenset({"div", "section", "header", "h1", "h2", "h3", "h4", "h5", "h6"})
# A short story found with all filters on is usually the story: a laxer attempt replaces it
# only when it finds much more text, not when it adds a promo box or a headline.
_LATER_ATTEMPT_GAIN = 2.0
_N_TOP = 5


@dataclass(frozen=True)
class Body:
    paragraphs: list[str]
    length: int  # weighted characters kept


def extract_body(doc: Doc) -> Body:
    """The article text of a cleaned page (possibly empty: the caller decides)."""
    if len(doc.els) <= 1 and not doc.els[0].children:
        return Body([], 0)
    _normalise_divs(doc)
    metrics = _Metrics(doc)
    best = Body([], 0)
    for strip, weigh, clean in ((True, True, True), (False, True, True), (False, False, True),
                                (False, False, False)):  # fmt: skip
        result = _Attempt(doc, metrics, strip=strip, weigh=weigh, clean=clean).run()
        if result.length >= _CHAR_THRESHOLD:
            return result
        if result.length > best.length * _LATER_ATTEMPT_GAIN:
            best = result
    return best


# ── 1. normalise ────────────────────────────────────────────────────────────────────


def _normalise_divs(doc: Doc) -> None:
    els = doc.els
    phrasing: dict[int, bool] = {}
    for i in range(len(els)):  # build order is document order; new paragraphs append
        if els[i].tag == "div":
            _wrap_runs(doc, i, phrasing)
            _collapse_single_paragraph(doc, i)


def _is_phrasing(doc: Doc, item: int | str, memo: dict[int, bool]) -> bool:
    if isinstance(item, str):
        return True
    el = doc.els[item]
    if el.tag in _PHRASING:
        return True
    if el.tag not in ("a", "del", "ins"):
        return False
    if item not in memo:
        memo[item] = all(_is_phrasing(doc, c, memo) for c in el.children)
    return memo[item]


def _is_blank(doc: Doc, item: int | str) -> bool:
    return (isinstance(item, str) and not item.strip()) or (
        isinstance(item, int) and doc.els[item].tag == "br"
    )


def _wrap_runs(doc: Doc, index: int, memo: dict[int, bool]) -> None:
    """Wrap each run of inline children of a div in a new paragraph (split at ``<br><br>``)."""
    el = doc.els[index]
    if not any(_is_phrasing(doc, c, memo) and not _is_blank(doc, c) for c in el.children):
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
    kids = [c for c in el.children if not (isinstance(c, str) and not c.strip())]
    if len(kids) != 1 or not isinstance(kids[0], int) or doc.els[kids[0]].tag != "p":
        return
    if el.parent < 0 or _static_link_density(doc, index) >= 0.25:
        return
    if el.match and is_negative(el.match):
        return  # a "promo-box" wrapping one line stays a div, so cleaning can see its name
    p_index = kids[0]
    parent = doc.els[el.parent]
    parent.set_children([p_index if c == index else c for c in parent.children])
    doc.els[p_index].parent = el.parent
    el.set_children([])
    el.parent = -2  # detached


def _static_link_density(doc: Doc, index: int) -> float:
    total = links = 0
    for i in preorder(doc, index):
        own = sum(len(c) for c in doc.els[i].children if isinstance(c, str))
        total += own
        if _in_link(doc, i, index):
            links += own
    return links / total if total else 0.0


def _in_link(doc: Doc, i: int, stop: int) -> bool:
    while i >= 0 and i != stop:
        if doc.els[i].tag == "a":
            return True
        i = doc.els[i].parent
    return False


# ── inside a selector's body ─────────────────────────────────────────────────────────


def boilerplate_blocks(doc: Doc) -> set[int]:
    """Elements to leave out of a body a source's selector chose: those whose class or id
    says boilerplate (below the chosen node), and short blocks that are mostly link text
    ("Read more: …", "Follow us on Telegram") — a story's own paragraphs rarely are."""
    els = doc.els
    order = preorder(doc)
    length = [0] * len(els)
    links = [0] * len(els)
    out: set[int] = set()
    for i in reversed(order):
        el = els[i]
        length[i] += sum(_collapsed_length(c) for c in el.children if isinstance(c, str))
        if el.tag == "a":
            links[i] = length[i]
        if el.parent >= 0:
            length[el.parent] += length[i]
            links[el.parent] += links[i]
        if i and el.unlikely:
            out.add(i)
        elif el.tag in ("p", "li", "div") and 0 < length[i] < 150 and links[i] > 0.8 * length[i]:
            out.add(i)
    return out


# ── per-element measures that do not change between attempts ─────────────────────────


class _Metrics:
    """Own text length (CJK counted double) and commas of each element, and page order."""

    def __init__(self, doc: Doc) -> None:
        els = doc.els
        self.order = preorder(doc)
        self.own_len = [0] * len(els)
        self.own_commas = [0] * len(els)
        cjk = _has_cjk(doc)
        for i in self.order:
            length = commas = 0
            for c in els[i].children:
                if isinstance(c, str):
                    length += _collapsed_length(c)
                    if cjk:
                        length += len(_CJK.findall(c))
                    if "," in c or cjk:
                        commas += sum(c.count(mark) for mark in _COMMA_MARKS)
            self.own_len[i] = length
            self.own_commas[i] = commas
        self.link_coefficient = [
            0.3 if (el.tag == "a" and (el.attrs.get("href") or "").startswith("#")) else 1.0
            for el in els
        ]


@lru_cache(maxsize=8192)
def _name_weight(value: str | None) -> int:
    """−25 for a boilerplate class/id, +25 for a content one (both can apply)."""
    if not value:
        return 0
    return 25 * ((POSITIVE.search(value.lower()) is not None) - is_negative(value))


def _has_cjk(doc: Doc, budget: int = 4000) -> bool:
    """Whether the page's first few thousand characters of text include CJK ones."""
    for el in doc.els:
        for c in el.children:
            if isinstance(c, str):
                if _CJK.search(c):
                    return True
                budget -= len(c)
                if budget <= 0:
                    return False
    return False


def _collapsed_length(text: str) -> int:
    """Length of ``text`` once each run of white space counts as one character."""
    words = text.split()
    if not words:
        return 1 if text else 0
    return len(" ".join(words)) + text[0].isspace() + text[-1].isspace()


# ── 2–5. one attempt ──────────────────────────────────────────────────────────────────


class _Attempt:
    def __init__(self, doc: Doc, m: _Metrics, *, strip: bool, weigh: bool, clean: bool) -> None:
        self.doc, self.m = doc, m
        self.strip, self.weigh, self.clean = strip, weigh, clean
        n = len(doc.els)
        self.dead = [False] * n
        self.length = [0.0] * n
        self.links = [0.0] * n
        self.commas = [0] * n

    # measures over the live tree
    def _measure(self) -> None:
        els, m, dead = self.doc.els, self.m, self.dead
        for i in m.order:
            el = els[i]
            dead[i] = (el.parent >= 0 and dead[el.parent]) or (self.strip and el.unlikely)
        length, links, commas = self.length, self.links, self.commas
        for i in reversed(m.order):
            if dead[i]:
                continue
            el = els[i]
            length[i] += m.own_len[i]
            commas[i] += m.own_commas[i]
            if el.tag == "a":
                links[i] = length[i] * m.link_coefficient[i]
            if length[i] == 0 and el.tag in _EMPTY_DROPPED and self._only_breaks(i):
                dead[i] = True
                continue
            p = el.parent
            if p >= 0:
                length[p] += length[i]
                links[p] += links[i]
                commas[p] += commas[i]

    def _only_breaks(self, i: int) -> bool:
        els = self.doc.els
        return all(els[c].tag in ("br", "hr") for c in els[i].kids)

    def kids(self, i: int) -> list[int]:
        dead = self.dead
        return [c for c in self.doc.els[i].kids if not dead[c]]

    def link_density(self, i: int) -> float:
        return self.links[i] / self.length[i] if self.length[i] else 0.0

    def class_weight(self, el: El) -> int:
        if not self.weigh:
            return 0
        return _name_weight(el.attrs.get("class")) + _name_weight(el.attrs.get("id"))

    def run(self) -> Body:
        self._measure()
        scores = self._score()
        roots = self._choose(scores)
        length: dict[int, float] | list[float] = self.length
        removed: set[int] = set()
        if self.clean:
            cleaner = _Cleaner(self, roots)
            removed, length = cleaner.run(), cleaner.length
        kept = [r for r in roots if r not in removed]
        total = sum(length[r] for r in kept)
        skipped = removed | {i for i, dead in enumerate(self.dead) if dead}
        return Body(paragraphs(self.doc, kept, skipped), int(total))

    # 2. score
    def _score(self) -> dict[int, float]:
        els, dead, length = self.doc.els, self.dead, self.length
        scores: dict[int, float] = {}
        for i in self.m.order:
            el = els[i]
            if dead[i] or el.tag not in _TAGS_TO_SCORE or length[i] < 25 or el.parent < 0:
                continue
            worth = 1 + (self.commas[i] + 1) + min(length[i] // 100, 3)
            ancestor, level = el.parent, 0
            while ancestor >= 0 and level < 5:
                if ancestor not in scores:
                    a = els[ancestor]
                    scores[ancestor] = _TAG_BONUS.get(a.tag, 0) + self.class_weight(a)
                scores[ancestor] += worth / (1 if level == 0 else 2 if level == 1 else level * 3)
                ancestor, level = els[ancestor].parent, level + 1
        for i in scores:
            scores[i] *= 1 - self.link_density(i)
        return scores

    # 3. choose
    def _choose(self, scores: dict[int, float]) -> list[int]:
        els = self.doc.els
        ranked = sorted(scores, key=lambda i: (-scores[i], i))[:_N_TOP]
        if not ranked or ranked[0] == 0:
            return [0]
        top = ranked[0]
        top = self._common_ancestor(top, ranked, scores)
        top = self._better_parent(top, scores)
        while els[top].parent > 0 and len(self.kids(els[top].parent)) == 1:
            top = els[top].parent
        if top == 0:
            return [0]
        top_score = scores.get(top, _TAG_BONUS.get(els[top].tag, 0) + self.class_weight(els[top]))
        threshold = max(10.0, top_score * 0.2)
        top_class = els[top].attrs.get("class") or ""
        chosen: list[int] = []
        for s in self.kids(els[top].parent):
            if s == top:
                chosen.append(s)
                continue
            bonus = top_score * 0.2 if top_class and els[s].attrs.get("class") == top_class else 0
            if s in scores and scores[s] + bonus >= threshold:
                chosen.append(s)
            elif els[s].tag == "p":
                density, size = self.link_density(s), self.length[s]
                if size > 80 and density < 0.25:
                    chosen.append(s)
                elif 0 < size < 80 and density == 0 and self._ends_sentence(s):
                    chosen.append(s)
        return chosen

    def _common_ancestor(self, top: int, ranked: list[int], scores: dict[int, float]) -> int:
        """Several near-best candidates under one ancestor: the ancestor is the article."""
        els = self.doc.els
        close = [c for c in ranked[1:] if scores[top] and scores[c] / scores[top] >= 0.75]
        if len(close) < 3:
            return top
        lineages = [set(self._ancestors(c)) for c in close]
        ancestor = els[top].parent
        while ancestor > 0:
            if sum(ancestor in lineage for lineage in lineages) >= 3:
                return ancestor
            ancestor = els[ancestor].parent
        return top

    def _better_parent(self, top: int, scores: dict[int, float]) -> int:
        els = self.doc.els
        last = scores.get(top, 0.0)
        floor = last / 3
        parent = els[top].parent
        while parent > 0:
            if parent not in scores:
                parent = els[parent].parent
                continue
            if scores[parent] < floor:
                break
            if scores[parent] > last:
                return parent
            last = scores[parent]
            parent = els[parent].parent
        return top

    def _ancestors(self, i: int) -> list[int]:
        out = []
        i = self.doc.els[i].parent
        while i >= 0:
            out.append(i)
            i = self.doc.els[i].parent
        return out

    def _ends_sentence(self, i: int) -> bool:
        text = " ".join(paragraphs(self.doc, [i]))
        return _SENTENCE_END.search(text) is not None


class _Cleaner:
    """Drops boilerplate blocks inside the chosen article, innermost first."""

    _COUNTED = ("p", "img", "li", "input", "embed")

    def __init__(self, attempt: _Attempt, roots: list[int]) -> None:
        self.a = attempt
        self.els = attempt.doc.els
        self.roots = roots
        self.root_set = set(roots)
        self.order = [i for r in roots for i in preorder(attempt.doc, r) if not attempt.dead[i]]
        self.inside = set(self.order)
        self.removed: set[int] = set()
        self.gone: set[int] = set()
        self.length = {i: attempt.length[i] for i in self.order}
        self.links = {i: attempt.links[i] for i in self.order}
        self.commas = {i: attempt.commas[i] for i in self.order}
        self.counts: dict[int, dict[str, float]] = {}
        self._count()
        self.data_tables = {
            i for i in self.order if self.els[i].tag == "table" and self._is_data(i)
        }

    def _count(self) -> None:
        for i in reversed(self.order):
            el = self.els[i]
            c = self.counts.setdefault(i, dict.fromkeys((*self._COUNTED, "head", "list"), 0.0))
            tag = "embed" if el.tag in ("iframe", "object", "embed") else el.tag
            if tag in self._COUNTED:
                c[tag] += 1
            if el.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                c["head"] = self.length[i]
            if el.tag in ("ul", "ol"):
                c["list"] = self.length[i]
            if el.parent in self.inside and i not in self.root_set:
                pc = self.counts.setdefault(
                    el.parent, dict.fromkeys((*self._COUNTED, "head", "list"), 0.0)
                )
                for key, value in c.items():
                    pc[key] += value

    def run(self) -> set[int]:
        for tag in ("form", "fieldset"):
            self._clean_conditionally(tag)
        for i in self.order:
            el = self.els[i]
            if i not in self.root_set and el.match and _SHARE.search(el.match):
                if self.length[i] < _CHAR_THRESHOLD:
                    self._remove(i)
        for i in self.order:
            if self.els[i].tag in ("h1", "h2") and self.a.class_weight(self.els[i]) < 0:
                self._remove(i)
        for tag in ("table", "ul", "div", "section", "header"):
            self._clean_conditionally(tag)
        return self.removed

    def _remove(self, i: int) -> None:
        if i in self.gone:
            return
        self.removed.add(i)
        for j in preorder(self.a.doc, i):
            self.gone.add(j)
        delta_len, delta_links, delta_commas = self.length[i], self.links[i], self.commas[i]
        delta_counts = dict(self.counts[i])
        el = self.els[i]
        p = el.parent if i not in self.root_set else -1
        while p in self.inside:
            self.length[p] -= delta_len
            self.links[p] -= delta_links
            self.commas[p] -= delta_commas
            for key, value in delta_counts.items():
                self.counts[p][key] -= value
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
        counts = self.counts[i]
        is_list = tag in ("ul", "ol") or (length > 0 and counts["list"] / length > 0.9)
        if tag == "table" and i in self.data_tables:
            return False
        if self._has_ancestor(i, ("table",), None, self.data_tables):
            return False
        if self._has_ancestor(i, ("code",), 3):
            return False
        weight = self.a.class_weight(els[i])
        if weight < 0:
            return True
        if self.commas[i] >= 10:
            return False
        p, img, li = counts["p"], counts["img"], counts["li"] - 100
        inputs, embeds = counts["input"], counts["embed"]
        heading_density = counts["head"] / length if length else 0.0
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
        sub = preorder(self.a.doc, i)[1:]
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
