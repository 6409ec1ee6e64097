"""What the crawler remembers between runs: sources, captures, links, crawl runs, and
the pieces whose analysis failed (which `monitor status` shows beside the runs).

Functions over an open connection; ``Store`` owns the transactions and the checking of
arguments. Each write is an upsert keyed by what identifies the thing, so replaying the
same crawl adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select

from monitor import visits
from monitor.models import CrawlStatus, SourceInfo
from monitor.store import codec
from monitor.store.engine import insert_for
from monitor.store.schema import (
    analysis_failures,
    articles,
    captures,
    crawl_runs,
    links,
    sources,
)

#: "refused": robots.txt, the SSRF guard or the content type said no; asking again
#: would get the same answer, so the link is settled like a stored one
LINK_OUTCOMES = frozenset({"stored", "irrelevant", "failed", "no_text", "refused"})
MAX_FAILED_ATTEMPTS = 3  # a link that failed this often is not fetched again
CAPTURE_KEY = ("url", "sha256", "warc_path", "warc_offset")


def upsert_sources(conn: Connection, rows: list[dict[str, str]]) -> None:
    stmt = insert_for(conn, sources)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[sources.c.id],
            set_={c: stmt.excluded[c] for c in ("name", "camp", "language")},
        ),
        rows,
    )


def read_sources(conn: Connection) -> dict[str, SourceInfo]:
    rows = conn.execute(select(sources).order_by(sources.c.id)).all()
    return {r.id: SourceInfo(r.id, r.name, codec.camp(r.camp), r.language) for r in rows}


def add_capture(conn: Connection, values: Mapping[str, Any]) -> int:
    """Insert the capture unless that record is already there; its id either way."""
    stmt = insert_for(conn, captures).values(dict(values)).on_conflict_do_nothing()
    new_id = conn.execute(stmt.returning(captures.c.id)).scalar_one_or_none()
    if new_id is not None:
        return int(new_id)
    # NULL warc_path/offset must match NULL: IS NOT DISTINCT FROM, not =
    same = [captures.c[k].is_not_distinct_from(values[k]) for k in CAPTURE_KEY]
    return int(conn.execute(select(captures.c.id).where(*same)).scalar_one())


def forget_captures(conn: Connection, file_name: str) -> int:
    """Delete the captures recorded in the WARC file called ``file_name``, wherever the
    recorder's directory was when it was written (articles.capture_id is SET NULL)."""
    escaped = file_name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    stmt = delete(captures).where(
        (captures.c.warc_path == file_name)
        | captures.c.warc_path.like(f"%/{escaped}", escape="\\")
    )
    return int(conn.execute(stmt).rowcount)


def validators(conn: Connection, url: str) -> tuple[str | None, str | None]:
    row = conn.execute(
        select(captures.c.etag, captures.c.last_modified)
        .where(captures.c.url == url, captures.c.status == 200)
        .order_by(captures.c.fetched_at.desc(), captures.c.id.desc())
        .limit(1)
    ).first()
    return (row.etag, row.last_modified) if row else (None, None)


def settled(conn: Connection, canonical_urls: list[str]) -> set[str]:
    """Those of ``canonical_urls`` stored as articles or settled in ``links``."""
    done = (links.c.outcome != "failed") | (links.c.attempts >= MAX_FAILED_ATTEMPTS)
    found = set(
        conn.execute(select(links.c.url).where(links.c.url.in_(canonical_urls), done)).scalars()
    )
    found.update(
        conn.execute(
            select(articles.c.canonical_url).where(articles.c.canonical_url.in_(canonical_urls))
        ).scalars()
    )
    return found


def mark_link(conn: Connection, values: Mapping[str, Any]) -> None:
    """Record a link's latest outcome; ``attempts`` counts its failures."""
    stmt = insert_for(conn, links).values(dict(values))
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[links.c.url],
            set_={
                "source_id": stmt.excluded.source_id,
                "outcome": stmt.excluded.outcome,
                "reason": stmt.excluded.reason,
                "attempts": links.c.attempts + stmt.excluded.attempts,
                "last_seen": stmt.excluded.last_seen,
            },
        )
    )


def record_crawl(conn: Connection, values: Mapping[str, Any]) -> None:
    conn.execute(crawl_runs.insert().values(dict(values)))


def crawl_status(conn: Connection, recent: int = visits.RECENT_VISITS) -> list[CrawlStatus]:
    """One row per source (known, or seen in a run), by id, from its ``recent`` runs.

    Two index seeks per source — its newest ``recent`` runs, its newest good run's end —
    rather than a window over every run: a year of runs every two hours costs the same as
    a day's. The distinct sources of ``crawl_runs`` come from the leading column of its
    index."""
    known = set(conn.execute(select(sources.c.id)).scalars())
    known |= set(conn.execute(select(crawl_runs.c.source_id).distinct()).scalars())
    rows = []
    for sid in sorted(known):
        runs = conn.execute(
            select(crawl_runs)
            .where(crawl_runs.c.source_id == sid)
            .order_by(crawl_runs.c.started.desc(), crawl_runs.c.id.desc())
            .limit(recent)
        ).all()
        last_ok = conn.execute(
            select(crawl_runs.c.finished)
            .where(crawl_runs.c.source_id == sid, crawl_runs.c.ok.is_(True))
            .order_by(crawl_runs.c.finished.desc())
            .limit(1)
        ).scalar_one_or_none()
        # failed analyses over the same span as the runs' failures (all, if fewer runs)
        since = runs[-1].started if len(runs) == recent else None
        rows.append(codec.crawl_status_from_rows(sid, runs, last_ok, *_failed(conn, sid, since)))
    return rows


def record_analysis_failures(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Each piece's latest failed analysis (a piece failing again moves its row on)."""
    stmt = insert_for(conn, analysis_failures)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[analysis_failures.c.article_id],
            set_={c: stmt.excluded[c] for c in ("source_id", "reason", "message", "failed_at")},
        ),
        rows,
    )


def _failed(
    conn: Connection, source_id: str, since: datetime | None
) -> tuple[dict[str, int], tuple[str, datetime] | None]:
    """A source's pieces whose analysis failed since ``since``: how many by reason, and
    the newest failure's message and time."""
    where = [analysis_failures.c.source_id == source_id]
    if since is not None:
        where.append(analysis_failures.c.failed_at >= since)
    by_reason = conn.execute(
        select(analysis_failures.c.reason, func.count())
        .where(*where)
        .group_by(analysis_failures.c.reason)
    ).all()
    if not by_reason:
        return {}, None
    newest = conn.execute(
        select(analysis_failures.c.message, analysis_failures.c.failed_at)
        .where(*where)
        .order_by(analysis_failures.c.failed_at.desc())
        .limit(1)
    ).one()
    return {reason: int(n) for reason, n in by_reason}, (newest.message, newest.failed_at)
