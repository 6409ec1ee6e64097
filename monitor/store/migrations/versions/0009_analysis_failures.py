"""analysis failures: the pieces the differ failed on, for `monitor status`

A piece whose analysis fails (the differ raises, its worker process dies or overruns) is
left pending and tried again at the next start; until now only the log said so. One row
per piece holds its latest failure (reason, message, time) and the piece's source, so the
status counts ``analysis:<reason>`` per source over its recent visits, like every other
failure. The rows go with their piece.

Revision ID: 0009_analysis_failures
Revises: 0008_analysis_version
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_analysis_failures"
down_revision = "0008_analysis_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analysis_failures",
        sa.Column(
            "article_id",
            sa.Integer,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_analysis_failures_source_failed", "analysis_failures", ["source_id", "failed_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_analysis_failures_source_failed", table_name="analysis_failures")
    op.drop_table("analysis_failures")
