"""full-text index for Datasette and sqlite-utils, CJK search, article_stances view

SQLite: ``articles_fts`` is rebuilt as ``content="articles"`` (double quotes: the form
Datasette's and sqlite-utils' ``detect_fts`` look for, so ``?_search=`` and ``sqlite-utils
search`` use it) with the ``unicode61`` tokenizer, over ``title``, ``text`` and the new
``articles.search_cjk`` column: each run of Han, kana or Hangul cut into overlapping
two-character tokens (see ``monitor.store.cjk``), so «朝鲜» and «북한» are tokens the index
can find. The trigram index it replaces matched nothing under three characters, and
its ``content='articles'`` (single quotes) was not recognised by either tool.

Both dialects: ``search_cjk`` filled for the stored articles; the view ``article_stances``
(one row per article × position, an analyst's label winning, the differ's own call
beside it); an index on ``crawl_runs (source_id, ok, finished)`` for each source's last
good run.

Revision ID: 0003_store_for_analysts
Revises: 0002_confidence_corrections
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

from monitor.store.cjk import search_tokens

revision = "0003_store_for_analysts"
down_revision = "0002_confidence_corrections"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

FTS_COLUMNS = "title, text, search_cjk"
FTS_TRIGGERS = (
    f"""CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
         INSERT INTO articles_fts(rowid, {FTS_COLUMNS})
         VALUES (new.id, new.title, new.text, new.search_cjk);
       END""",
    f"""CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
         INSERT INTO articles_fts(articles_fts, rowid, {FTS_COLUMNS})
         VALUES ('delete', old.id, old.title, old.text, old.search_cjk);
       END""",
    f"""CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text, search_cjk ON articles
       BEGIN
         INSERT INTO articles_fts(articles_fts, rowid, {FTS_COLUMNS})
         VALUES ('delete', old.id, old.title, old.text, old.search_cjk);
         INSERT INTO articles_fts(rowid, {FTS_COLUMNS})
         VALUES (new.id, new.title, new.text, new.search_cjk);
       END""",
)

ARTICLE_STANCES = """
CREATE VIEW article_stances AS
SELECT s.article_id, a.source_id, a.camp, a.language, a.dated_at, a.title, a.url,
       s.position_id,
       COALESCE(c.stance, s.stance) AS stance,
       CASE WHEN c.stance IS NULL THEN s.confidence ELSE 1.0 END AS confidence,
       CASE WHEN c.stance IS NULL THEN 0 ELSE 1 END AS corrected,
       s.stance AS differ_stance, s.score AS differ_score, s.confidence AS differ_confidence,
       c.note AS correction_note, c.labelled_by, c.labelled_at,
       s.positions_version, s.method, s.computed_at
FROM stances s
JOIN articles a ON a.id = s.article_id
LEFT JOIN corrections c ON c.article_id = s.article_id AND c.position_id = s.position_id
UNION ALL
SELECT c.article_id, a.source_id, a.camp, a.language, a.dated_at, a.title, a.url,
       c.position_id,
       c.stance, 1.0, 1,
       NULL, NULL, NULL,
       c.note, c.labelled_by, c.labelled_at,
       NULL, NULL, NULL
FROM corrections c
JOIN articles a ON a.id = c.article_id
WHERE NOT EXISTS (
    SELECT 1 FROM stances s2
    WHERE s2.article_id = c.article_id AND s2.position_id = c.position_id
)
"""

BATCH = 500


def upgrade() -> None:
    op.add_column("articles", sa.Column("search_cjk", sa.Text))
    _fill_search_cjk()
    op.create_index(
        "ix_crawl_runs_source_ok_finished", "crawl_runs", ["source_id", "ok", "finished"]
    )
    op.execute(ARTICLE_STANCES)
    if op.get_bind().dialect.name == "sqlite":
        _replace_sqlite_fts()


def _fill_search_cjk() -> None:
    bind = op.get_bind()
    articles = sa.table(
        "articles", sa.column("id"), sa.column("title"), sa.column("text"), sa.column("search_cjk")
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(articles.c.id, articles.c.title, articles.c.text)
            .where(articles.c.id > last)
            .order_by(articles.c.id)
            .limit(BATCH)
        ).all()
        updates = [
            {"key": r.id, "tokens": tokens}
            for r in rows
            if (tokens := search_tokens(r.title, r.text))
        ]
        if updates:
            bind.execute(
                sa.update(articles)
                .where(articles.c.id == sa.bindparam("key"))
                .values(search_cjk=sa.bindparam("tokens")),
                updates,
            )
        if len(rows) < BATCH:
            return
        last = rows[-1].id


def _replace_sqlite_fts() -> None:
    bind = op.get_bind()
    for trigger in ("articles_fts_ai", "articles_fts_ad", "articles_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS articles_fts")
    try:
        # a failed CREATE VIRTUAL TABLE does not abort a SQLite transaction (see 0001)
        bind.exec_driver_sql("CREATE VIRTUAL TABLE temp.fts_probe USING fts5(x)")
        bind.exec_driver_sql("DROP TABLE temp.fts_probe")
    except sa.exc.OperationalError as exc:
        log.warning("SQLite has no FTS5 (%s); search will use LIKE", exc.orig)
        return
    op.execute(
        f"CREATE VIRTUAL TABLE articles_fts USING fts5({FTS_COLUMNS}, "
        'content="articles", content_rowid="id", tokenize="unicode61 remove_diacritics 2")'
    )
    for trigger in FTS_TRIGGERS:
        op.execute(trigger)
    op.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")


def downgrade() -> None:
    bind = op.get_bind()
    op.execute("DROP VIEW IF EXISTS article_stances")
    op.drop_index("ix_crawl_runs_source_ok_finished", table_name="crawl_runs")
    if bind.dialect.name == "sqlite":
        for trigger in ("articles_fts_ai", "articles_fts_ad", "articles_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS articles_fts")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("search_cjk")
    if bind.dialect.name == "sqlite":
        # back to 0001's trigram index
        from importlib import import_module

        initial = import_module("monitor.store.migrations.versions.0001_initial")
        initial._create_sqlite_fts()
        op.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
