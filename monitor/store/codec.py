"""Values in and out of the database: checks, hashing, JSON and row → model conversion.

Pure functions, so the rules (what counts as the same text, what a naive datetime means)
are stated once and tested without a database.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from monitor.errors import StoreError
from monitor.models import (
    CAMPS,
    STANCES,
    Camp,
    CrawlStatus,
    Epistemic,
    Evidence,
    Framing,
    Stance,
    StoredArticle,
    StoredStance,
)

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


def position_order(position_id: str) -> tuple[int, str]:
    """P2 before P10."""
    digits = "".join(ch for ch in position_id if ch.isdigit())
    return (int(digits) if digits else 0, position_id)


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
    )


def crawl_status_from_rows(
    source_id: str, last: Any | None, last_ok: datetime | None
) -> CrawlStatus:
    """One source's status: its latest run (``last``) and the end of its latest good run."""
    if last is None:
        return CrawlStatus(source_id=source_id, last_run=None, last_ok=last_ok, last_error=None)
    return CrawlStatus(
        source_id=source_id,
        last_run=last.started,
        last_ok=last_ok,
        last_error=None if last.ok else (last.error or "failed"),
        counts={str(k): int(v) for k, v in dict(last.counts or {}).items()},
    )
