"""digest deliveries: each week's e-mail is sent once

Revision ID: 0005_deliveries
Revises: 0004_stories
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_deliveries"
down_revision = "0004_stories"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("week", sa.String(10), primary_key=True),
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_at", TS, nullable=False),
        sa.Column("sent_at", TS),
        sa.Column("message_id", sa.Text),
        sa.Column("recipients", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("deliveries")
