"""How a piece frames the story, independent of the baseline: what it calls the North
Korean personnel, how many it says there are, how sure it is, whom it cites, which loaded
words it uses and which subtopics it spends sentences on.

What the story's actors and themes are called is the ``story`` section of
`positions.yaml` (:class:`~monitor.differ.positions.Story`), compiled per language into a
:class:`CompiledStory`; how sure a piece is comes from the language's lexicon.

The label scans run once over the whole piece (sentences joined by newlines) rather than
sentence by sentence: on a full-length article that is most of the framing's cost.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.differ.lexicon import CompiledLexicon, LabelSet, label_set, union
from monitor.differ.numbers import quantities
from monitor.differ.positions import Story, StoryLanguage
from monitor.models import Epistemic, Framing


@dataclass(frozen=True)
class CompiledStory:
    """The story's words in one language, ready to match."""

    unspaced: bool
    dprk: re.Pattern[str] | None
    troop_terms: LabelSet
    sources: LabelSet
    loaded_terms: LabelSet
    subtopics: LabelSet  # the label is the subtopic
    troop_min: int  # a count outside [troop_min, troop_max] is not a troop count
    troop_max: int


def compile_story(story: Story, language: str, unspaced: bool) -> CompiledStory:
    words = story.languages.get(language) or StoryLanguage()
    subs = label_set(
        {
            "|".join(f"(?:{c})" for c in cues): name
            for name, cues in words.subtopics.items()
            if cues
        },
        unspaced,
    )
    return CompiledStory(
        unspaced=unspaced,
        dprk=union(words.dprk, unspaced),
        troop_terms=label_set(words.troop_terms, unspaced),
        sources=label_set(words.sources, unspaced),
        loaded_terms=label_set(words.loaded_terms, unspaced),
        subtopics=subs,
        troop_min=story.troop_count.min,
        troop_max=story.troop_count.max,
    )


def _near_dprk(sentence: str, story: CompiledStory) -> list[str]:
    """Text windows around each mention of North Korea (a troop word there is theirs)."""
    if story.dprk is None:
        return []
    span = 12 if story.unspaced else 50
    return [
        sentence[max(0, m.start() - span) : m.end() + span]
        for m in story.dprk.finditer(sentence)
    ]


def troop_mentions(sentences: Sequence[str], story: CompiledStory) -> list[list[tuple[str, str]]]:
    """Per sentence, the (label, term) of each troop word near a mention of North Korea."""
    return [
        [hit for window in _near_dprk(s, story) for hit in story.troop_terms.labels(window)]
        for s in sentences
    ]


def troop_labels(
    sentences: Sequence[str],
    story: CompiledStory,
    mentions: list[list[tuple[str, str]]] | None = None,
) -> tuple[list[str], list[str]]:
    """English labels and the original terms, in order of first use (``mentions``: the
    sentences' :func:`troop_mentions`, if known)."""
    labels: dict[str, None] = {}
    terms: dict[str, None] = {}
    for hits in troop_mentions(sentences, story) if mentions is None else mentions:
        for label, term in hits:
            labels.setdefault(label)
            terms.setdefault(term.lower())
    return list(labels), list(terms)


def troop_count(
    sentences: Sequence[str],
    story: CompiledStory,
    mentions: list[list[tuple[str, str]]] | None = None,
) -> int | None:
    """The largest count of North Korean personnel the piece states (not vague ones), in
    the sentences that call North Korean personnel something."""
    mentions = troop_mentions(sentences, story) if mentions is None else mentions
    best: int | None = None
    for s, hits in zip(sentences, mentions, strict=True):
        if not hits:
            continue
        for q in quantities(s):
            if q.unit == "count" and not q.vague and story.troop_min <= q.value <= story.troop_max:
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
        if lex.distancing is not None and lex.distancing.search(s):
            return "hedged"
    lead = claim_sentences[0]
    if lex.attribution is not None and lex.attribution.search(lead):
        return "attributed"
    return "asserted"


def subtopic_counts(
    sentences: Sequence[str], story: CompiledStory, text: str | None = None
) -> dict[str, int]:
    """Subtopic → number of sentences that touch it (one scan of the whole piece; ``text``
    is the sentences joined by newlines, if known)."""
    text = "\n".join(sentences) if text is None else text
    starts = []
    offset = 0
    for s in sentences:
        starts.append(offset)
        offset += len(s) + 1
    seen: dict[str, set[int]] = {}
    subtopics = story.subtopics.any
    for m in subtopics.finditer(text) if subtopics is not None else ():
        if m.lastgroup is not None:
            name = story.subtopics.names[int(m.lastgroup[1:])]
            seen.setdefault(name, set()).add(bisect_right(starts, m.start()))
    return {name: len(ids) for name, ids in seen.items()}


def framing(
    sentences: Sequence[str],
    lex: CompiledLexicon,
    story: CompiledStory,
    claim_sentences: Sequence[str],
    *,
    doubted: bool = False,
) -> Framing:
    mentions = troop_mentions(sentences, story)
    labels, terms = troop_labels(sentences, story, mentions)
    text = "\n".join(sentences)
    sources = dict.fromkeys(label for label, _ in story.sources.labels(text))
    loaded = dict.fromkeys(label for label, _ in story.loaded_terms.labels(text))
    return Framing(
        troop_labels=tuple(labels),
        troop_count=troop_count(sentences, story, mentions),
        epistemic=epistemic(claim_sentences, lex, doubted=doubted),
        sources_cited=tuple(sources),
        loaded_terms=tuple(loaded),
        subtopics=subtopic_counts(sentences, story, text),
        troop_terms=tuple(terms),
    )
