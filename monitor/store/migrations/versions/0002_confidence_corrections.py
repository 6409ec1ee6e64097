"""stance confidence and analyst corrections

``stances.confidence``: how sure the differ is of each stance (0..1). Rows written before
this revision had no confidence and read as sure (1.0), which is what the server default
gives them.

``corrections``: an analyst's label of a piece on a position, one current row per
article × position. It lives apart from ``stances`` because the differ replaces those
rows wholesale whenever it re-analyses a piece.

Revision ID: 0002_confidence_corrections
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_confidence_corrections"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column(
        "stances",
        sa.Column("confidence", sa.Float, nullable=False, server_default=sa.text("1.0")),
    )
    op.create_table(
        "corrections",
        sa.Column(
            "article_id",
            sa.Integer,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position_id", sa.String(16), primary_key=True),
        sa.Column("stance", sa.String(16), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("labelled_by", sa.String(128), nullable=False),
        sa.Column("labelled_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("corrections")
    with op.batch_alter_table("stances") as batch:  # SQLite rebuilds the table
        batch.drop_column("confidence")
