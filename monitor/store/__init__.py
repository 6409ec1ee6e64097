"""The store: the pipeline's only shared state (SQLAlchemy Core 2 + Alembic).

SQLite by default (``storage/monitor.db``, WAL, FTS5), any PostgreSQL URL at scale::

    from monitor.store import open_store

    with open_store("sqlite:///storage/monitor.db") as store:
        article_id, created = store.upsert_article(extracted, source_id="tass", camp="ru",
                                                   capture_id=cid, seen_at=now)

``open_store`` migrates the database to the newest schema before returning, so every
caller sees the same tables; every failure is a ``StoreError`` naming what it was doing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from monitor.errors import StoreError
from monitor.store.crawl_state import LINK_OUTCOMES, MAX_FAILED_ATTEMPTS
from monitor.store.engine import (
    check_connection,
    display,
    make_engine,
    migrate,
    normalise_url,
    translated,
    where,
)
from monitor.store.store import NewArticle, Store

__all__ = [
    "LINK_OUTCOMES",
    "MAX_FAILED_ATTEMPTS",
    "NewArticle",
    "Store",
    "StoreError",
    "open_store",
]

log = logging.getLogger(__name__)


def open_store(
    url: str, *, schema: str | None = None, clock: Callable[[], datetime] | None = None
) -> Store:
    """Open (creating if need be) the database at ``url`` and migrate it to head.

    ``url`` is a SQLAlchemy URL (``sqlite:///storage/monitor.db``,
    ``postgresql://user@host/db``, which is served by psycopg 3) or a plain file path,
    taken as SQLite. ``schema`` (PostgreSQL only) puts every table in that schema,
    creating it if missing: one database can then hold several independent stores.
    ``clock`` gives the time stamped on differ results (default: the wall clock, UTC).
    """
    parsed = normalise_url(url)
    engine = make_engine(parsed, schema)
    check_connection(engine, parsed, schema)
    try:
        with translated(f"cannot migrate database at {where(parsed)}"):
            if migrate(engine):
                log.info("migrated the database at %s to the newest schema", where(parsed))
        store = Store(engine, display(parsed), clock=clock)
    except BaseException:
        engine.dispose()
        raise
    log.debug("opened store %s", store.url)
    return store
