"""Bylines → a clean tuple of person names.

Bylines arrive as "By Jane Roe and John Doe", "Jane Roe, John Doe", "Автор: Иван Петров",
"作者：王伟", as profile URLs (``article:author`` on many sites), or as the outlet's own
name. We split on commas and conjunctions (English, Russian, Ukrainian, Chinese), strip
the "By"-style lead-ins, drop URLs, e-mail addresses, outlet names and role words, restore
ALL-CAPS Latin names to title case, and keep the first spelling of each name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_LEAD_IN = re.compile(
    r"^(?:(?:written|reported|reporting|text|story|photos?|edited)\s+by|by|par|von|por|"
    r"text|author|"
    r"authors|автор(?:ы)?|текст|текст подготовил[аи]?|автор статті|作者|记者|文|编辑|责任编辑|"
    r"기자)\s*[:：]?\s+",
    re.IGNORECASE,
)
_LEAD_IN_TIGHT = re.compile(r"^(?:作者|记者|文|编辑|责任编辑|来源)\s*[:：|｜]\s*")
_SPLIT = re.compile(
    r"\s*(?:,|;|\||/|、|，|；|\band\b|&|\bи\b|\bі\b|\bта\b|\bet\b|\bavec\b|\bund\b|\s·\s|"
    r"\b(?:edited|reported|written|additional reporting|reporting)\s+by\b)\s*",
    re.IGNORECASE,
)
# A date or time glued to a byline ("By Jane Roe March 25, 2015 3:46 PM") is not a name.
_DATE_TAIL = re.compile(
    r"\s*(?:(?:updated|published|posted)\s*:?\s*)?(?:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|"
    r"oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|"
    r"sep|oct|nov|dec)[a-z]*\.?\s+\d{4}|\d{1,2}:\d{2}\s*(?:am|pm)?).*$",
    re.IGNORECASE,
)
_PARENTHESES = re.compile(r"\s*\((?:https?://|www\.)[^)]*\)")
_ROLE = re.compile(
    r"^(?:staff|staff writer|staff reporter|reporter|correspondent|editor|editors|"
    r"contributor|columnist|writer|agencies|agency|wires?|news desk|newsroom|"
    r"корреспондент|обозреватель|редакция|记者|编辑|特约记者|实习生|观察者网|"
    r"and agencies|in [A-Z][a-z]+)$",
    re.IGNORECASE,
)
_OUTLETS = frozenset(
    name.casefold()
    for name in (
        "Reuters", "Thomson Reuters", "AP", "Associated Press", "The Associated Press",
        "TASS", "ТАСС", "BBC", "BBC News", "BBC World Service", "Yonhap", "Yonhap News",
        "Yonhap News Agency", "연합뉴스", "Global Times", "GT", "Guancha", "观察者网",
        "Xinhua", "新华社", "AFP", "Agence France-Presse", "RIA Novosti", "РИА Новости",
        "Interfax", "Интерфакс", "The Kyiv Independent", "Kyiv Independent", "The Guardian",
        "Guardian", "Guardian staff", "RIAC", "РСМД", "Deutsche Welle", "DW", "NK News",
        "38 North", "Bloomberg", "CNN",
    )
)  # fmt: skip
_LETTER = re.compile(r"[^\W\d_]")
_DATELINE = re.compile(r"\s+in\s+[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?$")  # "Jane Roe in Seoul"


def clean_authors(raw: Iterable[str | None], *, outlets: Iterable[str] = ()) -> tuple[str, ...]:
    """Person names from raw byline strings, deduplicated in first-seen order."""
    drop = _OUTLETS | {o.casefold().strip() for o in outlets if o}
    seen: dict[str, str] = {}
    for value in raw:
        for name in _names(value or ""):
            key = name.casefold()
            if key in drop or key in seen:
                continue
            seen[key] = name
    return tuple(seen.values())


def _names(value: str) -> list[str]:
    text = _PARENTHESES.sub("", " ".join(value.split()))
    if not text or _is_address(text):
        return []
    text = _DATE_TAIL.sub("", text)
    text = _LEAD_IN_TIGHT.sub("", text)
    text = _LEAD_IN.sub("", text)
    out = []
    for part in _SPLIT.split(text):
        part = _LEAD_IN.sub("", part.strip(" .:-–—()[]\"'«»“”"))
        part = part.strip(" .:-–—()[]\"'«»“”")
        part = _DATELINE.sub("", part)
        if _acceptable(part):
            out.append(_title_case(part))
    return out


def _acceptable(part: str) -> bool:
    if not part or len(part) > 60 or _is_address(part) or _ROLE.match(part):
        return False
    if any(ch.isdigit() for ch in part) or not _LETTER.search(part):
        return False
    return len(part.split()) <= 5


def _is_address(text: str) -> bool:
    lowered = text.lower()
    return "://" in lowered or lowered.startswith("www.") or "@" in text or ".com/" in lowered


def _title_case(name: str) -> str:
    """ "JANE ROE" → "Jane Roe"; names already in mixed case are left alone."""
    if name.isascii() and name.isupper() and len(name) > 3:
        return " ".join(w.capitalize() for w in name.split())
    return name
