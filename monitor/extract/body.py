"""The generic body extractor: readability-style scoring on the cleaned tree.

The approach is Arc90 / Mozilla Readability's, re-done over :mod:`monitor.extract.dom`
records so every step is a linear pass in plain Python:

1. *Normalise* (:mod:`.normalise`): runs of inline content directly inside a ``<div>``
   become paragraphs (a double ``<br>`` splits them); a ``<div>`` that only wraps one
   paragraph is replaced by it.
2. *Score*: each paragraph-like block (``p``, ``td``, ``pre``, ``section``, ``h2``–``h6``)
   of 25 characters or more is worth 1 + its commas + 1 per 100 characters (at most 3); the
   worth flows to five levels of ancestors (full, ½, then ⅓ per level). Ancestors start
   from their tag and their class/id (+25 for "article", "content"…, −25 for "comment",
   "share"…); a candidate's score is scaled by ``1 − link density``.
3. *Choose*: the best candidate, moved up when several near-best candidates share an
   ancestor or when its parent scores better; then its siblings that score well or read
   like paragraphs.
4. *Clean* (:mod:`.cleaning`): forms, tables, lists, divs, sections and headers inside the
   result are dropped when they look like boilerplate (few commas, many links, more list
   items than paragraphs, images without text…); small share boxes go too.
5. If less than 500 characters remain, try again without stripping unlikely elements
   (the first attempt reads a tree built without them, a third smaller on a typical
   page; the whole tree is built only now), then without class weights, then without
   cleaning; a laxer attempt replaces a stricter
   one only when it finds twice as much text (Readability keeps the longest, which
   lets promo boxes back into short news items).

Chinese, Japanese and Korean characters count double in every length threshold: a
sentence of 25 such characters carries as much as a 50-letter English one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from monitor.extract.blocks import paragraphs
from monitor.extract.cleaning import CHAR_THRESHOLD, Cleaner
from monitor.extract.dom import Doc, El, preorder
from monitor.extract.names import POSITIVE, is_negative
from monitor.extract.normalise import normalise_divs

_TAGS_TO_SCORE = frozenset({"section", "h2", "h3", "h4", "h5", "h6", "p", "td", "pre"})
_TAG_BONUS = {
    "div": 5, "pre": 3, "td": 3, "blockquote": 3,
    "address": -3, "ol": -3, "ul": -3, "dl": -3, "dd": -3, "dt": -3, "li": -3, "form": -3,
    "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "th": -5,
}  # fmt: skip
_SENTENCE_END = re.compile(r"\.( |$)")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff]")
_EMPTY_DROPPED = frozenset({"div", "section", "header", "h1", "h2", "h3", "h4", "h5", "h6"})
# A short story found with all filters on is usually the story: a laxer attempt replaces it
# only when it finds much more text, not when it adds a promo box or a headline.
_LATER_ATTEMPT_GAIN = 2.0
_N_TOP = 5


@dataclass(frozen=True)
class Body:
    paragraphs: list[str]
    length: int  # weighted characters kept
    byline: str | None = None  # a byline box found in passing (left out of the text)


_ATTEMPTS = ((True, True, True), (False, True, True), (False, False, True), (False, False, False))


def extract_body(stripped: Doc, whole: Callable[[], Doc]) -> Body:
    """The article text of a page (possibly empty: the caller decides).

    ``stripped`` is the page without its unlikely elements, all the first attempt reads
    (and usually the only one); ``whole`` builds the page with them, only when a laxer
    attempt is needed."""
    best = Body([], 0, stripped.byline)
    doc, metrics = stripped, _prepare(stripped)
    for strip, weigh, clean in _ATTEMPTS:
        if not strip and doc is stripped:
            doc = whole()
            metrics = _prepare(doc)
        if metrics is None:
            continue
        result = _Attempt(doc, metrics, strip=strip, weigh=weigh, clean=clean).run()
        if result.length >= CHAR_THRESHOLD:
            return result
        if result.length > best.length * _LATER_ATTEMPT_GAIN:
            best = result
    return best


def _prepare(doc: Doc) -> _Metrics | None:
    """Paragraphs normalised and measured, or None for a page with nothing in it."""
    if len(doc.els) <= 1 and not doc.els[0].children:
        return None
    normalise_divs(doc)
    return _Metrics(doc)


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
        own_len, own_commas = self.own_len, self.own_commas
        self.link_coefficient = coefficient = [1.0] * len(els)
        for i in self.order:
            el = els[i]
            if el.tag == "a" and (el.attrs.get("href") or "").startswith("#"):
                coefficient[i] = 0.3  # in-page anchors ("#section-2") weigh less as links
            length = commas = 0
            for c in el.children:
                if c.__class__ is not str:
                    continue
                if c.isspace():  # the white space between tags: most text nodes
                    length += 1
                    continue
                # _collapsed_length inlined: this loop sees every text of the page
                words = c.split()  # type: ignore[union-attr]
                length += len(" ".join(words)) + c[0].isspace() + c[-1].isspace()  # type: ignore[index]
                if cjk:
                    length += len(_CJK.findall(c))  # type: ignore[arg-type]
                    commas += _commas(c)  # type: ignore[arg-type]
                elif "," in c:
                    commas += _commas(c)  # type: ignore[arg-type]
            own_len[i] = length
            own_commas[i] = commas


def _commas(text: str) -> int:
    """Commas: Latin, fullwidth, ideographic and Arabic."""
    return text.count(",") + text.count("\uff0c") + text.count("\u3001") + text.count("\u060c")


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
                if not c.isascii() and _CJK.search(c):  # most text nodes: white space
                    return True
                budget -= len(c)
                if budget <= 0:
                    return False
    return False


def _collapsed_length(text: str) -> int:
    """Length of ``text`` once each run of white space counts as one character."""
    if text.isspace():  # the white space between tags: most text nodes of a page
        return 1
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
        length = self.length
        removed: set[int] = set()
        if self.clean:
            cleaner = Cleaner(
                self.doc,
                roots,
                dead=self.dead,
                length=self.length,
                links=self.links,
                commas=self.commas,
                class_weight=self.class_weight,
            )
            removed, length = cleaner.run(), cleaner.length
        kept = [r for r in roots if r not in removed]
        total = sum(length[r] for r in kept)
        skipped = removed | {i for i, dead in enumerate(self.dead) if dead}
        return Body(paragraphs(self.doc, kept, skipped), int(total), self.doc.byline)

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
