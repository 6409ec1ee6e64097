"""Crash safety, proven: a daemon SIGKILLed at random moments, twenty times over, while it
crawls and analyses a loopback outlet, ends with the same store as a daemon that was never
interrupted: the database intact, every piece stored once, every WARC file readable to
its end (a record torn by the kill is cut at the next start). On SQLite and on
PostgreSQL, where a killed daemon's visit and analysis are jobs another start takes over
once their lease runs out. A full disk is a clear error, not a corrupt archive or
database: the archive's disk, SQLite at its page limit, and PostgreSQL on a small tmpfs
of its own (``small_disk``), filled for real while a daemon works.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import Pool
from warcio.archiveiterator import ArchiveIterator

from monitor.errors import StoreError
from monitor.runtime import Settings, open_pipeline
from monitor.store import open_store
from monitor.store.engine import normalise_url
from tests.integration.conftest import PG_URL, Output, global_options, pg_url, start_daemon
from tests.integration.small_disk import small_disk

if TYPE_CHECKING:
    from tests.integration.conftest import World

REPO = Path(__file__).resolve().parents[2]
PAGES = 20
KILLS = 20
LEASE = "5"  # seconds (PostgreSQL): a killed daemon's running jobs are taken over after it

SOURCES = """\
version: 1
defaults:
  interval_minutes: 30
  per_host_delay_seconds: 0
  jitter_seconds: 0
  max_retries: 0
  timeout_seconds: 10
topic:
  keywords:
    en: ["North Korea", "North Korean", "DPRK", "Pyongyang"]
  context:
    en: ["Russia", "Russian", "Moscow", "Kremlin", "Kursk"]
sources:
  - id: wire
    name: Wire Service
    camp: west
    language: en
    allow_private_addresses: true  # the test site is on 127.0.0.1
    homepage: {base}/
    discovery:
      - kind: rss
        url: {base}/rss.xml
"""
ITEM = """<item><title>{title}</title><link>{base}/world/{n}</link>
<pubDate>Tue, 05 Nov 2024 {hh:02d}:00:00 GMT</pubDate></item>"""
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
</head><body><header><a href="/">Wire Service</a></header><main><article>
<h1>{title}</h1><p class="byline">By a staff writer</p>
<p>Report {n}: North Korean units were seen moving towards the Kursk front, a Western
official said, adding that Russia had issued them uniforms and rifles.</p>
<p>Moscow and Pyongyang say the treaty they signed in June is a defensive pact. Kyiv says
{n} hundred soldiers arrived this month.</p></article></main>
<footer>© Wire Service</footer></body></html>"""


def build_site(world: World, pages: int = PAGES) -> None:
    """The outlet's pages, its feed listing the first ``pages`` of them."""
    items = []
    for n in range(pages):
        title = f"North Korean troops near Kursk, report {n}"
        items.append(ITEM.format(title=title, base=world.base, n=n, hh=n % 24))
        world.add(f"/world/{n}", PAGE.format(title=title, n=n))
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Wire</title><link>{world.base}/</link><description>News</description>"
        + "".join(items)
        + "</channel></rss>"
    )
    world.add("/rss.xml", feed, "application/rss+xml; charset=utf-8")
    world.delay = 0.05  # a visit takes about a second: kills land in the middle of one


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Callable[[], str | None]:
    """Where each store of the test lives: ``new()`` is a fresh database's URL (None:
    SQLite under the store's data root; on PostgreSQL a schema of our own)."""
    if request.param == "sqlite":
        return lambda: None
    make_schema: Callable[[], str] = request.getfixturevalue("pg_schemas")
    return lambda: pg_url(make_schema())


def settings_in(root: Path, world: World, db_url: str | None = None) -> Settings:
    root.mkdir(parents=True, exist_ok=True)
    sources = root / "sources.yaml"
    sources.write_text(SOURCES.replace("{base}", world.base), encoding="utf-8")
    return Settings(
        storage=root / "storage",
        sources_path=sources,
        positions_path=REPO / "positions.yaml",
        db_url=db_url,
    )


def start(settings: Settings) -> Output:
    return Output(start_daemon(settings, "--workers", "0", "--no-digest", "--lease", LEASE))


def run_to_the_end(settings: Settings) -> tuple[str, float]:
    """An uninterrupted daemon, stopped cleanly once every page is stored and analysed;
    returns its output and the seconds its work took (from its "roles:" line on).

    On SQLite each start visits the source at once; on PostgreSQL the visit schedule
    outlives the daemon, so a store whose visit was done before is only brought up to
    date (a killed visit or analysis taken over), not visited again.
    """
    daemon = start(settings)
    try:
        assert daemon.wait_for("roles:", timeout=60), daemon.text()
        began = time.monotonic()
        while progress(settings) != (PAGES, PAGES) and time.monotonic() < began + 120:
            time.sleep(0.1)
        took = time.monotonic() - began
        assert progress(settings) == (PAGES, PAGES), daemon.text()
    finally:
        daemon.proc.send_signal(signal.SIGTERM)
        daemon.proc.wait(timeout=60)
    assert daemon.proc.returncode == 0, daemon.text()
    return daemon.text(), took


def progress(settings: Settings) -> tuple[int, int]:
    """(pieces stored, pieces analysed with the current positions)."""
    from monitor.differ import Differ, load_positions

    version = Differ(load_positions(settings.positions_path)).version
    store = open_store(settings.database_url())
    try:
        stored = store.count_articles()
        return stored, stored - len(list(store.iter_articles(needing_version=version)))
    finally:
        store.close()


ARTICLES = text(
    "SELECT canonical_url, title, text, language, published_at, content_hash "
    "FROM articles ORDER BY canonical_url"
)
STANCES = text(
    "SELECT a.canonical_url, s.position_id, s.stance, s.score "
    "FROM stances s JOIN articles a ON a.id = s.article_id ORDER BY 1, 2"
)
LINKS = text("SELECT url, outcome FROM links ORDER BY url")


def snapshot(settings: Settings) -> dict[str, object]:
    """What the store holds, without the times that differ between two runs."""
    engine = create_engine(normalise_url(settings.database_url()))
    try:
        with engine.connect() as db:
            articles = db.execute(ARTICLES).all()
            stances = db.execute(STANCES).all()
            links = db.execute(LINKS).all()
    finally:
        engine.dispose()
    return {
        "articles": [tuple(row) for row in articles],
        "stances": [(*row[:3], round(row[3], 6)) for row in stances],
        "links": [tuple(row) for row in links],
    }


def assert_intact(settings: Settings) -> None:
    """SQLite's own check of every page and index of the file (PostgreSQL's files are
    the server's: a killed client cannot tear them, only leave its transaction undone)."""
    if settings.db_url is None:
        db = sqlite3.connect(settings.storage / "monitor.db")
        try:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            db.close()


def test_twenty_sigkills_at_random_moments_leave_the_store_an_uninterrupted_run_makes(
    world: World, tmp_path: Path, database: Callable[[], str | None]
) -> None:
    build_site(world)
    reference = settings_in(tmp_path / "reference", world, database())
    _, work = run_to_the_end(reference)  # how long the visit and its analysis take here

    crashed = settings_in(tmp_path / "crashed", world, database())
    rng = random.Random(20241105)  # a failure can be replayed with the same moments
    states = []
    for _ in range(KILLS):
        daemon = start(crashed)
        assert daemon.wait_for("roles:", timeout=60), daemon.text()
        # a moment anywhere in the first half of the work an uninterrupted daemon does
        # on this machine (start-up, visit, analysis): each start gets a little further
        time.sleep(rng.uniform(0.0, work / 2))
        daemon.proc.send_signal(signal.SIGKILL)
        daemon.proc.wait(timeout=10)
        states.append(progress(crashed))
    # the kills did land in the middle of the work, not only before or after it
    assert any(state not in ((0, 0), (PAGES, PAGES)) for state in states), (work, states)
    output, _ = run_to_the_end(crashed)

    assert_intact(crashed)
    got = snapshot(crashed)
    urls = [row[0] for row in got["articles"]]  # type: ignore[attr-defined]
    assert urls == sorted({f"{world.base}/world/{n}" for n in range(PAGES)}), output
    warcs = sorted((crashed.storage / "warc").glob("*.warc.gz"))
    assert len(warcs) >= 2  # one per daemon process that recorded anything
    for path in warcs:
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                record.content_stream().read()  # raises on a torn record
    assert got == snapshot(reference)


def test_a_full_disk_is_a_clear_error_and_corrupts_nothing(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The WARC disk fills up in the middle of a visit: the pages that could not be
    recorded fail with the system's own words and the file's name, nothing half-written
    stays behind, and the next visit (space freed) stores every page."""
    import monitor.fetch.warc as warc

    build_site(world)
    world.delay = 0.0
    settings = settings_in(tmp_path, world)
    real_fsync = warc.os.fsync
    written = {"records": 0}

    def fsync_until_full(fd: int) -> None:
        written["records"] += 1
        if written["records"] > 6:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    async def visit() -> tuple[int, list[str], int]:
        async with open_pipeline(settings) as pipeline:
            result = await pipeline.crawl_source(pipeline.config.sources[0])
            return result.counts["stored"], result.errors, pipeline.store.count_articles()

    monkeypatch.setattr(warc.os, "fsync", fsync_until_full)
    stored, errors, count = asyncio.run(visit())
    assert 0 < stored < PAGES and count == stored
    assert errors and all("No space left on device" in e for e in errors), errors
    warc_dir = str(settings.storage / "warc")
    assert all(warc_dir in e and ".warc.gz" in e for e in errors), errors

    monkeypatch.setattr(warc.os, "fsync", real_fsync)  # space freed
    stored_then, errors_then, count_then = asyncio.run(visit())
    assert errors_then == [] and count_then == PAGES
    db = sqlite3.connect(settings.storage / "monitor.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        db.close()
    for path in (settings.storage / "warc").glob("*.warc.gz"):
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                record.content_stream().read()


@dataclass
class FullDatabase:
    """A test's store and how to run it out of room: ``fill()`` leaves the database no
    room to grow, ``free()`` gives it back, ``check_intact()`` reads all of it."""

    db_url: str | None  # None: SQLite at <storage>/monitor.db
    place: str  # how the store's errors name it
    fill: Callable[[], None]
    free: Callable[[], None]
    check_intact: Callable[[], None]


@contextmanager
def sqlite_at_its_page_limit(database: Path) -> Iterator[FullDatabase]:
    """SQLite's page limit answers SQLITE_FULL, as a full disk does: ``fill()`` caps the
    file at the pages it has."""
    limit: dict[str, int | None] = {"pages": None}
    unlimited = sqlite3.connect(":memory:").execute("PRAGMA max_page_count").fetchone()[0]

    def page_limit(dbapi_connection: object, _record: object, _proxy: object) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute(f"PRAGMA max_page_count = {limit['pages'] or unlimited}")

    def fill() -> None:
        db = sqlite3.connect(database)
        limit["pages"] = db.execute("PRAGMA page_count").fetchone()[0]  # not one page more
        db.close()

    def free() -> None:
        limit["pages"] = None

    def check_intact() -> None:
        db = sqlite3.connect(database)
        try:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            db.close()

    event.listen(Pool, "checkout", page_limit)
    try:
        yield FullDatabase(None, str(database), fill, free, check_intact)
    finally:
        event.remove(Pool, "checkout", page_limit)


@contextmanager
def postgres_on_a_small_disk() -> Iterator[FullDatabase]:
    """PostgreSQL with the store's tables on a tmpfs of its own (see ``small_disk``):
    ``fill()`` takes the disk's last byte, so the server answers disk_full for real."""
    with small_disk(PG_URL) as disk:
        engine = create_engine(normalise_url(disk.url))

        def check_intact() -> None:
            assert "articles" in disk.readable(engine)  # every table reads to its end

        try:
            place = open_store(disk.url)  # migrated while there is room
            place.close()
            yield FullDatabase(disk.url, place.place, disk.fill, disk.free, check_intact)
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def full_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FullDatabase]:
    """A store of the test's own on each dialect, to be filled (data root: tmp_path)."""
    if request.param == "sqlite":
        made = sqlite_at_its_page_limit(tmp_path / "storage" / "monitor.db")
    else:
        made = postgres_on_a_small_disk()
    with made as database:
        yield database


def test_a_full_database_is_a_clear_error_and_corrupts_nothing(
    world: World,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    full_database: FullDatabase,
) -> None:
    """The database runs out of room in the middle of a visit (SQLite at its page limit,
    PostgreSQL on a full disk): the pages it could not take fail with an error naming the
    database, the rest of the visit waits, analysis pauses without blaming any piece,
    what was committed before is untouched and the database intact; with room again,
    the next visit and analysis do all that was left, and the full visit shows in the
    status."""
    build_site(world, pages=PAGES // 2)
    world.delay = 0.0
    settings = settings_in(tmp_path, world, full_database.db_url)
    full = f"the database at {full_database.place} is full"

    async def visit() -> tuple[dict[str, int], list[str]]:
        async with open_pipeline(settings) as pipeline:
            result = await pipeline.crawl_source(pipeline.config.sources[0])
            return dict(result.counts), result.errors

    async def analyse() -> int:
        async with open_pipeline(settings) as pipeline:
            return await pipeline.analyse_pending()

    counts, errors = asyncio.run(visit())  # half the feed, stored with room to spare
    assert counts["stored"] == PAGES // 2 and errors == []
    before = snapshot(settings)

    build_site(world)  # the feed lists the other half too
    full_database.fill()
    with caplog.at_level(logging.ERROR):
        counts, errors = asyncio.run(visit())
    # the pages in hand fail, no further page is begun
    failed, skipped = counts["failed:store_full"], counts.get("skipped:store_full", 0)
    assert failed >= 1 and counts.get("stored", 0) + failed + skipped == PAGES // 2, counts
    assert errors and all(full in e for e in errors), errors
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(full in m for m in logged), logged
    with pytest.raises(StoreError) as refused:
        asyncio.run(analyse())
    assert refused.value.reason == "store_full"
    assert full in refused.value.message

    full_database.check_intact()
    kept = snapshot(settings)
    stored = {row[0] for row in kept["articles"]}  # type: ignore[attr-defined]
    assert set(before["articles"]) <= set(kept["articles"])  # type: ignore[call-overload]
    assert kept["stances"] == []  # no piece half-analysed

    full_database.free()  # room again
    counts, errors = asyncio.run(visit())
    assert errors == [] and counts["stored"] == PAGES - len(stored), counts
    assert asyncio.run(analyse()) == PAGES
    full_database.check_intact()
    with open_store(settings.database_url()) as store:
        assert store.count_articles() == PAGES
        (status,) = store.crawl_status()
    assert status.failures.get("page:store_full", 0) >= 1, status  # the full visit counted
    assert status.last_error is None and status.failing_visits == 0


@pytest.mark.postgres
def test_a_daemon_on_a_full_postgresql_disk_lives_on_and_goes_on_once_there_is_room(
    world: World, tmp_path: Path
) -> None:
    """The disk under PostgreSQL fills up while a daemon visits a source: the daemon says
    which database is full and lives on; once space is freed it analyses what it had
    stored without a restart, stops cleanly, and the status counts the full visit; the
    next crawl stores the rest."""
    build_site(world)
    world.delay = 0.0
    with postgres_on_a_small_disk() as full:
        settings = settings_in(tmp_path, world, full.db_url)
        paced = SOURCES.replace("per_host_delay_seconds: 0", "per_host_delay_seconds: 0.4")
        settings.sources_path.write_text(paced.replace("{base}", world.base), encoding="utf-8")
        daemon = start(settings)  # a visit of 20 pages takes ~8 s at this pace
        try:
            assert daemon.wait_for("roles:", timeout=60), daemon.text()
            deadline = time.monotonic() + 60
            while progress(settings)[0] < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            full.fill()  # in the middle of the visit
            assert daemon.wait_for(f"the database at {full.place} is full"), daemon.text()
            assert daemon.wait_for("could not record the visit"), daemon.text()  # visit over
            stored, _ = progress(settings)
            assert 3 <= stored < PAGES, daemon.text()
            assert daemon.proc.poll() is None, daemon.text()

            full.free()
            deadline = time.monotonic() + 90  # the analyser looks again within 30 s
            while progress(settings) != (stored, stored) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert progress(settings) == (stored, stored), daemon.text()
            assert daemon.proc.poll() is None, daemon.text()
        finally:
            daemon.proc.send_signal(signal.SIGTERM)
            daemon.proc.wait(timeout=60)
        assert daemon.proc.returncode == 0, daemon.text()
        assert "Traceback" not in daemon.text(), daemon.text()

        status = monitor(settings, "status", "--format", "json")
        (row,) = json.loads(status.stdout)["sources"]
        assert row["failures"].get("page:store_full", 0) >= 1, status.stdout
        crawl = monitor(settings, "crawl", "--once", "--workers", "0")
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr
        assert progress(settings) == (PAGES, PAGES)
        full.check_intact()


def monitor(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """A `monitor` command on the test's store, run to its end."""
    command = [sys.executable, "-m", "monitor.cli", *global_options(settings), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.postgres
def test_a_daemon_started_on_a_full_postgresql_disk_says_so_and_starts_once_there_is_room(
    world: World, tmp_path: Path
) -> None:
    """A daemon (re)started while the disk under PostgreSQL is full exits at once with one
    line naming the full database (no traceback, exit status 1, so a supervisor starts it
    again); once there is room it starts and does all the work."""
    build_site(world)
    world.delay = 0.0
    with postgres_on_a_small_disk() as full:
        settings = settings_in(tmp_path, world, full.db_url)
        full.fill()
        refused = start(settings)
        refused.proc.wait(timeout=60)
        assert refused.proc.returncode == 1, refused.text()
        assert f"the database at {full.place} is full" in refused.text()
        assert "Traceback" not in refused.text()
        full.check_intact()

        full.free()
        daemon = start(settings)
        try:
            deadline = time.monotonic() + 60
            while progress(settings) != (PAGES, PAGES) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert progress(settings) == (PAGES, PAGES), daemon.text()
        finally:
            daemon.proc.send_signal(signal.SIGTERM)
            daemon.proc.wait(timeout=60)
        assert daemon.proc.returncode == 0, daemon.text()


@pytest.mark.postgres
def test_a_daemon_whose_job_queue_cannot_be_made_on_a_full_disk_says_so_and_exits(
    world: World, tmp_path: Path
) -> None:
    """The disk fills after the store was set up but before the job queue's tables were
    made (the first start on PostgreSQL after an upgrade, say): the daemon exits with one
    line naming the full database (status 1, so a supervisor starts it again), instead of
    idling for ever with a job queue that never started."""
    build_site(world)
    with postgres_on_a_small_disk() as full:
        settings = settings_in(tmp_path, world, full.db_url)

        async def set_up() -> None:
            async with open_pipeline(settings):  # the store knows its sources
                pass

        asyncio.run(set_up())
        full.fill()
        daemon = start(settings)
        try:
            daemon.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("the daemon idles without its job queue:\n" + daemon.text())
        finally:
            if daemon.proc.poll() is None:
                daemon.proc.kill()
                daemon.proc.wait(timeout=30)
        assert daemon.proc.returncode == 1, daemon.text()
        assert f"the database at {full.place} is full" in daemon.text()
        assert "job queue" in daemon.text()
        assert "Traceback" not in daemon.text(), daemon.text()
