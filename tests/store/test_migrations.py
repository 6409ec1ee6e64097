"""Upgrading a store built by an older monitor: its data survives and reads as the new
code expects. (That the migrated schema equals ``schema.py`` is checked in
``test_opening.py``.)"""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import insert, text

from monitor.store.engine import make_engine, normalise_url
from monitor.store.schema import articles

T0 = datetime(2024, 11, 1, 12, 0, tzinfo=UTC)


def _build_at(database, revision: str) -> None:
    """The database as an older monitor left it: migrated only up to ``revision``."""
    engine = make_engine(normalise_url(database.url), database.schema)
    config = Config()
    config.set_main_option("script_location", "monitor.store:migrations")
    try:
        with engine.connect() as conn, conn.begin():
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
        with engine.connect() as conn, conn.begin():
            conn.execute(
                insert(articles).values(
                    id=1,
                    canonical_url="https://x.example/1",
                    url="https://x.example/1",
                    source_id="wire",
                    camp="west",
                    authors=[],
                    dated_at=T0,
                    text="An old piece.",
                    content_hash="h",
                    first_seen=T0,
                    last_seen=T0,
                )
            )
            # 0001's stances table: no confidence column yet
            conn.execute(
                text(
                    "INSERT INTO stances (article_id, position_id, stance, score, evidence, "
                    "positions_version, method, computed_at) "
                    "VALUES (1, 'P4', 'echo', 0.5, '[]', 'old', 'lexical', :at)"
                ),
                {"at": T0.replace(tzinfo=None) if database.kind == "sqlite" else T0},
            )
    finally:
        engine.dispose()


def test_stances_stored_before_confidence_existed_read_as_sure(database) -> None:
    _build_at(database, "0001_initial")
    with database.open() as store:  # migrates to head
        [p4] = store.stances_for([1])[1]
        assert (p4.position_id, p4.stance, p4.confidence, p4.weak) == ("P4", "echo", 1.0, False)
        assert store.corrections() == []
        store.set_correction(1, "P4", "contest", labelled_by="jdoe")  # the new table works
        assert store.stances_for([1])[1][0].stance == "contest"


def test_a_store_from_before_0003_finds_two_character_chinese_words(database) -> None:
    """0003 fills search_cjk for stored pieces and rebuilds the full-text index."""
    _build_at(database, "0002_confidence_corrections")
    engine = make_engine(normalise_url(database.url), database.schema)
    with engine.connect() as conn, conn.begin():
        conn.execute(
            text("UPDATE articles SET title = :t, text = :x WHERE id = 1"),
            {"t": "俄朝条约生效", "x": "俄罗斯与朝鲜签署的条约正式生效。"},
        )
    engine.dispose()
    with database.open() as store:  # migrates to head
        assert [a.id for a in store.search("朝鲜")] == [1]
        assert [a.id for a in store.search("条约生效")] == [1]
        assert store.search("韩国") == []


def test_a_store_from_before_0008_knows_which_pieces_were_analysed(database) -> None:
    """0008 records each stored piece's analysis version from its stances, so a piece
    analysed before the upgrade is not analysed again, and one of another version is."""
    _build_at(database, "0007_visit_schedule_digest_runs")
    with database.open() as store:  # migrates to head
        assert store.analysed_with("old")
        assert not store.analysis_pending("old")
        assert store.analysis_pending("new")
        assert [a.id for a in store.iter_articles(needing_version="new")] == [1]
