"""The baseline's positions and the story's facts as data: `positions.yaml` → typed,
validated, versioned.

Editing `positions.yaml` retargets the differ, so the file is validated as strictly as
`sources.yaml`: ids P1, P2, … (unique, increasing, starting at P1), every cue a valid
regular expression, every language an ISO 639-1 code, every position with cues in at least
one language, and the ``story`` section naming a position that exists. Mistakes surface as
one ``ConfigError`` naming file, line and field (through ``load_yaml_model``).

The ``story`` section holds what the differ's framing knows about *this* story rather than
about a language: which position carries the troop claim, what counts as a troop count,
and per language the words for North Korea, for its personnel, the sources, the loaded
terms and the subtopics. ``lexicon_dir`` (optional) names a directory, relative to the
file, whose ``<lang>.yaml`` lexicon files add to or replace the packaged ones.

The version is a short hash of the *parsed* content, so re-indenting or re-commenting the
file keeps stored stances current, while changing any cue, claim or threshold marks them
as computed with an older baseline.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from contextvars import ContextVar
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from monitor.config import load_yaml_model

_ISO = re.compile(r"^[a-z]{2}$")
_ID = re.compile(r"^P([1-9][0-9]*)$")

# The ids of the positions being validated, set for the length of one validation of a
# whole file so that `story.troop_position` is checked where it stands (the error then
# names that field and its line, not the file's first line).
_VALIDATING_IDS: ContextVar[frozenset[str] | None] = ContextVar("_VALIDATING_IDS", default=None)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_regex(value: str, info: ValidationInfo) -> str:
    """A cue must compile; the message quotes the cue so the user can find it. Loaded
    with ``check_cues=False`` (see ``load_positions``) the compiling is left out."""
    if not value.strip():
        raise ValueError("a cue is empty")
    if not (info.context or {}).get("check_cues", True):
        return value
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"cue {value!r} is not a valid regular expression ({exc})") from exc
    return value


def check_regexes(values: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
    for v in values:
        check_regex(v, info)
    return values


# One cue, validated on its own so an error points at its own line of the file.
Cue = Annotated[str, AfterValidator(check_regex)]


def check_languages(value: dict[str, Any]) -> dict[str, Any]:
    for code in value:
        if not _ISO.match(code):
            raise ValueError(f"{code!r} is not an ISO 639-1 language code (two lower-case letters)")
    return value


def position_number(position_id: str) -> int:
    """3 for "P3"; a ``ValueError`` for anything not of the form P<n>."""
    m = _ID.match(position_id)
    if m is None:
        raise ValueError(
            f"a position id is P followed by a number (P1, P2, … P11), got {position_id!r}"
        )
    return int(m.group(1))


class Prototypes(_Model):
    """Sentences written for the semantic path: what an echo / a contest sounds like."""

    echo: tuple[str, ...] = Field((), description="sentences that echo the position")
    contest: tuple[str, ...] = Field((), description="sentences that contest the position")


class LanguageCues(_Model):
    """One position's cues in one language (regexes, case-insensitive)."""

    anchors: tuple[Cue, ...] = Field(min_length=1, description="topic phrases of the position")
    echo: tuple[Cue, ...] = Field((), description="phrases that echo the baseline's claim")
    contest: tuple[Cue, ...] = Field((), description="phrases that contest it")
    echo_strong: tuple[Cue, ...] = Field(
        (), description="echo cues that frame the whole sentence ('unconfirmed', 'denied'): "
        "they outweigh plain contest cues in the same sentence"
    )
    contest_strong: tuple[Cue, ...] = Field(
        (), description="contest cues that frame the whole sentence ('officially confirmed')"
    )
    neutral: tuple[Cue, ...] = Field(
        (), description="phrases that look like cues but say nothing for the position "
        "('denied knowledge', 'declined to comment'): they silence the cues inside them"
    )
    prototypes: Prototypes = Field(default_factory=Prototypes)  # type: ignore[arg-type]



class NumberRule(_Model):
    """How a figure at stake reads against the position (e.g. trade < $100M → echo)."""

    what: str = Field(description="what the figure is, for the evidence trail")
    unit: Literal["usd", "count"] = Field(description="usd (money) or count (people, shells…)")
    echo_below: float | None = Field(None, description="figures below this echo the position")
    contest_from: float | None = Field(None, description="figures at or above it contest it")
    vague_contest: bool = Field(
        False, description="vague large amounts ('billions', 'millions of shells') contest it"
    )
    at_most: float | None = Field(
        None,
        description="figures above this count something else (a whole army, a population), "
        "not the figure at stake: they neither echo nor contest",
    )
    near: dict[str, tuple[Cue, ...]] = Field(
        description="per language, regexes one of which must occur in the sentence"
    )
    window: int | None = Field(
        None,
        ge=1,
        description="if set, a `near` phrase must start within this many characters after "
        "the figure (or a third of that before it): '10,000 troops', not 'troops … 2024'",
    )

    @field_validator("near")
    @classmethod
    def _near(cls, v: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        check_languages(v)  # type: ignore[arg-type]
        return v

    @model_validator(mode="after")
    def _has_reading(self) -> NumberRule:
        if self.echo_below is None and self.contest_from is None and not self.vague_contest:
            raise ValueError("a number rule needs echo_below, contest_from or vague_contest")
        return self


class Position(_Model):
    """One of the baseline's positions."""

    id: str = Field(description="P1, P2, …: unique, increasing, starting at P1")
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="short kebab-case name")
    title: str = Field(min_length=1, description="one-line title")
    claim: str = Field(min_length=1, description="the baseline's claim, restated")
    languages: dict[str, LanguageCues] = Field(description="cues per ISO 639-1 language")
    numbers: tuple[NumberRule, ...] = Field((), description="figures at stake")

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        position_number(v)
        return v

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: dict[str, LanguageCues]) -> dict[str, LanguageCues]:
        check_languages(v)
        if not v:
            raise ValueError("needs cues in at least one language (e.g. en: {anchors: […]})")
        return v


# ── the story ───────────────────────────────────────────────────────────────────────


def _check_label_keys(v: dict[str, str], info: ValidationInfo) -> dict[str, str]:
    check_regexes(tuple(v), info)
    return v


LabelMap = Annotated[dict[str, str], AfterValidator(_check_label_keys)]


class StoryLanguage(_Model):
    """What the story's actors and themes are called in one language (regexes,
    case-insensitive, matched like cues): the framing reads these."""

    dprk: tuple[Cue, ...] = Field((), description="mentions of North Korea / its people")
    troop_terms: LabelMap = Field(
        default_factory=dict, description="regex → English label for what troops are called"
    )
    sources: LabelMap = Field(default_factory=dict, description="regex → canonical source")
    loaded_terms: LabelMap = Field(
        default_factory=dict, description="regex → English gloss of a loaded term"
    )
    subtopics: dict[str, tuple[Cue, ...]] = Field(
        default_factory=dict, description="subtopic → regexes"
    )


class TroopCount(_Model):
    """The range a stated count of personnel must fall in to be read as a troop count."""

    min: int = Field(100, ge=0, description="smaller counts are not troop counts")
    max: int = Field(300_000, ge=0, description="larger counts are not troop counts")

    @model_validator(mode="after")
    def _ordered(self) -> TroopCount:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        return self


class Story(_Model):
    """Facts about the story the framing reads, as opposed to facts about a language."""

    troop_position: str | None = Field(
        None,
        description="id of the position whose sentences carry the troop claim: how the "
        "piece holds it is its `epistemic` reading (none: the piece's stances at large)",
    )
    troop_count: TroopCount = Field(default_factory=TroopCount)  # type: ignore[arg-type]
    languages: dict[str, StoryLanguage] = Field(
        default_factory=dict, description="per ISO 639-1 language, the story's words"
    )

    @field_validator("troop_position")
    @classmethod
    def _known(cls, v: str | None) -> str | None:
        if v is None:
            return v
        position_number(v)
        ids = _VALIDATING_IDS.get()
        if ids is not None and v not in ids:
            raise ValueError(f"names no position of this file: {v!r} is not among {_listed(ids)}")
        return v

    @field_validator("languages")
    @classmethod
    def _iso(cls, v: dict[str, StoryLanguage]) -> dict[str, StoryLanguage]:
        return check_languages(v)


def _listed(ids: frozenset[str] | set[str]) -> str:
    """The ids in natural order (P2 before P10); malformed ones, reported elsewhere, last."""

    def order(pid: str) -> tuple[int, int, str]:
        m = _ID.match(pid)
        return (0, int(m.group(1)), "") if m else (1, 0, pid)

    return ", ".join(sorted(ids, key=order)) or "no ids"


class Positions(_Model):
    """The whole `positions.yaml`."""

    version_note: str = Field("", description="free text: what changed last")
    baseline: str = Field(description="the reference text the positions come from")
    lexicon_dir: str | None = Field(
        None,
        description="a directory, relative to this file, whose <lang>.yaml lexicon files "
        "add to or replace the packaged ones (a new language without editing the package)",
    )
    positions: tuple[Position, ...] = Field(
        min_length=1, description="P1, P2, …: unique ids, increasing, starting at P1"
    )
    story: Story = Field(default_factory=Story)  # type: ignore[arg-type]

    # where the file was read from (load_positions), for lexicon_dir
    _directory: Path | None = PrivateAttr(None)

    @model_validator(mode="wrap")
    @classmethod
    def _with_ids(cls, data: Any, handler: Callable[[Any], Positions]) -> Positions:
        ids = None
        if isinstance(data, dict) and isinstance(data.get("positions"), list | tuple):
            ids = frozenset(
                str(pid)
                for p in data["positions"]
                if (pid := p.get("id") if isinstance(p, dict) else getattr(p, "id", None))
                is not None
            )
        token = _VALIDATING_IDS.set(ids)
        try:
            return handler(data)
        finally:
            _VALIDATING_IDS.reset(token)

    @field_validator("positions")
    @classmethod
    def _ids(cls, v: tuple[Position, ...]) -> tuple[Position, ...]:
        seen: dict[str, int] = {}
        previous = 0
        for i, p in enumerate(v):
            if p.id in seen:
                raise ValueError(
                    f"id {p.id!r} appears twice (positions[{seen[p.id]}] and "
                    f"positions[{i}]); ids must be unique"
                )
            seen[p.id] = i
            number = position_number(p.id)
            if i == 0 and number != 1:
                raise ValueError(f"the first position must be P1, not {p.id}")
            if number <= previous:
                raise ValueError(
                    f"ids must increase: {p.id} (positions[{i}]) comes after "
                    f"{v[i - 1].id}"
                )
            previous = number
        return v

    @field_validator("lexicon_dir")
    @classmethod
    def _directory_exists(cls, v: str | None, info: ValidationInfo) -> str | None:
        base = (info.context or {}).get("directory")
        if v is not None and base is not None and not (Path(base) / v).is_dir():
            raise ValueError(f"{v!r} is not a directory (looked in {Path(base) / v})")
        return v

    @model_validator(mode="after")
    def _story_names_a_position(self, info: ValidationInfo) -> Positions:
        troops = self.story.troop_position
        ids = {p.id for p in self.positions}
        if troops is not None and troops not in ids:  # a Story built before the file
            raise ValueError(f"story.troop_position {troops!r} is not among {_listed(ids)}")
        base = (info.context or {}).get("directory")
        if base is not None:
            self._directory = Path(base)
        return self

    @cached_property
    def version(self) -> str:
        """Short stable hash of the content (not of its formatting)."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]

    def get(self, position_id: str) -> Position:
        for p in self.positions:
            if p.id == position_id:
                return p
        raise KeyError(position_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.positions)

    @property
    def languages(self) -> frozenset[str]:
        """Languages every position has cues for."""
        common = set(self.positions[0].languages)
        for p in self.positions[1:]:
            common &= set(p.languages)
        return frozenset(common)

    @property
    def lexicon_directory(self) -> Path | None:
        """``lexicon_dir`` resolved against the file's directory (the working directory
        for positions not read from a file); None when the file names none."""
        if self.lexicon_dir is None:
            return None
        return ((self._directory or Path.cwd()) / self.lexicon_dir).resolve()


def load_positions(path: str | Path, *, check_cues: bool = True) -> Positions:
    """Read and validate `positions.yaml`, and the lexicon files of its ``lexicon_dir``;
    any mistake is a ``ConfigError``.

    ``check_cues=False`` validates everything but whether each of the ~3000 cues compiles
    as a regular expression (0.4 s): for a caller that knows the content valid already —
    a store holding analysis of this very version was analysed with it (see
    ``runtime.open_analysis_pipeline``). The parsed positions and their version are the
    same either way."""
    path = Path(path)
    context = {"directory": path.parent, "check_cues": check_cues}
    positions = load_yaml_model(path, Positions, context=context)
    extra = positions.lexicon_directory
    if extra is not None:
        from monitor.differ.lexicon import check_lexicon_dir

        check_lexicon_dir(extra)
    return positions


def default_positions_path() -> Path:
    """`positions.yaml` at the repository root (beside `sources.yaml`)."""
    return Path(__file__).resolve().parents[2] / "positions.yaml"
