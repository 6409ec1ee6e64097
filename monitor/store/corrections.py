"""Analyst corrections: one current label per article × position, kept apart from the
differ's ``stances`` so that re-analysis, which replaces those rows wholesale, never
loses an analyst's work.

Functions over an open connection; ``Store`` owns transactions and argument checks.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select

from monitor.models import Correction
from monitor.store import codec
from monitor.store.engine import insert_for
from monitor.store.schema import corrections


def upsert(conn: Connection, values: dict[str, Any]) -> None:
    """Store the label; relabelling the same article × position replaces it."""
    stmt = insert_for(conn, corrections).values(**values)
    keep = ("stance", "note", "labelled_by", "labelled_at")
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[corrections.c.article_id, corrections.c.position_id],
            set_={name: stmt.excluded[name] for name in keep},
        )
    )


def remove(conn: Connection, article_id: int, position_id: str) -> bool:
    """Drop the label; whether there was one."""
    result = conn.execute(
        delete(corrections).where(
            corrections.c.article_id == article_id, corrections.c.position_id == position_id
        )
    )
    return bool(result.rowcount)


def of(conn: Connection, ids: list[int]) -> dict[int, dict[str, Correction]]:
    """The labels of the given pieces: article id → position id → correction."""
    found: dict[int, dict[str, Correction]] = {}
    for chunk in codec.chunks(ids):
        query = select(corrections).where(corrections.c.article_id.in_(chunk))
        for row in conn.execute(query):
            found.setdefault(row.article_id, {})[row.position_id] = codec.correction_from_row(row)
    return found


def every(conn: Connection) -> list[Correction]:
    """All current labels, by article, then position in natural order (P2 before P10)."""
    rows = [codec.correction_from_row(r) for r in conn.execute(select(corrections))]
    return sorted(rows, key=lambda c: (c.article_id, codec.position_order(c.position_id)))
