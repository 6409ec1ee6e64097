"""A page whose work stalls costs that page only: the daemon cuts it at its time limit,
counts it in `monitor status`, never asks for it again, and the other hosts' pages are
stored meanwhile.

Two outlets on their own loopback hosts, crawled by an in-process daemon with its worker
processes. Which page stalls is set by the page worker's own start-up seam
(``open_pipeline(page_setup=…)``): in the worker process, page work on a URL with
``/stuck`` first sleeps for two minutes — a stand-in for extraction hung in a C extension,
which no thread-level timeout could cut.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.daemon import Daemon
from monitor.pipeline import CrawlResult
from monitor.runtime import Settings, open_pipeline
from monitor.store import open_store
from tests.faults.web import REPO, stall_pages, stall_web

LIMIT = 6.0  # page_timeout_seconds: far below the stall, far above an ordinary page


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("page-timeout")
    slow, other, sources = stall_web(root, LIMIT, "6")
    settings = Settings(
        storage=root / "storage",
        sources_path=sources,
        positions_path=REPO / "positions.yaml",
    )

    async def run() -> tuple[list[CrawlResult], CrawlResult]:
        setup = (stall_pages, ("/stuck", 120.0))
        async with open_pipeline(settings, processes=2, page_setup=setup) as pipeline:
            await pipeline.work.start()
            daemon = Daemon(pipeline, settings, roles=["crawler"], digest=False)
            visits: list[CrawlResult] = []

            def on_crawl(result: CrawlResult) -> None:
                visits.append(result)
                if len(visits) == 2:
                    daemon.stop()

            daemon.on_crawl = on_crawl
            await asyncio.wait_for(daemon.run(), timeout=120)
            # the daemon's pipeline goes on: the next visit of the slow outlet
            again = await pipeline.crawl_source(pipeline.config.source("slowsite"))
            return visits, again

    try:
        visits, again = asyncio.run(run())
        store = open_store(settings.database_url())
        try:
            stored = [(a.source_id, a.url) for a in store.iter_articles()]
        finally:
            store.close()
        cli = ["--storage", str(settings.storage), "--sources", str(settings.sources_path),
               "--positions", str(settings.positions_path), "status"]  # fmt: skip
        runner = CliRunner()
        shown = runner.invoke(main, [*cli, "--format", "json"], catch_exceptions=False)
        table = runner.invoke(main, cli, catch_exceptions=False, env={"COLUMNS": "300"})
        yield {
            "visits": {v.source_id: v for v in visits},
            "order": [v.source_id for v in visits],
            "again": again,
            "stored": stored,
            "status": {r["source_id"]: r for r in json.loads(shown.stdout)["sources"]},
            "table": table.stdout,
            "slow": slow,
        }
    finally:
        slow.server and slow.server.shutdown()
        other.server and other.server.shutdown()


def test_the_other_host_is_stored_while_the_page_is_stuck(crawled: dict[str, Any]) -> None:
    others = sorted(url.rsplit("/", 1)[1] for sid, url in crawled["stored"] if sid == "othersite")
    assert others == [f"b{n}" for n in range(6)]
    # its visit ended while the stuck page still held its worker (cut only after LIMIT)
    assert crawled["order"][0] == "othersite"
    assert crawled["visits"]["othersite"].counts["stored"] == 6


def test_the_stuck_page_is_a_counted_page_timeout(crawled: dict[str, Any]) -> None:
    visit = crawled["visits"]["slowsite"]
    assert visit.counts["failed:page_timeout"] == 1
    assert visit.counts["stored"] == 2  # the pages beside it on its own site
    row = crawled["status"]["slowsite"]
    assert row["failures"] == {"page:page_timeout": 1}
    assert "/stuck" in row["last_error"] and "page_timeout_seconds" in row["last_error"]
    line = next(x for x in crawled["table"].splitlines() if "slowsite" in x)
    assert "page:page_timeout ×1" in line
    assert crawled["status"]["othersite"]["failures"] == {}


def test_the_stuck_page_is_settled_and_the_daemon_goes_on(crawled: dict[str, Any]) -> None:
    again = crawled["again"]
    assert again.ok and again.counts["new_links"] == 0  # nothing left to fetch
    assert crawled["slow"].hits["/stuck"] == 1  # never asked for again
