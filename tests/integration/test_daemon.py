"""The daemon: every source on its own clock, a weekly digest, a clean stop on a signal."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path

from monitor.config import load_sources
from monitor.daemon import Daemon
from monitor.demo_data import ARCHIVE
from monitor.pipeline import CrawlResult
from monitor.runtime import Settings, open_pipeline
from tests.integration.conftest import start_daemon, stop_after_every_source

REPO = Path(__file__).resolve().parents[2]


def quick_sources(tmp_path: Path) -> Path:
    """The real sources.yaml, but first visits start at once."""
    text = (REPO / "sources.yaml").read_text(encoding="utf-8")
    path = tmp_path / "sources.yaml"
    path.write_text(text.replace("jitter_seconds: 300", "jitter_seconds: 0"), encoding="utf-8")
    return path


def settings(tmp_path: Path) -> Settings:
    return Settings(
        storage=tmp_path / "storage",
        sources_path=quick_sources(tmp_path),
        positions_path=REPO / "positions.yaml",
    )


def test_the_daemon_visits_every_source_and_stops_on_request(tmp_path: Path) -> None:
    s = settings(tmp_path)
    seen: list[CrawlResult] = []

    async def go() -> list[str]:
        async with open_pipeline(s, replay=[ARCHIVE]) as pipeline:
            enabled = [x.id for x in pipeline.config.sources if x.enabled]
            daemon = Daemon(pipeline, s, digest=True)
            visits = stop_after_every_source(daemon, len(enabled))
            await asyncio.wait_for(daemon.run(), timeout=120)
            seen.extend(visits)
            jobs = sorted(job.id for job in daemon.scheduler.get_jobs())
            assert pipeline.store.count_articles() > 30
            return jobs

    remaining = asyncio.run(go())
    enabled = [x.id for x in load_sources(s.sources_path).sources if x.enabled]
    assert sorted(r.source_id for r in seen) == sorted(enabled)
    assert remaining == []  # the scheduler was shut down


def test_the_weekly_job_writes_last_weeks_digest(tmp_path: Path) -> None:
    s = settings(tmp_path)
    monday = datetime(2024, 11, 4, 6, 0, tzinfo=UTC)

    async def go() -> None:
        async with open_pipeline(s, replay=[ARCHIVE], clock=lambda: monday) as pipeline:
            await pipeline.crawl([x for x in pipeline.config.sources if x.enabled])
            daemon = Daemon(pipeline, s, clock=lambda: monday)
            await daemon._write_digest()

    asyncio.run(go())
    assert (s.digest_dir / "2024-W44.html").exists()
    assert (s.digest_dir / "digests.atom").exists()


def test_sigterm_stops_the_daemon_cleanly(tmp_path: Path) -> None:
    s = settings(tmp_path)
    proc = start_daemon(s, "--replay", str(ARCHIVE), "--source", "tass_en")
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:  # wait for the first visit to finish
        lines.append(line)
        if line.startswith("tass_en"):
            break
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=60)
    output = "".join(lines) + rest
    assert proc.returncode == 0, output
    assert "daemon stopped" in output
    assert "Traceback" not in output
