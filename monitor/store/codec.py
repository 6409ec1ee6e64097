"""Values in and out of the database: checks, hashing, JSON and row → model conversion.

Pure functions, so the rules (what counts as the same text, what a naive datetime means)
are stated once and tested without a database.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from monitor import visits
from monitor.errors import StoreError
from monitor.models import (
    CAMPS,
    STANCES,
    Camp,
    Correction,
    CrawlStatus,
    Epistemic,
    Evidence,
    Framing,
    Stance,
    StoredArticle,
    StoredStance,
)
from monitor.models import position_order as position_order  # P2 before P10 (re-exported)

_WHITESPACE = re.compile(r"\s+")
CHUNK = 500  # values per IN (...) list: well under every driver's parameter limit


def chunks(values: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def utc(value: datetime, name: str) -> datetime:
    """``value`` in UTC; a naive datetime is refused rather than guessed at."""
    if not isinstance(value, datetime):
        raise StoreError(f"{name} must be a datetime, got {type(value).__name__}", reason="value")
    if value.tzinfo is None or value.utcoffset() is None:
        raise StoreError(
            f"{name} must be timezone-aware, got naive {value.isoformat()}", reason="naive_datetime"
        )
    return value.astimezone(UTC)


def clean(value: str) -> str:
    """Text as both databases can hold it: no NUL bytes (PostgreSQL refuses them) and no
    lone surrogates (not encodable as UTF-8). Scraped text does contain both."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def content_hash(text: str) -> str:
    """sha256 of the text with Unicode and whitespace normalised, so a re-extraction that
    only re-flows paragraphs or changes NBSP to space is not a new version."""
    normal = _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def camp(value: str) -> Camp:
    if value not in CAMPS:
        raise StoreError(f"unknown camp {value!r} (one of {', '.join(CAMPS)})", reason="value")
    return value


def stance(value: str) -> Stance:
    if value not in STANCES:
        raise StoreError(f"unknown stance {value!r}", reason="value")
    return value


# An analyst's sure call: the score a corrected stance carries when the differ's own score
# points the other way (or is missing), so "strongest" and direction agree with the label.
_SURE_SCORE = {"echo": 1.0, "contest": -1.0, "mixed": 0.0, "absent": 0.0}


def confidence(value: float) -> float:
    """The differ's confidence, checked: a number in [0, 1]."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise StoreError(f"confidence must be a number, got {value!r}", reason="value") from None
    if math.isnan(number) or not 0.0 <= number <= 1.0:
        raise StoreError(f"confidence must lie in [0, 1], got {value!r}", reason="value")
    return number


def position_id(value: str) -> str:
    """A position id as the store keeps it (the CLI checks it against positions.yaml)."""
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 16:
        raise StoreError(f"not a position id: {value!r}", reason="value")
    return value.strip()


def evidence_from_json(data: Mapping[str, Any]) -> Evidence:
    return Evidence(
        sentence=str(data["sentence"]),
        stance=stance(str(data["stance"])),
        score=float(data["score"]),
        cues=tuple(str(c) for c in data.get("cues", ())),
        index=int(data.get("index", 0)),
    )


def framing_from_json(data: Mapping[str, Any]) -> Framing:
    count = data.get("troop_count")
    return Framing(
        troop_labels=tuple(str(x) for x in data.get("troop_labels", ())),
        troop_count=int(count) if count is not None else None,
        epistemic=cast(Epistemic | None, data.get("epistemic")),
        sources_cited=tuple(str(x) for x in data.get("sources_cited", ())),
        loaded_terms=tuple(str(x) for x in data.get("loaded_terms", ())),
        subtopics={str(k): int(v) for k, v in dict(data.get("subtopics", {})).items()},
    )


def article_from_row(row: Any) -> StoredArticle:
    return StoredArticle(
        id=row.id,
        url=row.url,
        source_id=row.source_id,
        camp=cast(Camp, row.camp),
        language=row.language,
        title=row.title,
        authors=tuple(row.authors or ()),
        published_at=row.published_at,
        text=row.text,
        content_hash=row.content_hash,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
    )


def stance_from_row(row: Any) -> StoredStance:
    return StoredStance(
        article_id=row.article_id,
        position_id=row.position_id,
        stance=stance(row.stance),
        score=float(row.score),
        evidence=tuple(evidence_from_json(e) for e in row.evidence or ()),
        positions_version=row.positions_version,
        confidence=float(row.confidence),
    )


def correction_from_row(row: Any) -> Correction:
    return Correction(
        article_id=row.article_id,
        position_id=row.position_id,
        stance=stance(row.stance),
        note=row.note,
        labelled_by=row.labelled_by,
        labelled_at=row.labelled_at,
    )


def corrected(differ: StoredStance | None, correction: Correction) -> StoredStance:
    """The stance readers see when an analyst has labelled the piece: the label wins.

    It is sure (confidence 1.0) and keeps what the differ said beside it. The differ's
    score is kept when it points the label's way (a mixed label accepts any), else the
    label's own direction is used; the evidence keeps only the sentences that support the
    label (none for absent). The positions version stays the differ's, or "" when the
    differ has not analysed that position yet.
    """
    label = correction.stance
    score = differ.score if differ is not None else 0.0
    agrees = (
        (label == "echo" and score > 0)
        or (label == "contest" and score < 0)
        or (label == "mixed" and differ is not None)
        or (label == "absent" and score == 0)
    )
    if label == "absent":
        evidence: tuple[Evidence, ...] = ()
    elif differ is None:
        evidence = ()
    elif label == "mixed":
        evidence = differ.evidence
    else:
        evidence = tuple(e for e in differ.evidence if e.stance == label)
    return StoredStance(
        article_id=correction.article_id,
        position_id=correction.position_id,
        stance=label,
        score=score if agrees else _SURE_SCORE[label],
        evidence=evidence,
        positions_version=differ.positions_version if differ is not None else "",
        confidence=1.0,
        correction=correction,
        differ_stance=differ.stance if differ is not None else None,
        differ_confidence=differ.confidence if differ is not None else None,
    )


def crawl_status_from_rows(
    source_id: str,
    recent: Sequence[Any],
    last_ok: datetime | None,
    analysis: Mapping[str, int] | None = None,
    analysis_error: tuple[str, datetime] | None = None,
) -> CrawlStatus:
    """One source's status: its recent runs, newest first, and the end of its latest good
    run. The last run's error shows even when the run worked otherwise (one endpoint of
    two failed, pages failed): a fault the operator cannot see is not fixed. ``analysis``:
    its pieces whose analysis failed over the same span, by reason, counted among the
    failures (``analysis:<reason>``); the newest of them (``analysis_error``: message,
    time) is the recent error when no visit's error is newer."""
    failed = {visits.ANALYSIS_FAILED + reason: n for reason, n in (analysis or {}).items()}
    if not recent:
        message, at = analysis_error or (None, None)
        return CrawlStatus(
            source_id=source_id,
            last_run=None,
            last_ok=last_ok,
            last_error=None,
            failures=failed,
            recent_error=message,
            recent_error_at=at,
        )
    last = recent[0]
    counts = [{str(k): int(v) for k, v in dict(r.counts or {}).items()} for r in recent]
    errored = next((r for r in recent if r.error or not r.ok), None)
    error = ((errored.error or "failed"), errored.started) if errored is not None else None
    if analysis_error is not None and (error is None or analysis_error[1] > error[1]):
        error = analysis_error
    return CrawlStatus(
        source_id=source_id,
        last_run=last.started,
        last_ok=last_ok,
        last_error=last.error or (None if last.ok else "failed"),
        counts=counts[0],
        visits=len(recent),
        failures={**visits.recent_failures(counts), **failed},
        failing_visits=visits.failing_streak(counts),
        endpoints_failing=visits.all_endpoints_failed(counts[0]),
        recent_error=error[0] if error is not None else None,
        recent_error_at=error[1] if error is not None else None,
    )
