"""Crawl, analysis and reporting as separate work.

An operator runs a crawler that only stores pieces and an analyser that diffs them; a long
analysis in a worker process never holds up a fetch; a stop signal during a re-analysis
backlog ends the daemon at once, and the backlog resumes at the next start.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from monitor.daemon import Daemon
from monitor.demo_data import ARCHIVE
from monitor.differ import Differ, load_positions
from monitor.models import ExtractedArticle
from monitor.runtime import Settings, open_analysis_pipeline, open_pipeline
from monitor.store import open_store
from monitor.workers import Workers
from tests.integration.conftest import start_daemon, stop_after_every_source

if TYPE_CHECKING:
    from tests.integration.conftest import World

REPO = Path(__file__).resolve().parents[2]
SITE = Path(__file__).parent / "site"


def quick_settings(tmp_path: Path) -> Settings:
    text = (REPO / "sources.yaml").read_text(encoding="utf-8")
    sources = tmp_path / "sources.yaml"
    sources.write_text(text.replace("jitter_seconds: 300", "jitter_seconds: 0"), encoding="utf-8")
    return Settings(
        storage=tmp_path / "storage", sources_path=sources, positions_path=REPO / "positions.yaml"
    )


def pending(settings: Settings) -> int:
    with open_analysis_pipeline(settings) as pipeline:
        return len(list(pipeline.store.iter_articles(needing_version=pipeline.differ.version)))


def test_a_crawler_stores_pieces_and_an_analyser_diffs_them(tmp_path: Path) -> None:
    s = quick_settings(tmp_path)

    async def crawler() -> int:
        async with open_pipeline(s, replay=[ARCHIVE]) as pipeline:
            enabled = [x.id for x in pipeline.config.sources if x.enabled]
            daemon = Daemon(pipeline, s, roles=["crawler"])
            stop_after_every_source(daemon, len(enabled))
            await asyncio.wait_for(daemon.run(), timeout=120)
            return pipeline.store.count_articles()

    stored = asyncio.run(crawler())
    assert stored > 30
    assert pending(s) == stored  # the crawler diffed nothing

    async def analyser() -> None:
        async with open_pipeline(s, processes=1) as pipeline:
            daemon = Daemon(pipeline, s, roles=["analyser"], poll_seconds=0.2)
            runner = asyncio.create_task(daemon.run())
            while await asyncio.to_thread(pending, s):
                await asyncio.sleep(0.2)
            daemon.stop()
            await asyncio.wait_for(runner, timeout=60)

    asyncio.run(analyser())
    assert pending(s) == 0


def test_a_long_analysis_does_not_hold_up_a_fetch(world: World) -> None:
    """While the worker pool is busy for seconds (a stand-in for a slow analysis: the
    semantic extra takes that long per piece), a fetch on the event loop finishes; and the
    differ's result from a worker process is the one this process would compute."""
    world.add("/page", (SITE / "1001.html").read_text(encoding="utf-8"))
    differ = Differ(load_positions(REPO / "positions.yaml"))
    text = "Pyongyang sent thousands of soldiers to Russia's Kursk region, officials said."

    async def go() -> tuple[bool, int, object]:
        workers = Workers(differ, processes=1, positions_path=REPO / "positions.yaml")
        try:
            diff = await workers.diff(text, language="en", title=None)
            busy = asyncio.create_task(workers.page(time.sleep, 3.0))
            await asyncio.sleep(0)  # the slow job is handed to the worker
            async with httpx.AsyncClient() as client:
                response = await client.get(world.url("/page"))
            still_running = not busy.done()
            await busy
            return still_running, response.status_code, diff
        finally:
            workers.shutdown()

    still_running, status, diff = asyncio.run(go())
    assert status == 200
    assert still_running, "the fetch waited for the worker"
    assert diff == differ.diff(text, language="en", title=None)


def _fill_backlog(settings: Settings, n: int) -> None:
    """``n`` stored pieces without any differ result: a re-analysis backlog."""
    body = "\n\n".join(
        [
            "Pyongyang sent thousands of soldiers to Russia's Kursk region, officials said.",
            "Moscow and Pyongyang signed a mutual defence treaty in June.",
        ]
        * 40
    )
    store = open_store(settings.database_url())
    try:
        for i in range(n):
            article = ExtractedArticle(
                url=f"https://news.example.org/kursk/{i}",
                title=f"Troops in Kursk, part {i}",
                authors=(),
                published=datetime(2024, 11, 1, tzinfo=UTC),
                language="en",
                text=f"{body}\n\nPart {i}.",
            )
            store.upsert_article(
                article, source_id="tass_en", camp="ru", capture_id=None, seen_at=datetime.now(UTC)
            )
    finally:
        store.close()


def _start_analyser(settings: Settings) -> subprocess.Popen[str]:
    return start_daemon(settings, "--role", "analyser", "--workers", "1")


def test_sigterm_during_a_backlog_stops_at_once_and_the_backlog_resumes(tmp_path: Path) -> None:
    s = quick_settings(tmp_path)
    n = 300
    _fill_backlog(s, n)

    proc = _start_analyser(s)
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:  # wait until the analyser has saved its first batch
        lines.append(line)
        if "pieces analysed so far" in line:
            break
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=30)  # well inside the 20 s grace, whatever is queued
    output = "".join(lines) + rest
    assert proc.returncode == 0, output
    assert "Traceback" not in output
    left = pending(s)
    assert 0 < left < n, output  # stopped half-way; what was saved stays saved

    proc = _start_analyser(s)  # the next start picks the rest up
    try:
        deadline = time.monotonic() + 180
        while pending(s) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert pending(s) == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert proc.returncode == 0
