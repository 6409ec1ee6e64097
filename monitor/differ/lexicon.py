"""The shared, position-independent lexicon: how each language is written and split, and
how it negates, denies, distances, hedges and attributes.

It ships with the package (``monitor/differ/lexicon/<lang>.yaml``) because it describes
languages, not the baseline or the story: retargeting the differ to another analysis edits
`positions.yaml` only (the story's own words live in its ``story`` section). A
`positions.yaml` may name a ``lexicon_dir`` whose ``<lang>.yaml`` files add languages or
replace packaged ones, so a language can be added from YAML alone. A language without a
file gets an empty lexicon (no negation, hedge or attribution handling; sentences split by
the default splitter) rather than an error — the differ then says less, never something
wrong.

Every pattern is compiled once with ``re.IGNORECASE`` and kept (patterns are shared by
every differ in a process).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from monitor.config import load_yaml_model
from monitor.differ.positions import Cue
from monitor.differ.segment import Splitter
from monitor.errors import ConfigError

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"

# Punctuation that ends a clause or turns a sentence in every language (fullwidth forms
# only occur in CJK text); the words that do it are each language's `clause_breaks` and
# `turns`.
CLAUSE_PUNCTUATION = r"[,;:()\"«»“”—–]|\s-\s|[，；：、]"
TURN_PUNCTUATION = r"[;:()—–]|[；：]"


class LanguageLexicon(BaseModel):
    """One language's traits and markers (regexes, case-insensitive; see en.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: str = Field(pattern=r"^[a-z]{2}$")
    unspaced: bool = Field(
        False, description="written without spaces between words (zh, ja): cues start anywhere"
    )
    agglutinative: bool = Field(
        False,
        description="markers are word parts (ko): they may end inside a word, and a "
        "negation after a cue reaches only a few characters",
    )
    sentence_splitter: Splitter = Field(
        "regex", description="regex (abbreviation-aware), razdel (ru-style) or cjk (。！？)"
    )
    clause_breaks: tuple[Cue, ...] = Field(
        (), description="words that open a new clause (but, однако, 但): negation stops there"
    )
    turns: tuple[Cue, ...] = Field(
        (), description="words that turn to a new claim (but, however): framing stops there"
    )
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
    reports: tuple[Cue, ...] = Field(
        (), description="introduce a reported claim ('reports that', 'сообщения о'): soften "
        "the claim's content cues after them, not a verdict on the report ('a fabrication')"
    )
    attribution: tuple[Cue, ...] = Field((), description="credit a statement to a source")


@lru_cache(maxsize=2048)
def compile_cue(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled case-insensitively, and kept: every differ shares it."""
    return re.compile(pattern, re.IGNORECASE)


def word_start(unspaced: bool) -> str:
    """Prefix that makes a cue start at a word boundary (none for unspaced scripts)."""
    return "" if unspaced else r"(?<!\w)"


def union(
    cues: tuple[str, ...] | list[str], unspaced: bool, *, whole_words: bool = False
) -> re.Pattern[str] | None:
    """One case-insensitive alternation of many cues (fast: one scan per sentence).

    Cues start at a word start and may end inside a word (stems); ``whole_words`` also
    makes them end at a word end — for short markers like "no" or "не", which must not
    fire inside "North" or "необходимо".
    """
    if not cues:
        return None
    ws = word_start(unspaced)
    we = r"(?!\w)" if whole_words and ws else ""
    # One look-behind in front of the whole alternation, not one per branch: the engine
    # then skips mid-word positions at once (several times faster on long texts).
    body = "|".join(f"(?:{c})" for c in cues)
    return compile_cue(f"{ws}(?:{body}){we}")


@dataclass(frozen=True)
class LabelSet:
    """Regexes each mapped to a label, as one pattern with a named group per item: one scan
    finds every hit and ``lastgroup`` says which item it was."""

    any: re.Pattern[str] | None
    names: tuple[str, ...]  # label of group g0, g1, …

    def labels(self, text: str) -> list[tuple[str, str]]:
        """(label, matched text) for every item found in ``text``, in text order."""
        if self.any is None:
            return []
        return [
            (self.names[int(m.lastgroup[1:])], m.group())
            for m in self.any.finditer(text)
            if m.lastgroup is not None
        ]


def grouped(cues: list[str], unspaced: bool) -> re.Pattern[str] | None:
    """One alternation whose branches are the named groups g0, g1, … in order."""
    if not cues:
        return None
    body = "|".join(f"(?P<g{i}>{c})" for i, c in enumerate(cues))
    return compile_cue(f"{word_start(unspaced)}(?:{body})")


def label_set(mapping: dict[str, str], unspaced: bool) -> LabelSet:
    return LabelSet(grouped(list(mapping), unspaced), tuple(mapping.values()))


@dataclass(frozen=True)
class CompiledLexicon:
    """A language's lexicon ready to match."""

    language: str
    unspaced: bool
    agglutinative: bool
    sentence_splitter: Splitter
    clause: re.Pattern[str]  # a clause break: punctuation or a clause_breaks word
    turn: re.Pattern[str]  # a turn: punctuation or a turns word
    negation: re.Pattern[str] | None
    negation_after: re.Pattern[str] | None
    denial: re.Pattern[str] | None
    denial_after: re.Pattern[str] | None
    distancing: re.Pattern[str] | None
    claim_markers: re.Pattern[str] | None
    hedges: re.Pattern[str] | None
    reports: re.Pattern[str] | None
    attribution: re.Pattern[str] | None


def _breaks(punctuation: str, words: tuple[str, ...], unspaced: bool) -> re.Pattern[str]:
    """Punctuation, or one of ``words`` as a whole word (anywhere, in unspaced scripts)."""
    if not words:
        return compile_cue(punctuation)
    ws = word_start(unspaced)
    we = r"(?!\w)" if ws else ""
    body = "|".join(f"(?:{w})" for w in words)
    return compile_cue(f"{punctuation}|{ws}(?:{body}){we}")


def compile_lexicon(lex: LanguageLexicon) -> CompiledLexicon:
    flat = lex.unspaced
    # short markers ("no", "не") must end at a word end, unless the language attaches
    # particles and endings to them
    whole = not lex.agglutinative
    return CompiledLexicon(
        language=lex.language,
        unspaced=lex.unspaced,
        agglutinative=lex.agglutinative,
        sentence_splitter=lex.sentence_splitter,
        clause=_breaks(CLAUSE_PUNCTUATION, lex.clause_breaks, flat),
        turn=_breaks(TURN_PUNCTUATION, lex.turns, flat),
        negation=union(lex.negation, flat, whole_words=whole),
        negation_after=union(lex.negation_after, flat),
        denial=union(lex.denial, flat, whole_words=whole),
        denial_after=union(lex.denial_after, flat),
        distancing=union(lex.distancing, flat, whole_words=whole),
        claim_markers=union(lex.claim_markers, flat, whole_words=whole),
        hedges=union(lex.hedges, flat, whole_words=whole),
        reports=union(lex.reports, flat, whole_words=whole),
        attribution=union(lex.attribution, flat, whole_words=whole),
    )


def load_lexicon_file(path: str | Path) -> LanguageLexicon:
    """Read and validate one lexicon file; its ``language`` must be its file name."""
    path = Path(path)
    lex = load_yaml_model(path, LanguageLexicon)
    if lex.language != path.stem:
        raise ConfigError(
            f"says language {lex.language!r} but is named {path.name}: a lexicon file is "
            f"named after its language ({lex.language}.yaml)",
            path=str(path),
            field="language",
        )
    return lex


def lexicon_files(extra: Path | None = None) -> dict[str, Path]:
    """Language → its lexicon file: the packaged ones, then ``extra``'s (which win)."""
    found = {p.stem: p for p in sorted(LEXICON_DIR.glob("*.yaml"))}
    if extra is not None:
        found.update({p.stem: p for p in sorted(Path(extra).glob("*.yaml"))})
    return dict(sorted(found.items()))


def check_lexicon_dir(directory: Path) -> None:
    """Validate every lexicon file of a ``lexicon_dir`` now (a ``ConfigError`` names the
    file, line and field), so a mistake shows at load, not at the first piece."""
    for path in sorted(Path(directory).glob("*.yaml")):
        load_lexicon_file(path)


@cache
def lexicon_for(language: str, extra: Path | None = None) -> CompiledLexicon:
    """The compiled lexicon of ``language`` (``extra``: a lexicon_dir whose files win over
    the packaged ones); empty when there is none for it."""
    path = lexicon_files(extra).get(language)
    if path is not None:
        return compile_lexicon(load_lexicon_file(path))
    return compile_lexicon(LanguageLexicon(language=language))


def available_languages(extra: Path | None = None) -> tuple[str, ...]:
    return tuple(lexicon_files(extra))
