"""What daemons sharing one database agree on: whose turn a source's visit is, and who
writes a week's digest (tables of migration 0003).

A visit is handed out in two steps so a daemon that dies in between loses nothing: the
claim marks the due row as this daemon's (for a lease), the hand-over moves it on once the
visit is queued; a claim older than the lease is claimed again by someone else. The job
then checks ``visited_since`` its due time, so a visit queued twice runs once.

Functions over an open write connection; ``Store`` owns the transactions. A claim is a
read and an update in one transaction: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (a row
another daemon is claiming is skipped, not waited for), the database write lock on SQLite
(where SQLAlchemy renders no ``FOR UPDATE``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection, and_, or_, select, update

from monitor.store.engine import insert_for
from monitor.store.schema import crawl_runs, digest_runs, visit_schedule


def claim_due(
    conn: Connection,
    ids: list[str],
    *,
    now: datetime,
    first: Mapping[str, datetime],
    stale_before: datetime,
    holder: str,
) -> dict[str, datetime]:
    """Create missing rows (due at ``first[id]``), then claim those of ``ids`` that are due
    at ``now`` and not claimed by another daemon since ``stale_before``; returns each
    claimed source's due time. ``hand_over`` completes the claim."""
    if first:
        conn.execute(
            insert_for(conn, visit_schedule).on_conflict_do_nothing(
                index_elements=[visit_schedule.c.source_id]
            ),
            [{"source_id": sid, "next_visit": at} for sid, at in first.items()],
        )
    rows = conn.execute(
        select(visit_schedule.c.source_id, visit_schedule.c.next_visit)
        .where(
            visit_schedule.c.source_id.in_(ids),
            visit_schedule.c.next_visit <= now,
            or_(visit_schedule.c.claimed_at.is_(None), visit_schedule.c.claimed_at < stale_before),
        )
        .order_by(visit_schedule.c.next_visit)
        .with_for_update(skip_locked=True)
    ).all()
    due = {r.source_id: r.next_visit for r in rows}
    if due:
        conn.execute(
            update(visit_schedule)
            .where(visit_schedule.c.source_id.in_(list(due)))
            .values(claimed_by=holder, claimed_at=now)
        )
    return due


def hand_over(conn: Connection, following: Mapping[str, datetime], *, holder: str) -> None:
    """The claimed visits are queued: move each source on to its next due time."""
    for source_id, at in following.items():
        conn.execute(
            update(visit_schedule)
            .where(visit_schedule.c.source_id == source_id, visit_schedule.c.claimed_by == holder)
            .values(next_visit=at, claimed_by=None, claimed_at=None)
        )


def visited_since(conn: Connection, source_id: str, since: datetime) -> bool:
    """Whether a visit of the source that started at or after ``since`` was recorded."""
    found = conn.execute(
        select(crawl_runs.c.id)
        .where(crawl_runs.c.source_id == source_id, crawl_runs.c.started >= since)
        .limit(1)
    ).first()
    return found is not None


def claim_digest(
    conn: Connection, week: str, *, holder: str, now: datetime, until: datetime
) -> bool:
    """Take the week's digest unless it is written or another daemon's claim still runs."""
    inserted = conn.execute(
        insert_for(conn, digest_runs)
        .values(week=week, holder=holder, claimed_until=until)
        .on_conflict_do_nothing(index_elements=[digest_runs.c.week])
        .returning(digest_runs.c.week)
    ).first()
    if inserted is not None:
        return True
    taken = conn.execute(
        update(digest_runs)
        .where(
            digest_runs.c.week == week,
            digest_runs.c.finished.is_(None),
            or_(digest_runs.c.claimed_until < now, digest_runs.c.holder == holder),
        )
        .values(holder=holder, claimed_until=until)
    )
    return taken.rowcount == 1


def finish_digest(conn: Connection, week: str, *, holder: str, now: datetime) -> None:
    conn.execute(
        update(digest_runs)
        .where(and_(digest_runs.c.week == week, digest_runs.c.holder == holder))
        .values(finished=now)
    )
