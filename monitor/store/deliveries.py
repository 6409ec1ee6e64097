"""The record that a week's digest went out, so each week is e-mailed once, whichever
daemon writes it and however often it restarts.

A delivery is claimed (``sending``) before the message is handed to the server and
marked ``sent`` after; a failed send releases the claim so the next attempt may try
again. A claim left by a process that died mid-send is taken over once it is older than
``STALE_AFTER``: better a rare second copy than a week never sent.

Functions over an open connection; ``Store`` owns transactions and argument checks.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, select, update

from monitor.store.engine import insert_for
from monitor.store.schema import deliveries

STALE_AFTER = timedelta(minutes=30)


def claim(conn: Connection, week: str, channel: str, at: datetime) -> bool:
    """Whether this caller may send ``week`` on ``channel`` now (and holds the claim)."""
    inserted = conn.execute(
        insert_for(conn, deliveries)
        .values(week=week, channel=channel, status="sending", claimed_at=at)
        .on_conflict_do_nothing()
        .returning(deliveries.c.week)
    ).first()
    if inserted is not None:
        return True
    row = conn.execute(
        select(deliveries)
        .where(deliveries.c.week == week, deliveries.c.channel == channel)
        .with_for_update()
    ).first()
    if row is None or row.status == "sent" or row.claimed_at > at - STALE_AFTER:
        return False
    conn.execute(
        update(deliveries)
        .where(deliveries.c.week == week, deliveries.c.channel == channel)
        .values(claimed_at=at)
    )
    return True


def mark_sent(
    conn: Connection, week: str, channel: str, at: datetime, message_id: str, recipients: str
) -> None:
    conn.execute(
        update(deliveries)
        .where(deliveries.c.week == week, deliveries.c.channel == channel)
        .values(status="sent", sent_at=at, message_id=message_id, recipients=recipients)
    )


def release(conn: Connection, week: str, channel: str) -> None:
    conn.execute(
        delete(deliveries).where(
            deliveries.c.week == week,
            deliveries.c.channel == channel,
            deliveries.c.status == "sending",
        )
    )


def sent_at(conn: Connection, week: str, channel: str) -> datetime | None:
    return conn.execute(
        select(deliveries.c.sent_at).where(
            deliveries.c.week == week,
            deliveries.c.channel == channel,
            deliveries.c.status == "sent",
        )
    ).scalar_one_or_none()
