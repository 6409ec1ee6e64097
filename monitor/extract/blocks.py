"""Turn a cleaned subtree into paragraphs: the ``text`` of the extract contract.

Block elements (paragraphs, headings, list items, quotes, table cells…) and ``<br>`` end a
paragraph; inline elements run on. Whitespace is normalised (non-breaking and ideographic
spaces included, zero-width characters and soft hyphens dropped) except inside ``<pre>``,
whose lines are kept. Entities were decoded once by the parser and are not decoded again,
so ``&amp;lt;`` in the source stays ``&lt;`` in the text, as a reader sees it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from monitor.extract.dom import Doc, similarity

BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog",
        "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "menu",
        "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "thead", "tfoot",
        "tr", "td", "th", "caption", "ul", "body", "html", "br", "legend", "option",
    }
)  # fmt: skip

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_HAS_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_WORD = re.compile(r"[^\W_]")
_EXIT = -1


def normalize_space(text: str) -> str:
    """One space for any run of white space; invisible characters removed; stripped.
    White space is what ``str.split`` splits on (every character ``str.isspace`` says is
    one: no-break, ideographic and the other Unicode spaces included), five times faster
    than a regular expression and it sees every paragraph."""
    # rare, and never in ASCII text (a test far cheaper than the search); translating
    # every paragraph would cost more still
    if not text.isascii() and _HAS_INVISIBLE.search(text):
        text = text.translate(_INVISIBLE)
    return " ".join(text.split())


class Heading(str):
    """A paragraph that was a heading (``h1``–``h6``); ``level`` is its number."""

    level: int

    def __new__(cls, text: str, level: int) -> Heading:
        made = super().__new__(cls, text)
        made.level = level
        return made


_HEADING_LEVELS = {f"h{n}": n for n in range(1, 7)}
_CREDIT = re.compile(
    r"^(?:(?:file\s+)?photo(?:graph)?s?|image|video|source|фото|источник|图|图片|图源|视频|사진)"
    r"\s*(?:[:：/|]|by\b|credit)",
    re.IGNORECASE,
)


# Labels that stand alone between a story's paragraphs: an ad slot, a "continue reading"
# link to the rest of a paywalled page.
_LABEL = re.compile(
    r"^(?:advertisement|advertising|sponsored(?: content)?|ad|anzeige|publicité|publicidad|"
    r"реклама|广告|廣告|광고|continue reading(?: the main story)?|story continues below"
    r"(?: advertisement)?|scroll to continue(?: with content)?)$",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(?:by|от|автор[:\s])\s*[^\W\d_]", re.IGNORECASE)
_DATE_SHAPE = re.compile(
    r"\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}[-/年.]\d{1,2}|\d{1,2}\s+[^\W\d_]{3,}\.?,?\s+\d{4}|"
    r"[^\W\d_]{3,}\.?\s+\d{1,2},\s+\d{4}|\d{1,2}:\d{2}|\b\d+\s+(?:hours?|minutes?|days?)\s+ago\b",
    re.IGNORECASE,
)
_RIGHTS = re.compile(
    r"©\s*(?:\d|[A-Z])|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved|责任编辑|責任編輯",
    re.IGNORECASE,
)
LEAD_IN = re.compile(r"[:：]\s*$")  # "More about:", "Read more:" over a list that went
SENTENCE_END = re.compile(r"[.!?。！？…][\"'”’»)]*$")
_EDGE = 3  # bylines and datelines lead a story, rights notices close it


def strip_furniture(paras: list[str], title: str | None) -> list[str]:
    """Drop what page furniture leaves among the paragraphs: the headline repeated at the
    top (in a ``div``, where the heading check cannot see it), photo credits, ad and
    "continue reading" labels, a byline or dateline line among the first paragraphs, a
    rights notice, an editor's credit or a dangling "Read more:" at the end, and headings
    left without a paragraph of their own (the "More on this story" over a list the
    cleaning removed)."""
    out = [p for p in paras if not (len(p) < 80 and _CREDIT.match(p)) and not _label(p)]
    if title:
        for i, para in enumerate(out[:2]):
            if len(para) < 2 * len(title) + 20 and similarity(title, para) > 0.85:
                out = out[:i] + out[i + 1 :]
                break
    lead = [p for p in out[:_EDGE] if not _byline_or_dateline(p)]
    if lead or len(out) > _EDGE:
        out = lead + out[_EDGE:]
    while len(out) > 1 and _closing_line(out[-1]):
        out = out[:-1]
    return _drop_empty_sections(out)


def _closing_line(para: str) -> bool:
    """A rights notice or an editor's credit, or a lead-in line left with nothing after."""
    if len(para) < 250 and _RIGHTS.search(para):
        return True
    return len(para) < 80 and LEAD_IN.search(para) is not None


def _label(para: str) -> bool:
    return len(para) < 40 and _LABEL.match(para.strip(" .:…-–—|")) is not None


def _byline_or_dateline(para: str) -> bool:
    """A short line that names the author ("By Jane Roe") or says when the piece was
    published ("Published 4 November 2024, 06:40"), not a sentence of the story."""
    if isinstance(para, Heading) or len(para) > 80 or SENTENCE_END.search(para):
        return False
    if _BYLINE.match(para) and len(para.split()) <= 8:
        return True
    return len(para) <= 60 and len(para.split()) <= 8 and _DATE_SHAPE.search(para) is not None


def _drop_empty_sections(paras: list[str]) -> list[str]:
    """A heading followed by a heading of its rank or above, or by nothing, heads nothing."""
    out: list[str] = []
    for i, para in enumerate(paras):
        if isinstance(para, Heading):
            nxt = paras[i + 1] if i + 1 < len(paras) else None
            if nxt is None or (isinstance(nxt, Heading) and nxt.level <= para.level):
                continue
        out.append(para)
    return out


def paragraphs(doc: Doc, roots: Iterable[int], removed: Collection[int] = ()) -> list[str]:
    """The paragraphs of the subtrees at ``roots``, leaving out ``removed`` elements."""
    els = doc.els
    out: list[str] = []
    current: list[str] = []
    pre_depth = 0
    current_is_pre = False
    blocks: list[str] = []  # the block elements open around the current text

    def flush() -> None:
        nonlocal current_is_pre
        if current:
            raw = "".join(current)
            if raw.isspace():  # the white space between two blocks
                current.clear()
                current_is_pre = False
                return
            if current_is_pre:
                lines = (normalize_space(line) for line in raw.split("\n"))
                text = "\n".join(line for line in lines if line)
            else:
                text = normalize_space(raw)
            if _WORD.search(text):  # "* * *" and "___" separators are not paragraphs
                level = _HEADING_LEVELS.get(blocks[-1]) if blocks else None
                out.append(Heading(text, level) if level else text)
            current.clear()
        current_is_pre = False

    stack: list[int | str] = list(roots)
    stack.reverse()
    pop, push, push_all = stack.pop, stack.append, stack.extend
    while stack:
        item = pop()
        if item.__class__ is str:  # text: the most frequent item
            if pre_depth:
                current_is_pre = True
            current.append(item)  # type: ignore[arg-type]
            continue
        if item <= _EXIT:  # type: ignore[operator]  # leaving element ~item
            tag = els[~item].tag  # type: ignore[operator]
            if tag == "pre":
                pre_depth -= 1
            if tag in BLOCK_TAGS:
                flush()
                blocks.pop()
            continue
        if item in removed:
            continue
        el = els[item]  # type: ignore[index]
        tag = el.tag
        if tag in BLOCK_TAGS:
            flush()
            blocks.append(tag)
        if tag == "pre":
            pre_depth += 1
        push(~item)  # type: ignore[operator]
        push_all(reversed(el.children))
    flush()
    return out
