"""Is this piece about the story? A pure, explainable keyword rule.

The rule (``topic`` in ``sources.yaml``, :class:`monitor.config.Topic`): a piece is
relevant when its title and text together

* contain at least one topic **keyword** (North Korea, КНДР, 朝鲜…) of the piece's language,
* contain at least one **context** term (Russia, Курск, 俄罗斯…) of that language, and
* contain at least ``min_matches`` keyword occurrences in all.

When the language is unknown or has no list, the lists of all languages are used.
Matching ignores case. Latin-script terms match whole words ("Russia" is not found inside
"Prussian"; list "Russian" separately); Cyrillic, CJK and Hangul terms match as substrings,
so the configured Russian and Ukrainian stems ("северокорейск", "Росси") cover every case
ending and Chinese terms need no word segmentation. White space inside a term matches any
run of white space, so "North Korea" is found across a line break.

Every decision carries a ``reason`` a person can read in the crawl log or the digest,
e.g. ``no context term: mentions North Korea (Pyongyang ×2) but none of Russia, Russian,
Moscow, Kremlin, Putin…``. Subtopics (treaty, troops, arms, sanctions, nuclear, trade,
diplomacy for the shipped story) come from ``topic.subtopics``, terms per language; a
subtopic is listed when its terms occur twice, or once in the title.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

from monitor.config import Topic
from monitor.models import Relevance

_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_SHOWN = 5  # terms named in a reason


def assess(title: str | None, text: str, language: str | None, topic: Topic) -> Relevance:
    """Decide whether a piece is on the story, with a score in [0, 1] and a reason."""
    lang = (language or "").strip().lower()[:2]
    keywords = _terms_for(topic.keywords, lang)
    context = _terms_for(topic.context, lang)
    haystack = f"{title or ''}\n{text}"

    keyword_hits = _count(_pattern(keywords, whole_words=True), keywords, haystack)
    context_hits = _count(_pattern(context, whole_words=True), context, haystack)
    n_keywords = sum(keyword_hits.values())
    subtopics = _subtopics(title or "", text, lang, topic.subtopics)
    matched = tuple(term for term, _ in keyword_hits.most_common())
    label = keywords[0] if keywords else "the story"

    if not n_keywords:
        reason = f"no topic keyword: does not mention {label} (none of {_list(keywords)})"
        return Relevance(False, 0.0, (), subtopics, reason)
    found = _found(keyword_hits)
    if not context_hits and context:
        reason = f"no context term: mentions {label} ({found}) but none of {_list(context)}"
        return Relevance(False, _score(n_keywords, 0), matched, subtopics, reason)
    if n_keywords < topic.min_matches:
        reason = (
            f"too few keyword occurrences: {n_keywords} of the {topic.min_matches} needed ({found})"
        )
        return Relevance(False, _score(n_keywords, context_hits.total()), matched, subtopics,
                         reason)  # fmt: skip
    side = _found(context_hits) if context_hits else "no context list"
    reason = f"mentions {label} {n_keywords}× ({found}) and its context ({side})"
    return Relevance(True, _score(n_keywords, context_hits.total()), matched, subtopics, reason)


# ── matching ────────────────────────────────────────────────────────────────────────


def _terms_for(lists: Mapping[str, tuple[str, ...]], lang: str) -> tuple[str, ...]:
    """The language's own list, or every language's terms when it has none."""
    if lists.get(lang):
        return tuple(lists[lang])
    seen: dict[str, None] = {}
    for terms in lists.values():
        for term in terms:
            seen.setdefault(term, None)
    return tuple(seen)


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...], *, whole_words: bool) -> re.Pattern[str] | None:
    """One alternation, longest terms first so "North Koreans" wins over "North Korean"."""
    parts = []
    for term in sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True):
        body = r"\s+".join(re.escape(word) for word in term.split())
        if _LATIN.search(term):
            # Latin script: whole words (or word starts, for the subtopic stems)
            body = rf"(?<!\w){body}" + (r"(?!\w)" if whole_words else "")
        parts.append(f"(?:{body})")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _count(pattern: re.Pattern[str] | None, terms: tuple[str, ...], text: str) -> Counter[str]:
    """Occurrences per configured term (non-overlapping, case-insensitive)."""
    hits: Counter[str] = Counter()
    if pattern is None:
        return hits
    by_key = {_key(t): t for t in terms}
    for m in pattern.finditer(text):
        hits[by_key.get(_key(m.group()), m.group())] += 1
    return hits


def _key(term: str) -> str:
    return " ".join(term.casefold().split())


def _subtopics(
    title: str, text: str, lang: str, table: Mapping[str, Mapping[str, tuple[str, ...]]]
) -> tuple[str, ...]:
    counts: Counter[str] = Counter()
    for name, per_language in table.items():
        terms = _terms_for(per_language, lang)
        pattern = _pattern(terms, whole_words=False)
        in_title = _count(pattern, terms, title).total()
        in_text = _count(pattern, terms, text).total()
        if in_title or in_text >= 2:
            counts[name] = 2 * in_title + in_text
    return tuple(name for name, _ in counts.most_common())


# ── explaining ──────────────────────────────────────────────────────────────────────


def _score(keywords: int, context: int) -> float:
    """Grows with keyword occurrences (½ at 2, ~0.9 at 7); halved without context."""
    strength = 1 - math.exp(-keywords / 3)
    return round(strength * (1.0 if context else 0.5), 3)


def _found(hits: Counter[str]) -> str:
    return ", ".join(f"{term} ×{n}" for term, n in hits.most_common(_SHOWN))


def _list(terms: Iterable[str]) -> str:
    terms = list(terms)
    shown = ", ".join(terms[:_SHOWN])
    return shown + ("…" if len(terms) > _SHOWN else "") if terms else "(empty list)"
