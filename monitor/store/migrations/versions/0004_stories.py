"""stories: wire copy and its re-runs grouped

``stories`` gives each story its id; ``story_members`` puts each grouped piece in one,
with the fingerprint (normalised-text hash, MinHash signature, shingle count) that placed
it there, so the story index is rebuilt after a restart without reading any text. Pieces
stored before this revision have no row and are grouped by ``monitor stories --assign``,
or when the daemon starts.

Revision ID: 0004_stories
Revises: 0003_store_for_analysts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_stories"
down_revision = "0003_store_for_analysts"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "story_members",
        sa.Column(
            "article_id",
            sa.Integer,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "story_id",
            sa.Integer,
            sa.ForeignKey("stories.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("exact_hash", sa.String(64), nullable=False),
        sa.Column("signature", sa.LargeBinary),
        sa.Column("shingles", sa.Integer, nullable=False),
        sa.Column("assigned_at", TS, nullable=False),
    )
    op.create_index("ix_story_members_story_id", "story_members", ["story_id"])


def downgrade() -> None:
    op.drop_index("ix_story_members_story_id", table_name="story_members")
    op.drop_table("story_members")
    op.drop_table("stories")
