"""How a piece frames the story, independent of the baseline: what it calls the North
Korean personnel, how many it says there are, how sure it is, whom it cites, which loaded
words it uses and which subtopics it spends sentences on.

The label scans run once over the whole piece (sentences joined by newlines) rather than
sentence by sentence: on a full-length article that is most of the framing's cost.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from monitor.differ.casekey import case_key
from monitor.differ.lexicon import CompiledLexicon
from monitor.differ.numbers import quantities
from monitor.differ.positions import UNSPACED_LANGUAGES
from monitor.models import Epistemic, Framing

MIN_TROOPS, MAX_TROOPS = 100, 300_000  # a count outside is not a troop count


def _near_dprk(sentence: str, lex: CompiledLexicon) -> list[tuple[str, str]]:
    """Text windows around each mention of North Korea (a troop word there is theirs),
    each with its case key."""
    if lex.dprk is None:
        return []
    span = 12 if lex.language in UNSPACED_LANGUAGES else 50
    key = case_key(sentence)
    windows = [
        (max(0, m.start() - span), m.end() + span) for m in lex.dprk.finditer(sentence, key)
    ]
    return [(sentence[a:b], key[a:b]) for a, b in windows]


def troop_labels(sentences: Sequence[str], lex: CompiledLexicon) -> tuple[list[str], list[str]]:
    """English labels and the original terms, in order of first use."""
    labels: dict[str, None] = {}
    terms: dict[str, None] = {}
    for s in sentences:
        for window, key in _near_dprk(s, lex):
            for label, term in lex.troop_terms.labels(window, key):
                labels.setdefault(label)
                terms.setdefault(term.lower())
    return list(labels), list(terms)


def troop_count(sentences: Sequence[str], lex: CompiledLexicon) -> int | None:
    """The largest count of North Korean personnel the piece states (not vague ones)."""
    best: int | None = None
    for s in sentences:
        windows = _near_dprk(s, lex)
        if not windows or not any(lex.troop_terms.labels(w, k) for w, k in windows):
            continue
        for q in quantities(s):
            if q.unit == "count" and not q.vague and MIN_TROOPS <= q.value <= MAX_TROOPS:
                if best is None or q.value > best:
                    best = int(q.value)
    return best


def epistemic(
    claim_sentences: Sequence[str], lex: CompiledLexicon, *, doubted: bool = False
) -> Epistemic | None:
    """How the main claim is held: hedged (the piece doubts or denies it), attributed (it
    credits the claim to a source), or asserted (it states it as fact).

    ``claim_sentences`` come in text order; the first is the lead. A modal "may" or
    "reportedly" alone does not make a claim hedged — wire copy uses them for claims it
    attributes; doubt means distancing ("allegedly", "so-called") or a doubting verdict.
    """
    if not claim_sentences:
        return None
    if doubted:
        return "hedged"
    for s in claim_sentences:
        if lex.distancing is not None and lex.distancing.search(s, case_key(s)):
            return "hedged"
    lead = claim_sentences[0]
    if lex.attribution is not None and lex.attribution.search(lead, case_key(lead)):
        return "attributed"
    return "asserted"


def subtopic_counts(
    sentences: Sequence[str], lex: CompiledLexicon, key: str | None = None
) -> dict[str, int]:
    """Subtopic → number of sentences that touch it (one scan of the whole piece; ``key``
    is the case key of the sentences joined by newlines, if known)."""
    text = "\n".join(sentences)
    key = case_key(text) if key is None else key
    starts = []
    offset = 0
    for s in sentences:
        starts.append(offset)
        offset += len(s) + 1
    seen: dict[str, set[int]] = {}
    subtopics = lex.subtopics.any
    for m in subtopics.finditer(text, key) if subtopics is not None else ():
        if m.lastgroup is not None:
            name = lex.subtopics.names[int(m.lastgroup[1:])]
            seen.setdefault(name, set()).add(bisect_right(starts, m.start()))
    return {name: len(ids) for name, ids in seen.items()}


def framing(
    sentences: Sequence[str],
    lex: CompiledLexicon,
    claim_sentences: Sequence[str],
    *,
    doubted: bool = False,
) -> Framing:
    labels, terms = troop_labels(sentences, lex)
    text = "\n".join(sentences)
    key = case_key(text)
    sources = dict.fromkeys(label for label, _ in lex.sources.labels(text, key))
    loaded = dict.fromkeys(label for label, _ in lex.loaded_terms.labels(text, key))
    return Framing(
        troop_labels=tuple(labels),
        troop_count=troop_count(sentences, lex),
        epistemic=epistemic(claim_sentences, lex, doubted=doubted),
        sources_cited=tuple(sources),
        loaded_terms=tuple(loaded),
        subtopics=subtopic_counts(sentences, lex, key),
        troop_terms=tuple(terms),
    )
