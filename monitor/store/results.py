"""The differ's results: one stance row per article × position, one framing row per
article, each replaced as a whole when the differ runs again.

Analyst corrections (``corrections``) live in their own table, which ``replace`` never
touches; ``stances_of`` reads both and lets the correction win.

Functions over an open connection; ``Store`` owns transactions and argument checks.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, delete, select, update

from monitor.models import DiffResult, Framing, StoredStance
from monitor.store import codec, corrections
from monitor.store.engine import insert_rows
from monitor.store.schema import articles, framings, stances


def lock_article(conn: Connection, article_id: int) -> bool:
    """Whether the piece exists; on PostgreSQL also locks its row until commit, so two
    daemons replacing its results take turns instead of colliding on the stance keys."""
    return not missing(conn, [article_id])


def missing(conn: Connection, article_ids: list[int]) -> list[int]:
    """Those of ``article_ids`` that are not stored; the others are locked as in
    ``lock_article``, in id order (two writers locking overlapping sets never deadlock)."""
    wanted = sorted(set(article_ids))
    found: set[int] = set()
    for chunk in codec.chunks(wanted):
        query = (
            select(articles.c.id)
            .where(articles.c.id.in_(chunk))
            .order_by(articles.c.id)
            .with_for_update()
        )
        found.update(conn.execute(query).scalars())
    return [i for i in wanted if i not in found]


def of_articles(column: ColumnElement[int], ids: list[int]) -> ColumnElement[bool]:
    """``column IN ids`` for a chunk of ids, bounded by its least and greatest: with
    the bounds PostgreSQL finds the rows through the key's index even before the table
    has statistics (after a bulk load), where 200 ids alone looked like most of the ten
    stance rows per piece and made every batch read the whole table."""
    return and_(column.between(min(ids), max(ids)), column.in_(ids))


def replace(conn: Connection, article_id: int, diff: DiffResult, computed_at: datetime) -> None:
    replace_many(conn, [(article_id, diff)], computed_at)


def replace_many(
    conn: Connection, diffs: list[tuple[int, DiffResult]], computed_at: datetime
) -> None:
    """Replace the stances and framing of each piece (the last diff wins for an id given
    twice), with one DELETE and one INSERT per table for the whole batch."""
    latest = dict(diffs)
    stance_rows, framing_rows = [], []
    for article_id, diff in latest.items():
        common = {
            "positions_version": diff.positions_version,
            "method": diff.method,
            "computed_at": computed_at,
        }
        stance_rows.extend(
            {
                "article_id": article_id,
                "position_id": pid,
                "stance": codec.stance(r.stance),
                "score": float(r.score),
                "confidence": codec.confidence(r.confidence),
                "evidence": [e.to_json() for e in r.evidence],
                **common,
            }
            for pid, r in diff.positions.items()
        )
        framing_rows.append(
            {
                "article_id": article_id,
                "framing": diff.framing.to_json(),
                "troop_count": diff.framing.troop_count,
                "epistemic": diff.framing.epistemic,
                **common,
            }
        )
    for chunk in codec.chunks(sorted(latest)):
        conn.execute(delete(stances).where(of_articles(stances.c.article_id, chunk)))
        conn.execute(delete(framings).where(of_articles(framings.c.article_id, chunk)))
    insert_rows(conn, stances, stance_rows)
    insert_rows(conn, framings, framing_rows)
    # the pieces' analysis version beside them, what pending analysis is looked up by
    by_version: dict[str, list[int]] = {}
    for article_id, diff in latest.items():
        by_version.setdefault(diff.positions_version, []).append(article_id)
    for version, ids in by_version.items():
        for chunk in codec.chunks(sorted(ids)):
            conn.execute(
                update(articles).where(articles.c.id.in_(chunk)).values(analysis_version=version)
            )


def stances_of(conn: Connection, ids: list[int]) -> dict[int, tuple[StoredStance, ...]]:
    """Each piece's stances in position order, an analyst's correction in place of the
    differ's row (or added, when the differ has no row for that position)."""
    found: dict[int, dict[str, StoredStance]] = {}
    for chunk in codec.chunks(ids):
        for row in conn.execute(select(stances).where(of_articles(stances.c.article_id, chunk))):
            found.setdefault(row.article_id, {})[row.position_id] = codec.stance_from_row(row)
    for aid, labels in corrections.of(conn, ids).items():
        own = found.setdefault(aid, {})
        for pid, correction in labels.items():
            own[pid] = codec.corrected(own.get(pid), correction)
    return {
        aid: tuple(sorted(items.values(), key=lambda s: codec.position_order(s.position_id)))
        for aid, items in found.items()
    }


def framings_of(conn: Connection, ids: list[int]) -> dict[int, Framing]:
    found: dict[int, Framing] = {}
    for chunk in codec.chunks(ids):
        query = select(framings.c.article_id, framings.c.framing).where(
            framings.c.article_id.in_(chunk)
        )
        for row in conn.execute(query):
            found[row.article_id] = codec.framing_from_json(row.framing)
    return found
