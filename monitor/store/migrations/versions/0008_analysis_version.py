"""each piece's analysis version, indexed: pending analysis found without a scan

``articles.analysis_version`` is the analysis version of the piece's stored stances
(NULL while it has none: new, or changed since). The differ's results set it in the
transaction that writes them and a changed text clears it, so "is anything waiting for
analysis?" — asked before every digest — is one look at an index instead of a scan of
every stored piece (100,000 pieces of kilobytes each: most of a second).

Revision ID: 0008_analysis_version
Revises: 0007_visit_schedule_digest_runs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_analysis_version"
down_revision = "0007_visit_schedule_digest_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("analysis_version", sa.String(64)))
    op.execute(
        "UPDATE articles SET analysis_version = "
        "(SELECT max(s.positions_version) FROM stances s WHERE s.article_id = articles.id)"
    )
    op.create_index("ix_articles_analysis_version", "articles", ["analysis_version"])


def downgrade() -> None:
    op.drop_index("ix_articles_analysis_version", table_name="articles")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("analysis_version")
