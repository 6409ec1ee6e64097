"""The daemon only wires: config → scheduled jobs, signals → a clean stop.

One APScheduler 3 interval job per enabled source (with jitter, never two visits of one
source at once), one weekly cron job for the digest. Every decision lives in a stage or in
the pipeline; a job that fails is recorded in its source's status row and the clock goes on.
"""

from __future__ import annotations

import asyncio
import logging
import random
import signal
from collections.abc import Callable, Sequence
from datetime import UTC, timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.pipeline import Clock, CrawlResult, Pipeline, utc_now
from monitor.report import week_of
from monitor.runtime import Settings, open_pipeline

log = logging.getLogger(__name__)

#: seconds in-flight crawls get to finish after a stop signal before they are cancelled
STOP_GRACE_SECONDS = 20.0


class Daemon:
    """Runs until ``stop()`` (or SIGINT/SIGTERM); safe to construct in tests."""

    def __init__(
        self,
        pipeline: Pipeline,
        settings: Settings,
        *,
        only: Sequence[str] = (),
        digest: bool = True,
        on_crawl: Callable[[CrawlResult], None] | None = None,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.settings = settings
        self.only = tuple(only)
        self.digest = digest
        self.on_crawl = on_crawl
        self.clock = clock
        self.rng = rng or random.Random()
        self._stop = asyncio.Event()
        self._running: set[asyncio.Task[object]] = set()
        self.scheduler = AsyncIOScheduler(timezone=UTC)

    def stop(self) -> None:
        self._stop.set()

    def schedule(self) -> None:
        config = self.pipeline.config
        sources = [s for s in config.sources if s.enabled and (not self.only or s.id in self.only)]
        now = self.clock()
        for source in sources:
            # stagger the first visits so a fresh start does not hit every site at once
            first = now + timedelta(
                seconds=self.rng.uniform(0, min(60, config.defaults.jitter_seconds))
            )
            self.scheduler.add_job(
                self._crawl,
                "interval",
                args=[source.id],
                minutes=config.interval(source),
                jitter=config.defaults.jitter_seconds,
                id=f"crawl:{source.id}",
                name=f"crawl {source.id}",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=config.interval(source) * 30,
                next_run_time=first,
            )
        if self.digest:
            d = config.digest
            self.scheduler.add_job(
                self._write_digest,
                "cron",
                day_of_week=d.day_of_week,
                hour=d.hour,
                minute=d.minute,
                id="digest",
                name="weekly digest",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=6 * 3600,
            )
        log.info(
            "scheduled %d sources%s", len(sources), " and the weekly digest" if self.digest else ""
        )

    async def _crawl(self, source_id: str) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            source = self.pipeline.config.source(source_id)
            result = await self.pipeline.crawl_source(source)  # never raises for a site's fault
            if self.on_crawl:
                self.on_crawl(result)
        except Exception:  # a defect in one job must not stop the clock
            log.exception("crawl of %s failed", source_id)
        finally:
            if task is not None:
                self._running.discard(task)

    async def _write_digest(self) -> None:
        week = week_of(self.clock() - timedelta(days=7))
        try:
            paths = self.pipeline.write_digest(week, self.settings.digest_dir)
            log.info("digest %s written: %s", week, paths["html"])
        except Exception:
            log.exception("digest %s could not be written", week)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.stop)
            except (NotImplementedError, RuntimeError):  # not the main thread (tests)
                pass
        stale = self.pipeline.rediff_stale()
        if stale:
            log.info("re-analysed %d stored articles against the current positions.yaml", stale)
        self.schedule()
        self.scheduler.start()
        try:
            await self._stop.wait()
        finally:
            log.info("stopping: no new jobs; waiting for %d running crawls", len(self._running))
            self.scheduler.shutdown(wait=False)
            if self._running:
                _, pending = await asyncio.wait(set(self._running), timeout=STOP_GRACE_SECONDS)
                for task in pending:
                    task.cancel()
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    loop.remove_signal_handler(sig)
                except (NotImplementedError, RuntimeError):
                    pass


async def run_daemon(
    settings: Settings,
    *,
    only: Sequence[str] = (),
    digest: bool = True,
    replay: Sequence[Path] = (),
    on_crawl: Callable[[CrawlResult], None] | None = None,
) -> None:
    """Open the pipeline and run the scheduler until a stop signal."""
    async with open_pipeline(settings, replay=replay) as pipeline:
        await Daemon(pipeline, settings, only=only, digest=digest, on_crawl=on_crawl).run()
