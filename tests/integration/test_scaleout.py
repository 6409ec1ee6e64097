"""Several daemons, one store.

On PostgreSQL, three daemon processes crawl a loopback web of nine outlets (one host
each, slow pages) with no source lists handed out: every outlet is visited, none twice in
its interval, and when one daemon is SIGKILLed in the middle of a visit another takes the
visit over once its lease has run out. On SQLite, a second daemon on the same store is
refused with a message naming the first, and so is a `monitor crawl --once` beside a
daemon (or a daemon beside one): two crawlers would visit every source twice, each
spacing its own requests, not the other's.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from monitor.demo_data import ARCHIVE
from monitor.runtime import Settings
from monitor.store import open_store
from monitor.store.engine import normalise_url
from tests.integration.conftest import (
    Output,
    World,
    global_options,
    pg_url,
    serving,
    start_daemon,
)

REPO = Path(__file__).resolve().parents[2]
OUTLETS = 9
PIECES = 3  # per outlet
LEASE = 5.0  # seconds: a killed daemon's visits are taken over after this

HEAD = """\
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
"""
ENTRY = """\
  - id: outlet{i}
    name: Outlet {i}
    camp: west
    language: en
    allow_private_addresses: true  # the test web is on 127.0.0.x
    homepage: {base}/
    discovery:
      - kind: rss
        url: {base}/rss.xml
"""
FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Outlet {i}</title><link>{base}/</link>
<description>World news</description>{items}</channel></rss>"""
ITEM = """<item><title>{title}</title><link>{base}/world/{j}</link>
<pubDate>Mon, 04 Nov 2024 0{j}:00:00 GMT</pubDate></item>"""
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
</head><body><nav><a href="/">Home</a></nav><article><h1>{title}</h1>
<p>Outlet {i} reports that North Korean soldiers have reached the Kursk region of Russia,
according to officials in Seoul who spoke on Monday about the deployment.</p>
<p>Pyongyang has not confirmed the figures; Moscow called the reports provocation and said
its treaty with the DPRK concerns only mutual defence.</p>
<p>Analysts in the region say piece {j} of the week adds detail on training camps near the
border and on the supply of shells.</p></article><footer>Contact us</footer></body></html>"""


def build_outlet(world: World, i: int) -> str:
    items = []
    for j in range(PIECES):
        title = f"Outlet {i}: North Korean troops in Kursk, report {j}"
        items.append(ITEM.format(title=title, base=world.base, j=j))
        world.add(f"/world/{j}", PAGE.format(title=title, i=i, j=j))
    feed = FEED.format(i=i, base=world.base, items="".join(items))
    world.add("/rss.xml", feed, "application/rss+xml; charset=utf-8")
    world.delay = 0.4  # a visit takes a couple of seconds
    return ENTRY.format(i=i, base=world.base)


@pytest.mark.postgres
def test_three_daemons_share_the_crawl_and_take_over_a_killed_ones_visits(
    tmp_path: Path, pg_schema: str
) -> None:
    with ExitStack() as stack:
        worlds = [stack.enter_context(serving(f"127.0.0.{10 + i}")) for i in range(OUTLETS)]
        sources = tmp_path / "sources.yaml"
        sources.write_text(
            HEAD + "".join(build_outlet(w, i) for i, w in enumerate(worlds)), encoding="utf-8"
        )
        db = pg_url(pg_schema)
        open_store(db).close()  # migrated before the three daemons start
        settings = Settings(
            storage=tmp_path / "storage",
            sources_path=sources,
            positions_path=REPO / "positions.yaml",
            db_url=db,
        )
        args = ("--lease", str(LEASE), "--workers", "1", "--no-digest")
        daemons = [Output(start_daemon(settings, *args)) for _ in range(3)]
        try:
            # the first daemon to start a visit is killed in the middle of it
            deadline = time.monotonic() + 120
            victim = None
            while victim is None and time.monotonic() < deadline:
                victim = next((d for d in daemons if d.visiting()), None)
                time.sleep(0.05)
            assert victim is not None, "\n".join(d.text() for d in daemons)
            victim.proc.send_signal(signal.SIGKILL)
            victim.proc.wait(timeout=10)
            interrupted = set(victim.visiting())
            survivors = [d for d in daemons if d is not victim]

            visited = _wait_for_every_visit(settings, deadline=time.monotonic() + 120)
            assert visited == {f"outlet{i}": 1 for i in range(OUTLETS)}, _show(daemons)
            store = open_store(db)
            try:
                assert store.count_articles() == OUTLETS * PIECES
                assert _analysed_in_time(store, settings), _show(daemons)
            finally:
                store.close()
        finally:
            for d in daemons:
                if d.proc.poll() is None:
                    d.proc.send_signal(signal.SIGTERM)
            for d in daemons:
                d.proc.wait(timeout=60)

    # each outlet's feed was read once in its interval, but the visits the killed daemon
    # had begun, which were read once more by the daemon that took them over
    for i, world in enumerate(worlds):
        expected = 2 if f"outlet{i}" in interrupted else 1
        assert world.hits["/rss.xml"] <= expected, (i, _show(daemons))
        assert all(world.hits[f"/world/{j}"] <= expected for j in range(PIECES))
    taken_over = "".join(d.text() for d in survivors)
    assert "of a daemon that stopped answering" in taken_over, _show(daemons)
    finished_by_survivors = {
        line.split()[0]
        for d in survivors
        for line in d.text().splitlines()
        if line.startswith("outlet")
    }
    assert interrupted <= finished_by_survivors
    for d in survivors:
        assert d.proc.returncode == 0, d.text()
        assert "Traceback" not in d.text()


def _wait_for_every_visit(settings: Settings, *, deadline: float) -> dict[str, int]:
    """Visits recorded per outlet, once every outlet has one (or the deadline passed)."""
    engine = create_engine(normalise_url(settings.database_url()))
    try:
        while True:
            with engine.connect() as conn:
                rows = conn.execute(
                    text("SELECT source_id, count(*) FROM crawl_runs GROUP BY source_id")
                ).all()
            visited = {source: int(n) for source, n in rows}
            if len(visited) == OUTLETS or time.monotonic() > deadline:
                return visited
            time.sleep(0.3)
    finally:
        engine.dispose()


def _analysed_in_time(store, settings: Settings) -> bool:
    from monitor.differ import Differ, load_positions

    version = Differ(load_positions(settings.positions_path)).version
    deadline = time.monotonic() + 120
    while list(store.iter_articles(needing_version=version)) and time.monotonic() < deadline:
        time.sleep(0.3)
    return not list(store.iter_articles(needing_version=version))


def _show(daemons: list[Output]) -> str:
    return "\n".join(f"--- daemon {n}\n{d.text()}" for n, d in enumerate(daemons))


def _replay_settings(tmp_path: Path) -> Settings:
    sources = tmp_path / "sources.yaml"
    quick = (REPO / "sources.yaml").read_text(encoding="utf-8")
    sources.write_text(quick.replace("jitter_seconds: 300", "jitter_seconds: 0"), "utf-8")
    return Settings(
        storage=tmp_path / "storage", sources_path=sources, positions_path=REPO / "positions.yaml"
    )


def test_a_second_daemon_on_one_sqlite_store_is_refused_by_name(tmp_path: Path) -> None:
    settings = _replay_settings(tmp_path)
    first = start_daemon(settings, "--replay", str(ARCHIVE), "--workers", "0")
    try:
        assert first.stdout is not None
        for line in first.stdout:  # the first one holds the store once it crawls
            if "visiting" in line:
                break
        second = start_daemon(settings, "--replay", str(ARCHIVE), "--workers", "0")
        output, _ = second.communicate(timeout=60)
        assert second.returncode == 1, output
        assert f"(monitor daemon, pid {first.pid} on" in output
        assert str(settings.storage / "monitor.db") in output
        assert "Traceback" not in output
    finally:
        first.send_signal(signal.SIGKILL)  # a crash: the kernel frees the lock
        first.wait(timeout=30)
    third = start_daemon(settings, "--replay", str(ARCHIVE), "--workers", "0")
    try:
        assert third.stdout is not None
        for line in third.stdout:
            if "visiting" in line:
                break
        assert third.poll() is None  # it took the store over
    finally:
        third.send_signal(signal.SIGTERM)
        third.communicate(timeout=60)
    assert third.returncode == 0



def test_a_crawl_once_beside_a_daemon_on_one_sqlite_store_is_refused_by_name(
    tmp_path: Path,
) -> None:
    settings = _replay_settings(tmp_path)
    daemon = start_daemon(settings, "--replay", str(ARCHIVE), "--workers", "0")
    try:
        assert daemon.stdout is not None
        for line in daemon.stdout:  # the daemon holds the store once it crawls
            if "visiting" in line:
                break
        command = [sys.executable, "-m", "monitor.cli", *global_options(settings), "crawl"]
        once = subprocess.Popen(
            [*command, "--once", "--replay", str(ARCHIVE), "--workers", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output, _ = once.communicate(timeout=60)
        assert once.returncode == 1, output
        assert f"(monitor daemon, pid {daemon.pid} on" in output
        assert str(settings.storage / "monitor.db") in output
        assert "Traceback" not in output
        assert daemon.poll() is None  # the daemon goes on
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.communicate(timeout=60)
    assert daemon.returncode == 0


def test_a_daemon_beside_a_crawl_once_on_one_sqlite_store_is_refused_by_name(
    tmp_path: Path, world: World
) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(HEAD + build_outlet(world, 0), encoding="utf-8")
    world.delay = 2.0  # the visit takes several seconds: the daemon starts in the middle
    settings = Settings(
        storage=tmp_path / "storage", sources_path=sources, positions_path=REPO / "positions.yaml"
    )
    command = [sys.executable, "-m", "monitor.cli", *global_options(settings), "crawl", "--once"]
    once = subprocess.Popen(
        [*command, "--workers", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not world.hits["/rss.xml"] and time.monotonic() < deadline:
            time.sleep(0.05)  # it holds the store before it asks for anything
        assert world.hits["/rss.xml"], "the crawl never began"
        daemon = start_daemon(settings, "--workers", "0")
        try:
            output, _ = daemon.communicate(timeout=60)
        finally:
            if daemon.poll() is None:  # it was let in: stop it, the test has failed
                daemon.kill()
                daemon.communicate(timeout=30)
        assert daemon.returncode == 1, output
        assert f"(monitor crawl --once, pid {once.pid} on" in output
        assert str(settings.storage / "monitor.db") in output
        assert "Traceback" not in output
    finally:
        rest, _ = once.communicate(timeout=120)
    assert once.returncode == 0, rest
    assert "3 stored" in rest  # the crawl went on undisturbed


def test_the_job_queue_connects_with_every_option_of_the_database_url() -> None:
    """Options with spaces in them (two ``-c`` settings) reach libpq whole: rendered as a
    URL they came out with ``+`` for the space, and the daemon's job queue found no
    schema."""
    from psycopg.conninfo import conninfo_to_dict

    from monitor.jobs import libpq_url

    url = (
        "postgresql+psycopg://ops:p%40ss@127.0.0.1:5433/news"
        "?options=-csearch_path%3Dmonitor%20-cdefault_tablespace%3Dfast&sslmode=disable"
    )
    assert conninfo_to_dict(libpq_url(url)) == {
        "host": "127.0.0.1",
        "port": "5433",
        "dbname": "news",
        "user": "ops",
        "password": "p@ss",
        "options": "-csearch_path=monitor -cdefault_tablespace=fast",
        "sslmode": "disable",
    }


@pytest.mark.postgres
def test_a_daemon_whose_job_queue_stops_says_why_and_exits(
    tmp_path: Path, world: World, pg_schema: str
) -> None:
    """The job queue's worker cannot work (here its table is there but none of its
    functions, as another procrastinate version could leave it): the daemon exits with
    status 1 and the database's reason, instead of idling for ever looking alive."""
    sources = tmp_path / "sources.yaml"
    sources.write_text(HEAD + build_outlet(world, 0), encoding="utf-8")
    db = pg_url(pg_schema)
    open_store(db).close()
    engine = create_engine(normalise_url(db))
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE procrastinate_jobs (id integer)"))
    finally:
        engine.dispose()
    settings = Settings(
        storage=tmp_path / "storage",
        sources_path=sources,
        positions_path=REPO / "positions.yaml",
        db_url=db,
    )
    daemon = start_daemon(settings, "--workers", "0", "--no-digest")
    try:
        output, _ = daemon.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        daemon.kill()
        output, _ = daemon.communicate(timeout=30)
        pytest.fail("the daemon idles without its job queue:\n" + output)
    assert daemon.returncode == 1, output
    assert "Error: the job queue's worker stopped: " in output
    assert "procrastinate" in output.split("Error: ", 1)[1]  # the database's own words
