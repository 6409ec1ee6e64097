"""Opening a database: URL normalisation, per-dialect connection set-up, migrations.

SQLite (the default) gets WAL so the digest and the CLI can read while the daemon writes,
``foreign_keys=ON``, a busy timeout, ``synchronous=NORMAL`` (safe with WAL, far fewer
fsyncs), and real transactions: pysqlite's own transaction handling is switched off and
``BEGIN`` is emitted by us, ``BEGIN IMMEDIATE`` for writes, so a writer takes the lock up
front instead of failing half-way with "database is locked" (the recipe in SQLAlchemy's
pysqlite docs). PostgreSQL is reached through psycopg 3 whatever the URL says.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from monitor.errors import STORE_FULL, StoreError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 15.0
WRITE = "monitor_write"  # execution option: this connection's transaction will write
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_MIGRATE_LOCK = "monitor.store.migrate:"
# One chain of numbered migrations, each file named after its revision (0007_visit_….py
# is revision "0007_visit_…"), so the newest file names the head without Alembic.
MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_PG_DISK_FULL = "53100"  # SQLSTATE disk_full


def normalise_url(url: str) -> URL:
    """Parse ``url`` (or a bare file path, taken as SQLite) and pin PostgreSQL to psycopg 3."""
    if "://" not in url:
        return URL.create("sqlite", database=str(Path(url).expanduser()))
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r} ({exc})", reason="config") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(
            f"unsupported database {parsed.get_backend_name()!r} in {display(parsed)}: "
            "use sqlite:///path or postgresql://…",
            reason="config",
        )
    return parsed


def display(url: URL) -> str:
    """The URL as logs and messages may show it (no password)."""
    return url.render_as_string(hide_password=True)


def where(url: URL) -> str:
    """What an error message should name: the file for SQLite, the server URL otherwise."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return display(url)


def make_engine(url: URL, schema: str | None = None) -> Engine:
    """An engine for ``url`` with the connection set-up described in the module docstring."""
    if url.get_backend_name() == "sqlite":
        if schema is not None:
            raise StoreError("schema= applies to PostgreSQL only", reason="config")
        return _sqlite_engine(url)
    connect_args: dict[str, Any] = {}
    if schema is not None:
        if not _SCHEMA_NAME.match(schema):
            raise StoreError(f"not a plain schema name: {schema!r}", reason="config")
        connect_args["options"] = f"-csearch_path={schema}"
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True)


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    memory = database in ("", ":memory:") or "mode=memory" in database
    if not memory and not database.startswith("file:"):
        parent = Path(database).parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot open database at {database}: cannot create {parent} "
                f"({exc.strerror or exc})",
                reason="open",
            ) from exc
    kwargs: dict[str, Any] = {
        "connect_args": {"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
    }
    if memory:
        # Every new connection to :memory: is a new, empty database: share one.
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
            if not memory:
                _use_wal(cursor, database)
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _use_wal(cursor: sqlite3.Cursor, database: str) -> None:
    """Switch the file to WAL (a no-op once it is). Two connections switching a new file
    at the same moment get SQLITE_BUSY without the busy handler being consulted, so the
    busy timeout is applied here by hand."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            mode = str(cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0])
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
    if mode.lower() != "wal":
        log.warning("%s stays in journal mode %r: readers may wait for writers", database, mode)


@contextmanager
def translated(what: str, place: str | None = None) -> Iterator[None]:
    """Turn any SQLAlchemy error inside the block into a ``StoreError`` saying ``what`` failed.

    A full database (SQLite's SQLITE_FULL: the disk, or ``max_page_count``; PostgreSQL's
    disk_full) gets its own reason, ``STORE_FULL``, and names the store (``place``): the
    operator must free space there, and the pipeline leaves its work for later instead
    of counting it against a page or a piece.
    """
    try:
        yield
    except SQLAlchemyError as exc:
        if is_full(exc):
            at = f" at {place}" if place else ""
            raise StoreError(
                f"{what}: the database{at} is full ({describe(exc)})", reason=STORE_FULL
            ) from exc
        raise StoreError(f"{what}: {describe(exc)}", reason="store") from exc


def is_full(exc: SQLAlchemyError) -> bool:
    """Whether the database refused a write for want of space."""
    if not isinstance(exc, DBAPIError) or exc.orig is None:
        return False
    orig = exc.orig
    return (
        getattr(orig, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
        or getattr(orig, "sqlstate", None) == _PG_DISK_FULL
    )


def describe(exc: SQLAlchemyError) -> str:
    """The driver's own words when there are some (SQLAlchemy's wrapper adds SQL and links)."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig).strip().splitlines()[0]
    return str(exc).strip().splitlines()[0]


def check_connection(engine: Engine, url: URL, schema: str | None) -> None:
    """Connect once so a wrong path or server fails here, with a message naming it."""
    try:
        with engine.connect() as conn:
            if schema is not None:
                _ensure_schema(conn, schema)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(
            f"cannot open database at {where(url)}: {describe(exc)}", reason="open"
        ) from exc


def _ensure_schema(conn: Connection, schema: str) -> None:
    exists = conn.execute(
        text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}
    ).first()
    if exists is None:
        conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        conn.commit()


def migrate(engine: Engine) -> bool:
    """Bring the database to the newest schema; returns False (and touches nothing) when
    it is already there.

    A store already at the newest revision (every run but the first after an upgrade) is
    recognised from the migration files' names, without importing Alembic (~0.25 s of
    every command). Otherwise one transaction for the whole upgrade, taken with the write
    lock (SQLite) or a transaction-scoped advisory lock per schema (PostgreSQL), so two
    daemons starting together migrate once, one after the other: the second finds the
    work done.
    """
    current = current_revisions(engine)
    if current == {newest_revision()}:
        return False
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "monitor.store:migrations")
    if current == set(ScriptDirectory.from_config(config).get_heads()):
        return False
    with engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
        take_turn(conn, _MIGRATE_LOCK)
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return True


def take_turn(conn: Connection, key: str) -> None:
    """Make the writers of ``key`` in this database (schema) take turns until the open
    transaction ends: a transaction-scoped advisory lock on PostgreSQL, where several
    daemons write at once; nothing on SQLite, whose write transaction (BEGIN IMMEDIATE)
    already admits one writer at a time."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key || coalesce(current_schema(), '')))"),
            {"key": key},
        )


def newest_revision() -> str:
    """The revision of the newest migration file (see ``MIGRATIONS``)."""
    return max(p.stem for p in MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))


def current_revisions(engine: Engine) -> set[str]:
    """The revisions recorded in ``alembic_version`` (empty for a new database)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return set()
        return set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows of ``table`` (each with the keys of the first): PostgreSQL takes
    them with one COPY, a stream instead of a statement per row (the differ's ten stance
    rows per piece made executemany the slowest part of ingest); SQLite, where a statement
    is a function call, with executemany. Values go through the columns' own bind
    processing (JSON, aware timestamps) on both. The driver's own errors from the COPY
    are wrapped as SQLAlchemy's (``driver_errors``)."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    names = list(rows[0])
    dialect = conn.dialect
    processors = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    quote = dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(map(quote, names))}) FROM STDIN"
    raw = conn.connection.driver_connection  # psycopg's, inside this transaction
    assert raw is not None
    with (
        driver_errors(dialect.loaded_dbapi.Error, statement),
        raw.cursor() as cursor,
        cursor.copy(statement) as copy,
    ):
        for row in rows:
            copy.write_row(
                [f(row[n]) if f else row[n] for n, f in zip(names, processors, strict=True)]
            )


@contextmanager
def driver_errors(driver_error: type[Exception], statement: str | None = None) -> Iterator[None]:
    """Wrap the driver's own errors (``driver_error``: its base class) raised by work done
    on a raw driver connection as SQLAlchemy wraps a statement's, so ``translated`` reads
    them the same way: a full disk is ``STORE_FULL`` there too, not a defect."""
    try:
        yield
    except driver_error as exc:
        raise DBAPIError.instance(statement, None, exc, driver_error) from exc


def insert_for(conn: Connection, table: Table) -> Any:
    """INSERT supporting ON CONFLICT (the same API on both dialects' own constructs). The
    dialect's module is the one the connection has loaded already: a SQLite store does
    not import PostgreSQL's (nor its asyncpg variant's) code."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)
