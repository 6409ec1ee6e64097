"""initial schema: sources, captures, links, articles, stances, framings, crawl runs

On SQLite it also creates ``articles_fts``, an FTS5 index over title and text kept in sync
by triggers. It uses the trigram tokenizer because the corpus is Russian and Chinese as
much as English: trigrams match inside Chinese runs (no word spaces) and across Russian
inflections (Курск / Курской). Where FTS5 or the trigram tokenizer is missing the index is
skipped and search falls back to LIKE.

Revision ID: 0001_initial
Revises:
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

TS = sa.DateTime(timezone=True)

FTS_TRIGGERS = (
    """CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
         INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
       END""",
    """CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
         INSERT INTO articles_fts(articles_fts, rowid, title, text)
         VALUES ('delete', old.id, old.title, old.text);
       END""",
    """CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text ON articles BEGIN
         INSERT INTO articles_fts(articles_fts, rowid, title, text)
         VALUES ('delete', old.id, old.title, old.text);
         INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
       END""",
)


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("camp", sa.String(16), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
    )
    op.create_table(
        "captures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("final_url", sa.Text, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("fetched_at", TS, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("warc_path", sa.Text),
        sa.Column("warc_offset", sa.BigInteger),
        sa.Column("content_type", sa.Text),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("not_modified", sa.Boolean, nullable=False),
        sa.Column("source_id", sa.String(64)),
    )
    op.create_index("ix_captures_url_fetched", "captures", ["url", "fetched_at"])
    op.create_index(
        "uq_captures_record",
        "captures",
        [
            "url",
            "sha256",
            sa.func.coalesce(sa.column("warc_path"), sa.literal_column("''")),
            sa.func.coalesce(sa.column("warc_offset"), sa.literal_column("-1")),
        ],
        unique=True,
    )
    op.create_table(
        "links",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("canonical_url", sa.Text, nullable=False, unique=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("camp", sa.String(16), nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("title", sa.Text),
        sa.Column("authors", sa.JSON, nullable=False),
        sa.Column("published_at", TS),
        sa.Column("dated_at", TS, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("capture_id", sa.Integer, sa.ForeignKey("captures.id", ondelete="SET NULL")),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
    )
    op.create_index("ix_articles_source_id", "articles", ["source_id"])
    op.create_index("ix_articles_dated_at", "articles", ["dated_at"])
    op.create_index("ix_articles_content_hash", "articles", ["content_hash"])
    op.create_table(
        "stances",
        sa.Column(
            "article_id",
            sa.Integer,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position_id", sa.String(16), primary_key=True),
        sa.Column("stance", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("positions_version", sa.String(64), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("computed_at", TS, nullable=False),
    )
    op.create_index("ix_stances_positions_version", "stances", ["positions_version"])
    op.create_table(
        "framings",
        sa.Column(
            "article_id",
            sa.Integer,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("framing", sa.JSON, nullable=False),
        sa.Column("troop_count", sa.Integer),
        sa.Column("epistemic", sa.String(16)),
        sa.Column("positions_version", sa.String(64), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("computed_at", TS, nullable=False),
    )
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("started", TS, nullable=False),
        sa.Column("finished", TS, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("counts", sa.JSON, nullable=False),
    )
    op.create_index("ix_crawl_runs_source_started", "crawl_runs", ["source_id", "started"])
    if op.get_bind().dialect.name == "sqlite":
        _create_sqlite_fts()


def _create_sqlite_fts() -> None:
    bind = op.get_bind()
    try:
        # A failed CREATE VIRTUAL TABLE ("no such module" / "no such tokenizer") does not
        # abort a SQLite transaction, so probing by trying is safe here.
        bind.exec_driver_sql(
            "CREATE VIRTUAL TABLE temp.fts_probe USING fts5(x, tokenize='trigram')"
        )
        bind.exec_driver_sql("DROP TABLE temp.fts_probe")
    except sa.exc.OperationalError as exc:
        log.warning("SQLite has no FTS5 trigram index (%s); search will use LIKE", exc.orig)
        return
    op.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5("
        "title, text, content='articles', content_rowid='id', tokenize='trigram')"
    )
    for trigger in FTS_TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS articles_fts")
    for table in ("crawl_runs", "framings", "stances", "articles", "links", "captures", "sources"):
        op.drop_table(table)
