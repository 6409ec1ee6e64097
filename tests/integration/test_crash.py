"""Crash safety, proven: a daemon SIGKILLed at random moments, twenty times over, while it
crawls and analyses a loopback outlet, ends with the same store as a daemon that was never
interrupted: the database intact, every piece stored once, every WARC file readable to
its end (a record torn by the kill is cut at the next start). A full disk is a clear
error, not a corrupt archive or database.
"""

from __future__ import annotations

import asyncio
import errno
import random
import signal
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from warcio.archiveiterator import ArchiveIterator

from monitor.runtime import Settings, open_pipeline
from monitor.store import open_store
from tests.integration.conftest import Output, start_daemon

if TYPE_CHECKING:
    from tests.integration.conftest import World

REPO = Path(__file__).resolve().parents[2]
PAGES = 20
KILLS = 20

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


def build_site(world: World) -> None:
    items = []
    for n in range(PAGES):
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


def settings_in(root: Path, world: World) -> Settings:
    root.mkdir(parents=True, exist_ok=True)
    sources = root / "sources.yaml"
    sources.write_text(SOURCES.replace("{base}", world.base), encoding="utf-8")
    return Settings(
        storage=root / "storage", sources_path=sources, positions_path=REPO / "positions.yaml"
    )


def run_to_the_end(settings: Settings) -> str:
    """An uninterrupted daemon: one whole visit, its analysis, then a clean stop."""
    daemon = Output(start_daemon(settings, "--workers", "0", "--no-digest"))
    try:
        assert daemon.wait_for("wire ", timeout=120), daemon.text()  # the visit's line
        deadline = time.monotonic() + 120
        while pending(settings) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        daemon.proc.send_signal(signal.SIGTERM)
        daemon.proc.wait(timeout=60)
    assert daemon.proc.returncode == 0, daemon.text()
    return daemon.text()


def pending(settings: Settings) -> int:
    from monitor.differ import Differ, load_positions

    version = Differ(load_positions(settings.positions_path)).version
    store = open_store(settings.database_url())
    try:
        return len(list(store.iter_articles(needing_version=version)))
    finally:
        store.close()


def snapshot(settings: Settings) -> dict[str, object]:
    """What the store holds, without the times that differ between two runs."""
    db = sqlite3.connect(settings.storage / "monitor.db")
    try:
        articles = db.execute(
            "SELECT canonical_url, title, text, language, published_at, content_hash "
            "FROM articles ORDER BY canonical_url"
        ).fetchall()
        stances = db.execute(
            "SELECT a.canonical_url, s.position_id, s.stance, round(s.score, 6) "
            "FROM stances s JOIN articles a ON a.id = s.article_id ORDER BY 1, 2"
        ).fetchall()
        links = db.execute("SELECT url, outcome FROM links ORDER BY url").fetchall()
    finally:
        db.close()
    return {"articles": articles, "stances": stances, "links": links}


def test_twenty_sigkills_at_random_moments_leave_the_store_an_uninterrupted_run_makes(
    world: World, tmp_path: Path
) -> None:
    build_site(world)
    crashed = settings_in(tmp_path / "crashed", world)
    rng = random.Random(20241105)  # a failure can be replayed with the same moments
    for _ in range(KILLS):
        daemon = Output(start_daemon(crashed, "--workers", "0", "--no-digest"))
        # a moment anywhere from start-up to the end of the visit and its analysis
        assert daemon.wait_for("roles:", timeout=60), daemon.text()
        time.sleep(rng.uniform(0.0, 1.0))
        daemon.proc.send_signal(signal.SIGKILL)
        daemon.proc.wait(timeout=10)
    output = run_to_the_end(crashed)

    db = sqlite3.connect(crashed.storage / "monitor.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        db.close()
    got = snapshot(crashed)
    urls = [row[0] for row in got["articles"]]  # type: ignore[union-attr]
    assert urls == sorted({f"{world.base}/world/{n}" for n in range(PAGES)}), output
    warcs = sorted((crashed.storage / "warc").glob("*.warc.gz"))
    assert len(warcs) >= 2  # one per daemon process that recorded anything
    for path in warcs:
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                record.content_stream().read()  # raises on a torn record

    reference = settings_in(tmp_path / "reference", world)
    run_to_the_end(reference)
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
