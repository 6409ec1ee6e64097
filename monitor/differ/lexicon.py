"""The shared, position-independent lexicon: how each language negates, denies, distances,
hedges and attributes, and what it calls troops, sources and loaded things.

It ships with the package (``monitor/differ/lexicon/<lang>.yaml``) because it describes
languages, not the baseline: retargeting the differ to another analysis edits
`positions.yaml` only. A language without a file gets an empty lexicon (no negation
handling, no framing labels) rather than an error — the differ then says less, never
something wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from monitor.config import load_yaml_model
from monitor.differ.casekey import KeyedPattern, case_key, compile_keyed
from monitor.differ.positions import UNSPACED_LANGUAGES, Cue, check_regexes

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"


class LanguageLexicon(BaseModel):
    """One language's markers (regexes, case-insensitive; see the files' headers)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: str = Field(pattern=r"^[a-z]{2}$")
    negation: tuple[Cue, ...] = Field((), description="negate a cue that follows closely")
    negation_after: tuple[Cue, ...] = Field((), description="negate a cue just before them")
    denial: tuple[Cue, ...] = Field(
        (), description="deny an assertion that follows (flip contest cues, not echo verdicts)"
    )
    denial_after: tuple[Cue, ...] = Field((), description="deny an assertion just before them")
    distancing: tuple[Cue, ...] = Field(
        (), description="cast doubt on what follows in the sentence (allegedly, so-called)"
    )
    claim_markers: tuple[Cue, ...] = Field(
        (), description="report a claim as someone's accusation (claims, accuses): weaken it"
    )
    hedges: tuple[Cue, ...] = Field((), description="soften a statement (reportedly, may)")
    attribution: tuple[Cue, ...] = Field((), description="credit a statement to a source")
    dprk: tuple[Cue, ...] = Field((), description="mentions of North Korea / its people")
    troop_terms: dict[str, str] = Field(
        default_factory=dict, description="regex → English label for what troops are called"
    )
    sources: dict[str, str] = Field(default_factory=dict, description="regex → canonical source")
    loaded_terms: dict[str, str] = Field(
        default_factory=dict, description="regex → English gloss of a loaded term"
    )
    subtopics: dict[str, tuple[Cue, ...]] = Field(
        default_factory=dict, description="subtopic → regexes"
    )

    @field_validator("troop_terms", "sources", "loaded_terms")
    @classmethod
    def _keys(cls, v: dict[str, str]) -> dict[str, str]:
        check_regexes(tuple(v))
        return v



def word_start(language: str) -> str:
    """Prefix that makes a cue start at a word boundary (none for unspaced scripts)."""
    return "" if language in UNSPACED_LANGUAGES else r"(?<!\w)"


def union(
    cues: tuple[str, ...] | list[str], language: str, *, whole_words: bool = False
) -> KeyedPattern | None:
    """One case-insensitive alternation of many cues (fast: one scan per sentence).

    It is given the sentence and its :func:`~monitor.differ.casekey.case_key`, and runs
    lower-cased on the key, without the slower case-insensitive flag.
    Cues start at a word start and may end inside a word (stems); ``whole_words`` also
    makes them end at a word end — for short markers like "no" or "не", which must not
    fire inside "North" or "необходимо".
    """
    if not cues:
        return None
    ws = word_start(language)
    we = r"(?!\w)" if whole_words and ws else ""
    # One look-behind in front of the whole alternation, not one per branch: the engine
    # then skips mid-word positions at once (several times faster on long texts).
    body = "|".join(f"(?:{c})" for c in cues)
    return compile_keyed(f"{ws}(?:{body}){we}")


@dataclass(frozen=True)
class LabelSet:
    """Regexes each mapped to a label, as one pattern with a named group per item: one scan
    finds every hit and ``lastgroup`` says which item it was."""

    any: KeyedPattern | None
    names: tuple[str, ...]  # label of group g0, g1, …

    def labels(self, text: str, key: str | None = None) -> list[tuple[str, str]]:
        """(label, matched text) for every item found in ``text``, in text order.

        ``key`` is ``case_key(text)`` when the caller has it already; the matched text is
        cut from ``text`` itself, so it keeps its original case."""
        if self.any is None:
            return []
        return [
            (self.names[int(m.lastgroup[1:])], text[m.start() : m.end()])
            for m in self.any.finditer(text, case_key(text) if key is None else key)
            if m.lastgroup is not None
        ]


def grouped(cues: list[str], language: str) -> KeyedPattern | None:
    """One alternation whose branches are the named groups g0, g1, … in order (run like
    :func:`union`'s)."""
    if not cues:
        return None
    body = "|".join(f"(?P<g{i}>{c})" for i, c in enumerate(cues))
    return compile_keyed(f"{word_start(language)}(?:{body})")


def label_set(mapping: dict[str, str], language: str) -> LabelSet:
    return LabelSet(grouped(list(mapping), language), tuple(mapping.values()))


@dataclass(frozen=True)
class CompiledLexicon:
    """A language's lexicon ready to match (each pattern given a text and its case key)."""

    language: str
    negation: KeyedPattern | None
    negation_after: KeyedPattern | None
    denial: KeyedPattern | None
    denial_after: KeyedPattern | None
    distancing: KeyedPattern | None
    claim_markers: KeyedPattern | None
    hedges: KeyedPattern | None
    attribution: KeyedPattern | None
    dprk: KeyedPattern | None
    troop_terms: LabelSet
    sources: LabelSet
    loaded_terms: LabelSet
    subtopics: LabelSet  # the label is the subtopic


def compile_lexicon(lex: LanguageLexicon) -> CompiledLexicon:
    lang = lex.language
    subs = label_set(
        {"|".join(f"(?:{c})" for c in cues): name for name, cues in lex.subtopics.items() if cues},
        lang,
    )
    return CompiledLexicon(
        language=lang,
        negation=union(lex.negation, lang, whole_words=lang != "ko"),
        negation_after=union(lex.negation_after, lang),
        denial=union(lex.denial, lang, whole_words=lang != "ko"),
        denial_after=union(lex.denial_after, lang),
        distancing=union(lex.distancing, lang, whole_words=lang != "ko"),
        claim_markers=union(lex.claim_markers, lang, whole_words=lang != "ko"),
        hedges=union(lex.hedges, lang, whole_words=lang != "ko"),
        attribution=union(lex.attribution, lang, whole_words=lang != "ko"),
        dprk=union(lex.dprk, lang),
        troop_terms=label_set(lex.troop_terms, lang),
        sources=label_set(lex.sources, lang),
        loaded_terms=label_set(lex.loaded_terms, lang),
        subtopics=subs,
    )


def load_lexicon_file(path: str | Path) -> LanguageLexicon:
    return load_yaml_model(path, LanguageLexicon)


@cache
def lexicon_for(language: str, directory: Path = LEXICON_DIR) -> CompiledLexicon:
    """The compiled lexicon of ``language`` (empty when the package has none for it)."""
    path = directory / f"{language}.yaml"
    if path.exists():
        return compile_lexicon(load_lexicon_file(path))
    return compile_lexicon(LanguageLexicon(language=language))


def available_languages(directory: Path = LEXICON_DIR) -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in directory.glob("*.yaml")))
