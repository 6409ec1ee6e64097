"""Opening a store: the schema is built once, recorded, and re-opening changes nothing;
a database that cannot be opened says where it looked."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from monitor.errors import StoreError
from monitor.store import open_store
from monitor.store.engine import newest_revision, normalise_url
from monitor.store.schema import metadata

HEAD = "0009_analysis_failures"
MIGRATIONS = [
    "Running upgrade  -> 0001_initial, initial schema: sources, captures, links, articles, "
    "stances, framings, crawl runs",
    "Running upgrade 0001_initial -> 0002_confidence_corrections, stance confidence and "
    "analyst corrections",
    "Running upgrade 0002_confidence_corrections -> 0003_store_for_analysts, full-text index "
    "for Datasette and sqlite-utils, CJK search, article_stances view",
    "Running upgrade 0003_store_for_analysts -> 0004_stories, stories: wire copy and its "
    "re-runs grouped",
    "Running upgrade 0004_stories -> 0005_deliveries, digest deliveries: each "
    "week's e-mail is sent once",
    "Running upgrade 0005_deliveries -> 0006_week_indexes, indexes for the digest's week "
    "queries",
    "Running upgrade 0006_week_indexes -> 0007_visit_schedule_digest_runs, visit "
    "schedule and digest runs: what several daemons on one database agree on",
    "Running upgrade 0007_visit_schedule_digest_runs -> 0008_analysis_version, each "
    "piece's analysis version, indexed: pending analysis found without a scan",
    "Running upgrade 0008_analysis_version -> 0009_analysis_failures, analysis failures: "
    "the pieces the differ failed on, for `monitor status`",
]


def _migration_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Running upgrade")]


def test_first_open_builds_the_schema_and_records_it(database, caplog) -> None:
    caplog.set_level(logging.INFO, logger="alembic")
    with database.open() as store:
        assert store.count_articles() == 0
    assert _migration_lines(caplog) == MIGRATIONS
    engine = _raw_engine(database)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [
            HEAD
        ]
    engine.dispose()


def test_reopening_runs_no_migration_and_keeps_the_data(database, piece, caplog) -> None:
    with database.open() as store:
        store.upsert_article(
            piece(), source_id="wire", camp="west", capture_id=None, seen_at=piece().published
        )
    caplog.set_level(logging.INFO, logger="alembic")
    with database.open() as store:
        assert store.count_articles() == 1
    assert _migration_lines(caplog) == []


def test_the_newest_migration_file_names_alembics_head() -> None:
    """A store at head is recognised from the files' names (see engine.MIGRATIONS): that
    holds only while each file is named after its revision, in one numbered chain."""
    config = Config()
    config.set_main_option("script_location", "monitor.store:migrations")
    assert ScriptDirectory.from_config(config).get_heads() == [newest_revision()] == [HEAD]


def test_opening_a_store_at_head_does_not_load_alembic(database) -> None:
    """Every command opens the store; one already migrated costs a query, not Alembic's
    import (a quarter of a second of each `monitor digest`)."""
    database.open().close()
    probe = (
        "import sys\n"
        "from monitor.store import open_store\n"
        f"open_store({database.url!r}, schema={database.schema!r}).close()\n"
        "print('alembic' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_the_migrated_database_matches_the_tables_the_code_queries(database) -> None:
    database.open().close()
    engine = _raw_engine(database)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata
        )
    engine.dispose()
    # the SQLite full-text index and its shadow tables are not in the Core metadata
    diff = [
        d for d in diff if not (d[0] == "remove_table" and d[1].name.startswith("articles_fts"))
    ]
    assert diff == []


def test_two_daemons_starting_together_migrate_once(database, caplog) -> None:
    caplog.set_level(logging.INFO, logger="alembic")
    with ThreadPoolExecutor(max_workers=2) as pool:
        stores = list(pool.map(lambda _: database.open(), range(2)))
    for store in stores:
        assert store.count_articles() == 0
        store.close()
    assert _migration_lines(caplog) == MIGRATIONS  # once each, not twice


def test_sqlite_is_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    open_store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_plain_path_is_a_sqlite_file_and_missing_folders_are_created(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "monitor.db"
    with open_store(str(path)) as store:
        assert store.count_articles() == 0
    assert path.is_file()


def test_a_path_under_a_file_gives_an_error_naming_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "storage"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError) as err:
        open_store(f"sqlite:///{blocker / 'monitor.db'}")
    assert f"cannot open database at {blocker / 'monitor.db'}" in str(err.value)


def test_a_folder_as_database_gives_sqlites_reason_and_the_path(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as err:
        open_store(f"sqlite:///{tmp_path}")
    assert str(err.value) == f"cannot open database at {tmp_path}: unable to open database file"


def test_an_unreachable_server_gives_an_error_naming_it_without_the_password() -> None:
    with pytest.raises(StoreError) as err:
        open_store("postgresql://monitor:s3cret@127.0.0.1:1/monitor")
    message = str(err.value)
    assert message.startswith(
        "cannot open database at postgresql+psycopg://monitor:***@127.0.0.1:1/monitor"
    )
    assert "s3cret" not in message


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("sqlite:///storage/monitor.db", "sqlite"),
    ],
)
def test_postgresql_urls_are_served_by_psycopg_3(given: str, driver: str) -> None:
    assert normalise_url(given).drivername == driver


def test_an_unsupported_database_is_refused_by_name() -> None:
    with pytest.raises(StoreError, match="unsupported database 'mysql'"):
        open_store("mysql://u@h/db")


def _raw_engine(database):
    url = normalise_url(database.url)
    args = {"options": f"-csearch_path={database.schema}"} if database.schema else {}
    return create_engine(url, connect_args=args)
