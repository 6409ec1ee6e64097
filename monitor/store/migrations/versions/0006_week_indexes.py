"""indexes for the digest's week queries

The digest's trends sum twelve weeks of calls; these indexes let them read the indexes
instead of the rows behind them (a busy store's articles carry kilobytes of text each):
``articles (dated_at, camp, source_id)`` replaces ``(dated_at)``; ``stances (article_id,
position_id, stance)`` only where the stance is not absent (two calls in three are);
``framings (article_id, troop_count)`` only where a troop count was stated.

Revision ID: 0006_week_indexes
Revises: 0005_deliveries
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_week_indexes"
down_revision = "0005_deliveries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_articles_dated_at", table_name="articles")
    op.create_index("ix_articles_dated_camp", "articles", ["dated_at", "camp", "source_id"])
    called = sa.text("stance <> 'absent'")
    op.create_index(
        "ix_stances_called",
        "stances",
        ["article_id", "position_id", "stance"],
        sqlite_where=called,
        postgresql_where=called,
    )
    stated = sa.text("troop_count > 0")
    op.create_index(
        "ix_framings_troops",
        "framings",
        ["article_id", "troop_count"],
        sqlite_where=stated,
        postgresql_where=stated,
    )


def downgrade() -> None:
    op.drop_index("ix_framings_troops", table_name="framings")
    op.drop_index("ix_stances_called", table_name="stances")
    op.drop_index("ix_articles_dated_camp", table_name="articles")
    op.create_index("ix_articles_dated_at", "articles", ["dated_at"])
