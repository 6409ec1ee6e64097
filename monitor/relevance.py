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
Moscow, Kremlin, Putin…``.

The filter runs on every fetched page, so it scans the text once: keywords and context
terms share one compiled pattern. (What a piece is about beyond that — treaty, troops,
arms… — is the differ's framing, read from ``positions.yaml``; nothing here tags it.)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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
    keyword_hits, context_hits = _scan(keywords, context, f"{title or ''}\n{text}")
    n_keywords = keyword_hits.total()
    matched = tuple(term for term, _ in keyword_hits.most_common())
    label = keywords[0] if keywords else "the story"

    if not n_keywords:
        reason = f"no topic keyword: does not mention {label} (none of {_list(keywords)})"
        return Relevance(False, 0.0, (), reason)
    found = _found(keyword_hits)
    if not context_hits and context:
        reason = f"no context term: mentions {label} ({found}) but none of {_list(context)}"
        return Relevance(False, _score(n_keywords, 0), matched, reason)
    if n_keywords < topic.min_matches:
        reason = (
            f"too few keyword occurrences: {n_keywords} of the {topic.min_matches} needed ({found})"
        )
        return Relevance(False, _score(n_keywords, context_hits.total()), matched, reason)
    side = _found(context_hits) if context_hits else "no context list"
    reason = f"mentions {label} {n_keywords}× ({found}) and its context ({side})"
    return Relevance(True, _score(n_keywords, context_hits.total()), matched, reason)


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


@dataclass(frozen=True)
class _Matcher:
    """One compiled scan for a keyword list and a context list together, and the lookup
    from a match (case- and space-folded) back to the configured terms it counts for."""

    pattern: re.Pattern[str] | None
    keyword_of: Mapping[str, str]
    context_of: Mapping[str, str]
    keyword_only: re.Pattern[str] | None  # for a match whose folded form is not a key
    context_only: re.Pattern[str] | None


@lru_cache(maxsize=256)
def _matcher(keywords: tuple[str, ...], context: tuple[str, ...]) -> _Matcher:
    """Both lists in one alternation, longest terms first so "North Koreans" wins over
    "North Korean". The Latin terms share one group behind a single look-behind: written
    on every alternative instead, the engine tests it at every position once per term,
    which made the scan several times slower."""
    return _Matcher(
        _alternation(keywords + context),
        {_key(t): t for t in keywords if t.strip()},
        {_key(t): t for t in context if t.strip()},
        _alternation(keywords),
        _alternation(context),
    )


def _alternation(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    latin, other = [], []
    for term in sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True):
        body = r"\s+".join(re.escape(word) for word in term.split())
        (latin if _LATIN.search(term) else other).append(body)
    parts = [r"(?<!\w)(?:" + "|".join(latin) + r")(?!\w)"] if latin else []
    parts.extend(other)
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _scan(
    keywords: tuple[str, ...], context: tuple[str, ...], text: str
) -> tuple[Counter[str], Counter[str]]:
    """Occurrences per keyword and per context term, in one pass over ``text``
    (non-overlapping, case-insensitive; a term on both lists counts for both)."""
    matcher = _matcher(keywords, context)
    keyword_hits: Counter[str] = Counter()
    context_hits: Counter[str] = Counter()
    if matcher.pattern is None:
        return keyword_hits, context_hits
    for found in matcher.pattern.findall(text):
        key = _key(found)
        keyword = matcher.keyword_of.get(key)
        term = matcher.context_of.get(key)
        if keyword is None and term is None:
            # folds differently from its term (e.g. "ſ" for "s"): ask each list's pattern
            if matcher.keyword_only is not None and matcher.keyword_only.fullmatch(found):
                keyword = found
            if matcher.context_only is not None and matcher.context_only.fullmatch(found):
                term = found
        if keyword is not None:
            keyword_hits[keyword] += 1
        if term is not None:
            context_hits[term] += 1
    return keyword_hits, context_hits


def _key(term: str) -> str:
    return " ".join(term.casefold().split())


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
