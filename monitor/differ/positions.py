"""The baseline's positions as data: `positions.yaml` → typed, validated, versioned.

Editing `positions.yaml` retargets the differ, so the file is validated as strictly as
`sources.yaml`: ids exactly P1..P10 in order, every cue a valid regular expression, every
language an ISO 639-1 code, and en / ru / zh present for every position. Mistakes surface
as one ``ConfigError`` naming file, line and field (through ``load_yaml_model``).

The version is a short hash of the *parsed* content, so re-indenting or re-commenting the
file keeps stored stances current, while changing any cue, claim or threshold marks them
as computed with an older baseline.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from monitor.config import load_yaml_model

POSITION_IDS: tuple[str, ...] = tuple(f"P{i}" for i in range(1, 11))
REQUIRED_LANGUAGES: tuple[str, ...] = ("en", "ru", "zh")
# Languages written without spaces between words: a cue may start anywhere in the text.
UNSPACED_LANGUAGES: frozenset[str] = frozenset({"zh", "ja"})
_ISO = re.compile(r"^[a-z]{2}$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_regex(value: str) -> str:
    """A cue must compile; the message quotes the cue so the user can find it."""
    if not value.strip():
        raise ValueError("a cue is empty")
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"cue {value!r} is not a valid regular expression ({exc})") from exc
    return value


def check_regexes(values: tuple[str, ...]) -> tuple[str, ...]:
    for v in values:
        check_regex(v)
    return values


# One cue, validated on its own so an error points at its own line of the file.
Cue = Annotated[str, AfterValidator(check_regex)]


def check_languages(value: dict[str, object]) -> dict[str, object]:
    for code in value:
        if not _ISO.match(code):
            raise ValueError(f"{code!r} is not an ISO 639-1 language code (two lower-case letters)")
    return value


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
    """One of the baseline's ten positions."""

    id: str = Field(description="P1..P10")
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="short kebab-case name")
    title: str = Field(min_length=1, description="one-line title")
    claim: str = Field(min_length=1, description="the baseline's claim, restated")
    languages: dict[str, LanguageCues] = Field(description="cues per ISO 639-1 language")
    numbers: tuple[NumberRule, ...] = Field((), description="figures at stake")

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: dict[str, LanguageCues]) -> dict[str, LanguageCues]:
        check_languages(v)  # type: ignore[arg-type]
        missing = [lang for lang in REQUIRED_LANGUAGES if lang not in v]
        if missing:
            raise ValueError(f"needs cues for {', '.join(missing)} (en, ru and zh are required)")
        return v


class Positions(_Model):
    """The whole `positions.yaml`."""

    version_note: str = Field("", description="free text: what changed last")
    baseline: str = Field(description="the reference text the positions come from")
    positions: tuple[Position, ...] = Field(description="exactly P1..P10, in order")

    @field_validator("positions")
    @classmethod
    def _ids(cls, v: tuple[Position, ...]) -> tuple[Position, ...]:
        ids = tuple(p.id for p in v)
        if ids != POSITION_IDS:
            raise ValueError(
                f"ids must be exactly P1..P10 in order, got {', '.join(ids) or 'none'}"
            )
        return v

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
    def languages(self) -> frozenset[str]:
        """Languages every position has cues for."""
        common = set(self.positions[0].languages)
        for p in self.positions[1:]:
            common &= set(p.languages)
        return frozenset(common)


def load_positions(path: str | Path) -> Positions:
    """Read and validate `positions.yaml`; any mistake is a ``ConfigError``."""
    return load_yaml_model(path, Positions)


def default_positions_path() -> Path:
    """`positions.yaml` at the repository root (beside `sources.yaml`)."""
    return Path(__file__).resolve().parents[2] / "positions.yaml"
