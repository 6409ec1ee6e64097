"""The small, frozen records the stages hand to each other.

Data flows one way: discover → fetch → extract → relevance → store → differ → report.
Stages never import each other; they import this module (and ``errors``/``config``), so
every type that crosses a stage boundary lives here. Datetimes are always timezone-aware
and, once they reach the store, in UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Camp = Literal["ru", "cn", "west", "kr", "ua", "other"]
CAMPS: tuple[Camp, ...] = ("ru", "cn", "west", "kr", "ua", "other")
CAMP_NAMES: Mapping[str, str] = {
    "ru": "Russian",
    "cn": "Chinese",
    "west": "Western",
    "kr": "Korean",
    "ua": "Ukrainian",
    "other": "Other",
}

Stance = Literal["echo", "contest", "mixed", "absent"]
STANCES: tuple[Stance, ...] = ("echo", "contest", "mixed", "absent")

Epistemic = Literal["asserted", "attributed", "hedged"]


# ── discover ────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Link:
    """One candidate article found by a discovery endpoint (feed item, sitemap entry…)."""

    url: str
    source_id: str
    title: str | None = None
    published: datetime | None = None
    summary: str | None = None
    via: str = ""  # the endpoint URL it was found on
    # Aggregators (Google News) link to their own redirect pages: these name the outlet
    # that actually published the piece — its name, and its site (e.g. "https://www.reuters.com").
    publisher: str | None = None
    publisher_url: str | None = None


# ── fetch ───────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Response:
    """An HTTP response as the fetcher received it, already recorded to WARC."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int
    headers: Mapping[str, str]  # lower-cased names
    body: bytes
    fetched_at: datetime
    sha256: str  # of body
    warc_path: str | None = None
    warc_offset: int | None = None
    not_modified: bool = False  # a conditional GET answered 304 (body is empty)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = part.partition("=")
            if name.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


# ── extract ─────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ExtractedArticle:
    """The article as the extractor read it (the `monitor extract` JSON contract)."""

    url: str
    title: str | None
    authors: tuple[str, ...]
    published: datetime | None
    language: str | None
    text: str  # paragraphs separated by one blank line

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "authors": list(self.authors),
            "published": self.published.isoformat() if self.published else None,
            "language": self.language,
            "text": self.text,
        }


# ── relevance ───────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Relevance:
    """Whether a piece is about the story, and why (kept so a drop can be explained)."""

    relevant: bool
    score: float
    matched: tuple[str, ...] = ()  # the topic keywords that matched
    reason: str = ""


# ── differ ──────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Evidence:
    """One sentence that carries a position, with the direction it pulls in."""

    sentence: str
    stance: Stance  # of this sentence alone: echo / contest (never absent)
    score: float  # in [-1, 1]: + echoes the baseline, - contests it
    cues: tuple[str, ...] = ()  # the cue phrases / rules that fired
    index: int = 0  # sentence index in the piece

    def to_json(self) -> dict[str, Any]:
        return {
            "sentence": self.sentence,
            "stance": self.stance,
            "score": round(self.score, 3),
            "cues": list(self.cues),
            "index": self.index,
        }


WEAK_CONFIDENCE = 0.6  # below this a stance is shown as a weak call


@dataclass(frozen=True)
class PositionResult:
    position_id: str
    stance: Stance
    score: float  # in [-1, 1]
    evidence: tuple[Evidence, ...] = ()
    # How sure the differ is of ``stance`` (0..1): the probability its calibrated model
    # gives the chosen stance. The digest shows calls under WEAK_CONFIDENCE as weak.
    confidence: float = 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "stance": self.stance,
            "score": round(self.score, 3),
            "confidence": round(self.confidence, 3),
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass(frozen=True)
class Framing:
    """How a piece frames the story, independent of the baseline's positions."""

    troop_labels: tuple[str, ...] = ()  # what it calls the North Korean personnel
    troop_count: int | None = None  # the largest count it claims
    epistemic: Epistemic | None = None
    sources_cited: tuple[str, ...] = ()
    loaded_terms: tuple[str, ...] = ()
    subtopics: Mapping[str, int] = field(default_factory=dict)  # subtopic -> sentences
    troop_terms: tuple[str, ...] = ()  # the piece's own words behind troop_labels

    def to_json(self) -> dict[str, Any]:
        return {
            "troop_labels": list(self.troop_labels),
            "troop_count": self.troop_count,
            "epistemic": self.epistemic,
            "sources_cited": list(self.sources_cited),
            "loaded_terms": list(self.loaded_terms),
            "subtopics": dict(self.subtopics),
            "troop_terms": list(self.troop_terms),
        }


@dataclass(frozen=True)
class DiffResult:
    """A piece set against the baseline: one result per position, plus its framing."""

    positions: Mapping[str, PositionResult]  # "P1".."P10", all present
    framing: Framing
    language: str
    method: str  # "lexical" or "lexical+semantic"
    positions_version: str  # hash of positions.yaml the result was computed with

    def to_json(self) -> dict[str, Any]:
        return {
            "positions": {pid: r.to_json() for pid, r in self.positions.items()},
            "framing": self.framing.to_json(),
            "language": self.language,
            "method": self.method,
            "positions_version": self.positions_version,
        }


# ── store → report ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class StoredArticle:
    """An article as the store keeps it."""

    id: int
    url: str
    source_id: str
    camp: Camp
    language: str | None
    title: str | None
    authors: tuple[str, ...]
    published_at: datetime | None  # UTC
    text: str
    content_hash: str
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True)
class AnalysisFailure:
    """A stored piece the analysis failed on, for its source's status row."""

    article_id: int
    source_id: str
    reason: str  # as ``errors.failure_reason`` gives it: "bug:ValueError", "worker_died"…
    message: str  # names the piece


def position_order(position_id: str) -> tuple[int, str]:
    """Sort key of a position id in natural order: P2 before P10, P10 before P11."""
    digits = "".join(ch for ch in position_id if ch.isdigit())
    return (int(digits) if digits else 0, position_id)


@dataclass(frozen=True)
class Correction:
    """An analyst's label for one piece on one position. It is stored apart from the
    differ's results (re-analysis never touches it) and wins over the differ's stance
    wherever stances are read."""

    article_id: int
    position_id: str
    stance: Stance
    note: str | None
    labelled_by: str
    labelled_at: datetime  # UTC


@dataclass(frozen=True)
class StoredStance:
    """A piece's stance on one position as readers get it: the differ's call, or the
    analyst's correction when there is one (then ``correction`` is set, ``confidence`` is
    1.0 and ``differ_stance`` / ``differ_confidence`` keep what the differ had said)."""

    article_id: int
    position_id: str
    stance: Stance
    score: float
    evidence: tuple[Evidence, ...]
    positions_version: str
    confidence: float = 1.0  # 0..1; under WEAK_CONFIDENCE the call is weak
    correction: Correction | None = None
    differ_stance: Stance | None = None  # corrected only; None: the differ had no call yet
    differ_confidence: float | None = None

    @property
    def weak(self) -> bool:
        """A differ call it was unsure of (an analyst's correction is never weak)."""
        return self.correction is None and self.confidence < WEAK_CONFIDENCE


@dataclass(frozen=True)
class SourceInfo:
    """What the report needs to know of a source."""

    id: str
    name: str
    camp: Camp
    language: str


@dataclass(frozen=True)
class PositionInfo:
    """What the report needs to know of a baseline position."""

    id: str
    title: str
    claim: str


@dataclass(frozen=True)
class CrawlStatus:
    """One source's crawl health: its last visit, and what its recent visits add up to
    (the count keys are read by :mod:`monitor.visits`)."""

    source_id: str
    last_run: datetime | None
    last_ok: datetime | None
    last_error: str | None  # the last visit's error, also when the visit worked otherwise
    # "stored", "skipped:<reason>", "failed:<reason>"… of the last visit
    counts: Mapping[str, int] = field(default_factory=dict)
    visits: int = 0  # recent visits the two fields below cover
    failures: Mapping[str, int] = field(default_factory=dict)  # "page:timeout" → n
    failing_visits: int = 0  # consecutive failing visits, up to the last one
    endpoints_failing: bool = False  # every discovery endpoint failed on the last visit
    # the newest error among the recent visits, and when that visit started: a fault of
    # the night stays readable after a quiet morning visit
    recent_error: str | None = None
    recent_error_at: datetime | None = None


@dataclass(frozen=True)
class BalanceCount:
    """How one camp's pieces of one earlier week sat on one position (an analyst's label
    winning over the differ's call), for the digest's trends and "what moved"."""

    week: str  # "YYYY-Www"
    camp: str
    position_id: str
    echo: int = 0
    contest: int = 0
    mixed: int = 0


@dataclass(frozen=True)
class TroopClaim:
    """The troop counts one outlet's pieces of one week claimed (each piece's figure)."""

    week: str
    source_id: str
    pieces: int
    low: int
    high: int


@dataclass(frozen=True)
class DigestInput:
    """Everything the report stage needs for one week, gathered by the pipeline."""

    week: str  # "YYYY-Www"
    start: datetime  # UTC, Monday 00:00
    end: datetime  # UTC, next Monday 00:00
    articles: tuple[StoredArticle, ...]
    stances: Mapping[int, tuple[StoredStance, ...]]  # article id -> its stances
    framings: Mapping[int, Framing]  # article id -> framing
    sources: Mapping[str, SourceInfo]
    positions: tuple[PositionInfo, ...]
    crawl_status: tuple[CrawlStatus, ...] = ()
    previous_counts: Mapping[str, int] = field(default_factory=dict)  # camp -> articles last week
    generated_at: datetime | None = None
    method: str | None = None  # the differ's method ("lexical", "lexical+semantic") for the footer
    # earlier weeks (oldest first, this week excluded) for trends and "what moved"
    history_weeks: tuple[str, ...] = ()
    history: tuple[BalanceCount, ...] = ()
    troop_history: tuple[TroopClaim, ...] = ()
    # article id -> its story, with every piece that carried it (ungrouped pieces: absent)
    stories: Mapping[int, Story] = field(default_factory=dict)


# ── stories ─────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class StoryMember:
    """A stored piece's place in a story, with the fingerprint that put it there (kept so
    the story index can be rebuilt after a restart without reading any text)."""

    article_id: int
    story_id: int
    exact: str  # sha256 of the normalised words
    signature: bytes | None  # MinHash values (little-endian uint32); None: too short
    shingles: int  # distinct shingles in the text


@dataclass(frozen=True)
class StoryPiece:
    """One outlet's carrying of a story, as the digest lists it."""

    article_id: int
    source_id: str
    camp: Camp
    dated_at: datetime  # published, else first seen (UTC)
    title: str | None
    url: str


@dataclass(frozen=True)
class Story:
    """Pieces that carry one text (a wire story and its re-runs), earliest first: the
    first is the story's origin."""

    id: int
    pieces: tuple[StoryPiece, ...]

    @property
    def origin(self) -> StoryPiece:
        return self.pieces[0]
