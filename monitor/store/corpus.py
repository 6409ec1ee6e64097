"""The stored pieces: upsert by canonical URL, and the ways the pipeline reads them.

Functions over an open connection; ``Store`` owns transactions and argument checks.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from monitor.models import StoredArticle
from monitor.store import codec, search
from monitor.store.engine import insert_for
from monitor.store.schema import articles, framings, stances

log = logging.getLogger(__name__)


def upsert(
    conn: Connection, canon: str, content: dict[str, Any], seen_at: datetime
) -> tuple[int, bool]:
    """Insert the piece, or update the row of the same canonical URL.

    ``content`` holds the extraction's columns (the newest extraction wins). first_seen
    keeps the earliest sighting and last_seen the latest, so replaying an old archive
    moves neither the wrong way. A changed text or title drops the piece's stances and
    framing: they described words that are no longer there.
    """
    published = content["published_at"]
    row = _key(conn, canon)
    if row is None:
        stmt = (
            insert_for(conn, articles)
            .values(
                canonical_url=canon,
                dated_at=published or seen_at,
                first_seen=seen_at,
                last_seen=seen_at,
                **content,
            )
            .on_conflict_do_nothing(index_elements=[articles.c.canonical_url])
            .returning(articles.c.id)
        )
        new_id = conn.execute(stmt).scalar_one_or_none()
        if new_id is not None:
            return int(new_id), True
        row = _key(conn, canon)  # another writer stored it between our two statements
        assert row is not None, canon
    first_seen = min(row.first_seen, seen_at)
    conn.execute(
        update(articles)
        .where(articles.c.id == row.id)
        .values(
            first_seen=first_seen,
            last_seen=max(row.last_seen, seen_at),
            dated_at=published or first_seen,
            **content,
        )
    )
    if row.content_hash != content["content_hash"] or row.title != content["title"]:
        conn.execute(delete(stances).where(stances.c.article_id == row.id))
        conn.execute(delete(framings).where(framings.c.article_id == row.id))
        conn.execute(
            update(articles).where(articles.c.id == row.id).values(analysis_version=None)
        )
        log.info("article %s changed: its stances will be computed again", row.id)
    return int(row.id), False


def upsert_many(
    conn: Connection, items: list[tuple[str, dict[str, Any], datetime]]
) -> list[tuple[int, bool]]:
    """``upsert`` for many pieces ``(canonical URL, content, seen_at)`` at once, in order.

    Every piece goes in with one multi-row INSERT that skips the URLs already stored;
    what it returns are the new ones (usually all of them). A piece already stored (or
    twice in ``items``) then takes ``upsert``'s own path, so the outcome is the same as
    calling ``upsert`` once per item, without first asking which URLs are known.
    """
    rows: dict[str, dict[str, Any]] = {}
    for canon, content, seen_at in items:
        if canon not in rows:
            published = content["published_at"]
            rows[canon] = {
                "canonical_url": canon,
                "dated_at": published or seen_at,
                "first_seen": seen_at,
                "last_seen": seen_at,
                **content,
            }
    stmt = (
        insert_for(conn, articles)
        .on_conflict_do_nothing(index_elements=[articles.c.canonical_url])
        .returning(articles.c.id, articles.c.canonical_url)
    )
    inserted = {row.canonical_url: int(row.id) for row in conn.execute(stmt, list(rows.values()))}
    out: list[tuple[int, bool]] = []
    for canon, content, seen_at in items:
        new_id = inserted.pop(canon, None)
        out.append((new_id, True) if new_id is not None else upsert(conn, canon, content, seen_at))
    return out


def _key(conn: Connection, canon: str) -> Any:
    return conn.execute(
        select(
            articles.c.id,
            articles.c.content_hash,
            articles.c.title,
            articles.c.first_seen,
            articles.c.last_seen,
        )
        .where(articles.c.canonical_url == canon)
        .with_for_update()  # PostgreSQL: two daemons updating one piece take turns
    ).first()


def by_id(conn: Connection, article_id: int) -> StoredArticle | None:
    row = conn.execute(select(articles).where(articles.c.id == article_id)).first()
    return codec.article_from_row(row) if row else None


def by_canonical_url(conn: Connection, canon: str) -> StoredArticle | None:
    row = conn.execute(select(articles).where(articles.c.canonical_url == canon)).first()
    return codec.article_from_row(row) if row else None


def dated_between(conn: Connection, start: datetime, end: datetime) -> list[StoredArticle]:
    rows = conn.execute(
        select(articles)
        .where(articles.c.dated_at >= start, articles.c.dated_at < end)
        .order_by(articles.c.dated_at, articles.c.id)
    ).all()
    return [codec.article_from_row(r) for r in rows]


def page(
    conn: Connection,
    after_id: int,
    limit: int,
    needing_version: str | None,
    shard: tuple[int, int] | None = None,
) -> list[StoredArticle]:
    """The next ``limit`` pieces with id above ``after_id`` (keyset pagination)."""
    query = select(articles).where(articles.c.id > after_id)
    if shard is not None:
        query = query.where(articles.c.id % shard[1] == shard[0])
    if needing_version is not None:
        query = query.where(not_analysed_with(needing_version))
    rows = conn.execute(query.order_by(articles.c.id).limit(limit)).all()
    return [codec.article_from_row(r) for r in rows]


def not_analysed_with(version: str) -> ColumnElement[bool]:
    """Pieces without stances of ``version``: none at all, or another version's. Written
    as two ranges around the version, not ``<>``, so the index on the column serves it."""
    column = articles.c.analysis_version
    return or_(column.is_(None), column < version, column > version)


def analysis_pending(conn: Connection, version: str) -> bool:
    """Whether any piece waits for analysis of ``version``: the two ends of the column's
    index, two single-row reads. Every piece is current exactly when both ends are
    ``version``; a NULL (a piece never analysed) sorts to one of the two ends in either
    database (first in SQLite, last in PostgreSQL). Read as ends of an ordered index, not
    as a search for other values, so no planner — PostgreSQL's without statistics on a
    freshly loaded table included — can make it a scan of every piece."""
    column = articles.c.analysis_version
    ends = [
        conn.execute(select(column).order_by(order).limit(1)).first()
        for order in (column.asc(), column.desc())
    ]
    if ends[0] is None:
        return False  # no pieces at all
    return any(row.analysis_version != version for row in ends)


def analysed_with(conn: Connection, version: str) -> bool:
    """Whether any piece was analysed with ``version``: an index lookup."""
    query = select(articles.c.id).where(articles.c.analysis_version == version).limit(1)
    return conn.execute(query).first() is not None


def find(conn: Connection, terms: list[str], limit: int, *, fts: bool) -> list[StoredArticle]:
    if conn.dialect.name == "postgresql":
        stmt = search.postgres_search(terms, limit)
    else:
        stmt = search.sqlite_search(terms, limit, fts=fts)
    return [codec.article_from_row(r) for r in conn.execute(stmt).all()]


def has_fts(conn: Connection) -> bool:
    """Whether the migration could create the SQLite FTS5 index (see 0001_initial)."""
    if conn.dialect.name != "sqlite":
        return False
    found = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'articles_fts'")
    return found.first() is not None
