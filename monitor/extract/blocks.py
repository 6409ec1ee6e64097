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

_SPACE = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_WORD = re.compile(r"[^\W_]")
_EXIT = -1


def normalize_space(text: str) -> str:
    """One space for any run of white space; invisible characters removed; stripped."""
    return _SPACE.sub(" ", text.translate(_INVISIBLE)).strip()


_CREDIT = re.compile(
    r"^(?:(?:file\s+)?photo(?:graph)?s?|image|video|source|фото|источник|图|图片|图源|视频|사진)"
    r"\s*(?:[:：/|]|by\b|credit)",
    re.IGNORECASE,
)


def strip_furniture(paras: list[str], title: str | None) -> list[str]:
    """Drop what page furniture leaves among the paragraphs: the headline repeated at the
    top (in a ``div``, where the heading check cannot see it) and short photo credits."""
    out = [p for p in paras if not (len(p) < 80 and _CREDIT.match(p))]
    if title:
        for i, para in enumerate(out[:2]):
            if len(para) < 2 * len(title) + 20 and similarity(title, para) > 0.85:
                return out[:i] + out[i + 1 :]
    return out


def paragraphs(doc: Doc, roots: Iterable[int], removed: Collection[int] = ()) -> list[str]:
    """The paragraphs of the subtrees at ``roots``, leaving out ``removed`` elements."""
    els = doc.els
    out: list[str] = []
    current: list[str] = []
    pre_depth = 0
    current_is_pre = False

    def flush() -> None:
        nonlocal current_is_pre
        if current:
            raw = "".join(current)
            if current_is_pre:
                lines = (normalize_space(line) for line in raw.split("\n"))
                text = "\n".join(line for line in lines if line)
            else:
                text = normalize_space(raw)
            if _WORD.search(text):  # "* * *" and "___" separators are not paragraphs
                out.append(text)
            current.clear()
        current_is_pre = False

    stack: list[int | str] = []
    for root in reversed(list(roots)):
        stack.append(root)
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if pre_depth:
                current_is_pre = True
            current.append(item)
            continue
        if item <= _EXIT:  # leaving element ~item
            el = els[~item]
            if el.tag == "pre":
                pre_depth -= 1
            if el.tag in BLOCK_TAGS:
                flush()
            continue
        if item in removed:
            continue
        el = els[item]
        if el.tag in BLOCK_TAGS:
            flush()
        if el.tag == "pre":
            pre_depth += 1
        stack.append(~item)
        stack.extend(reversed(el.children))
    flush()
    return out
