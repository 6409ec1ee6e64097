"""visit schedule and digest runs: what several daemons on one database agree on

``visit_schedule``: when each source is next due. A daemon claims a due source by moving
its ``next_visit`` one interval on, in the same transaction that reads it (``FOR UPDATE
SKIP LOCKED`` on PostgreSQL, the write lock on SQLite), so no two daemons ever hand out
the same visit.

``digest_runs``: one row per ISO week whose digest a daemon has claimed. The claim expires
(``claimed_until``) so a daemon that dies while writing does not cost the week its digest;
``finished`` marks it written, after which nobody writes it again.

Revision ID: 0007_visit_schedule_digest_runs
Revises: 0006_week_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_visit_schedule_digest_runs"
down_revision = "0006_week_indexes"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "visit_schedule",
        sa.Column("source_id", sa.String(64), primary_key=True),
        sa.Column("next_visit", TS, nullable=False),
        sa.Column("claimed_by", sa.Text),
        sa.Column("claimed_at", TS),
    )
    op.create_table(
        "digest_runs",
        sa.Column("week", sa.String(8), primary_key=True),
        sa.Column("holder", sa.Text, nullable=False),
        sa.Column("claimed_until", TS, nullable=False),
        sa.Column("finished", TS),
    )


def downgrade() -> None:
    op.drop_table("digest_runs")
    op.drop_table("visit_schedule")
