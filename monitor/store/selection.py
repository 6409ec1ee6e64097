"""Pieces picked by date, camp and outlet, read in keyset pages (``monitor export``).

Functions over an open connection; ``Store`` owns transactions and argument checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from monitor.models import StoredArticle
from monitor.store import codec
from monitor.store.schema import articles


@dataclass(frozen=True)
class Selection:
    """Which pieces: dated in ``[since, until)`` (either end open), of these camps and
    sources (empty: all)."""

    since: datetime | None = None
    until: datetime | None = None
    camps: Sequence[str] = ()
    sources: Sequence[str] = ()


def page(conn: Connection, chosen: Selection, after_id: int, limit: int) -> list[StoredArticle]:
    """The next ``limit`` chosen pieces with id above ``after_id``, by id."""
    query = select(articles).where(articles.c.id > after_id)
    if chosen.since is not None:
        query = query.where(articles.c.dated_at >= chosen.since)
    if chosen.until is not None:
        query = query.where(articles.c.dated_at < chosen.until)
    if chosen.camps:
        query = query.where(articles.c.camp.in_(list(chosen.camps)))
    if chosen.sources:
        query = query.where(articles.c.source_id.in_(list(chosen.sources)))
    rows = conn.execute(query.order_by(articles.c.id).limit(limit)).all()
    return [codec.article_from_row(r) for r in rows]
