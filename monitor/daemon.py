"""The daemon only wires: config → scheduled jobs, signals → a clean stop.

A daemon plays one or more **roles**:

* ``crawler``: one APScheduler 3 interval job per enabled source (with jitter, never two
  visits of one source at once); a visit stores pieces and leaves their analysis pending;
* ``analyser``: one task that drains pending analysis (new or changed pieces, or pieces
  analysed against another positions.yaml) through the worker processes, woken by this
  daemon's crawls and otherwise polling the store, so it also serves other daemons' crawls
  and resumes after a restart whatever was left;
* ``reporter``: the weekly cron job that brings analysis up to date and writes the digest.

Every decision lives in a stage or in the pipeline; a job that fails is recorded in its
source's status row and the clock goes on. A stop signal starts no new page, analysis or
job at once, gives what runs ``STOP_GRACE_SECONDS`` and cancels the rest; nothing half
done is lost, because pending analysis is read from the store at the next start.
"""

from __future__ import annotations

import asyncio
import logging
import random
import signal
import time
from collections.abc import Callable, Sequence
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.errors import MonitorError
from monitor.lock import DEFAULT_LEASE_SECONDS, holder_name
from monitor.metrics import Metrics
from monitor.pipeline import ANALYSIS_BATCH, Clock, CrawlResult, Pipeline, utc_now
from monitor.report import week_of
from monitor.runtime import Settings, open_pipeline
from monitor.workers import default_processes

log = logging.getLogger(__name__)

#: seconds in-flight crawls get to finish after a stop signal before they are cancelled
STOP_GRACE_SECONDS = 20.0
#: seconds between two looks for pending analysis when no crawl of ours woke the analyser
ANALYSIS_POLL_SECONDS = 30.0
ROLES = ("crawler", "analyser", "reporter")
#: how long a reporter's claim on a week's digest holds before another may take it over
DIGEST_CLAIM = timedelta(hours=1)


class Daemon:
    """Runs until ``stop()`` (or SIGINT/SIGTERM); safe to construct in tests."""

    def __init__(
        self,
        pipeline: Pipeline,
        settings: Settings,
        *,
        roles: Sequence[str] = ROLES,
        only: Sequence[str] = (),
        digest: bool = True,
        on_crawl: Callable[[CrawlResult], None] | None = None,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
        poll_seconds: float = ANALYSIS_POLL_SECONDS,
        metrics: Metrics | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> None:
        unknown = set(roles) - set(ROLES)
        if unknown or not roles:
            raise ValueError(f"roles must be among {', '.join(ROLES)}, got {list(roles)}")
        self.pipeline = pipeline
        self.settings = settings
        self.roles = frozenset(roles)
        self.only = tuple(only)
        self.digest = digest and "reporter" in self.roles
        self.on_crawl = on_crawl
        self.clock = clock
        self.rng = rng or random.Random()
        self.poll_seconds = poll_seconds
        self.metrics = metrics
        self.lease_seconds = lease_seconds
        self.holder = holder_name()
        # PostgreSQL: crawls and analysis are jobs shared with the other daemons
        self.shared = settings.shared_database and bool(self.roles & {"crawler", "analyser"})
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()  # a crawl of ours stored something to analyse
        self._running: set[asyncio.Task[object]] = set()
        # wake the analyser at each stored piece, not when a visit ends: a source of 50
        # pages at a polite pace takes minutes, and its pieces would wait for all of them
        pipeline.on_stored = self._wake.set
        self.scheduler = AsyncIOScheduler(timezone=UTC)

    def stop(self) -> None:
        self._stop.set()
        self.pipeline.stop_new_work()

    def schedule(self) -> None:
        if "crawler" in self.roles and not self.shared:
            self._schedule_crawls()
        if self.digest:
            d = self.pipeline.config.digest
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
        retention = self.pipeline.config.retention
        if "crawler" in self.roles and retention.warc_days:
            self.scheduler.add_job(
                self._prune,
                "cron",
                hour=retention.hour,
                minute=17,
                id="retention",
                name="delete old WARC captures",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=6 * 3600,
            )
        roles = ", ".join(sorted(self.roles))
        log.info("roles: %s%s", roles, "" if self.digest else " (no digest)")

    def _schedule_crawls(self) -> None:
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
        log.info("scheduled %d sources", len(sources))

    async def _crawl(self, source_id: str) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            source = self.pipeline.config.source(source_id)
            log.info("visiting %s", source_id)
            result = await self.pipeline.crawl_source(source)  # never raises for a site's fault
            if self.metrics is not None and result.started and result.finished:
                seconds = (result.finished - result.started).total_seconds()
                self.metrics.visit(source_id, result.counts, ok=result.ok, seconds=seconds)
            if result.counts["stored"] or result.counts["updated"]:
                self._wake.set()
            if self.on_crawl:
                self.on_crawl(result)
        except Exception:  # a defect in one job must not stop the clock
            log.exception("crawl of %s failed", source_id)
        finally:
            if task is not None:
                self._running.discard(task)

    async def _analyse(self) -> None:
        """The analyser role: drain pending analysis, then wait for a crawl or the poll."""
        while not self._stop.is_set():
            self._wake.clear()
            try:
                started = time.monotonic()
                done = await self.pipeline.analyse_pending(progress=_log_progress)
                if self.metrics is not None:
                    self.metrics.analysed(done, time.monotonic() - started)
                if done:
                    log.info("analysed %d stored pieces", done)
            except MonitorError as exc:  # the store refused (full, gone): the work waits
                log.error("analysis paused: %s; retrying in %.0f s", exc.message,
                          self.poll_seconds)  # fmt: skip
            except Exception:  # a defect must not end the analyser; the store keeps the work
                log.exception("analysis failed; retrying in %.0f s", self.poll_seconds)
            waits = [asyncio.ensure_future(e.wait()) for e in (self._wake, self._stop)]
            _, pending = await asyncio.wait(
                waits, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()

    async def _prune(self) -> None:
        """The daily clean-up of raw captures past ``retention.warc_days`` (crawler role:
        each crawler owns the WARC directory it writes)."""
        days = self.pipeline.config.retention.warc_days
        if not days:
            return
        try:
            pruned = await self.pipeline.work.store(
                self.pipeline.prune_captures, self.settings.warc_dir, days
            )
            if pruned.files:
                log.info("retention: %d WARC files (%.1f MB) older than %d days deleted",
                         pruned.files, pruned.bytes / 1e6, days)  # fmt: skip
        except Exception:
            log.exception("retention: old WARC captures could not be deleted")

    async def _write_digest(self) -> None:
        """The reporter's weekly job: claim last week's digest (so one daemon writes it
        however many reporters run), bring analysis up to date, write, mark it written."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        now = self.clock()
        week = week_of(now - timedelta(days=7))
        store, work = self.pipeline.store, self.pipeline.work
        started, ok, claimed = time.monotonic(), False, False
        try:
            claimed = await work.store(
                store.claim_digest, week, holder=self.holder, now=now, until=now + DIGEST_CLAIM
            )
            if not claimed:
                log.info("digest %s is written, or being written by another daemon", week)
                return
            stale = await self.pipeline.analyse_pending()
            if stale:
                log.info("analysed %d pending pieces before the digest", stale)
            paths = await asyncio.to_thread(
                self.pipeline.write_digest, week, self.settings.digest_dir
            )
            await work.store(store.finish_digest, week, holder=self.holder, now=self.clock())
            log.info("digest %s written: %s", week, paths["html"])
            ok = True  # written; the mail has its own log and ledger
            await self._mail_digest(week, paths)
        except Exception:
            log.exception("digest %s could not be written", week)
        finally:
            if self.metrics is not None and claimed:  # another daemon's week is not a run
                self.metrics.digest(ok=ok, seconds=time.monotonic() - started)
            if task is not None:
                self._running.discard(task)

    async def _mail_digest(self, week: str, paths: dict[str, Path]) -> None:
        """E-mail the digest once per week (the store remembers what went out)."""
        try:
            mailed = await asyncio.to_thread(self.pipeline.mail_digest, week, paths)
            log.info("digest %s e-mail: %s", week, mailed)
        except Exception:
            log.exception(
                "digest %s could not be e-mailed (`monitor digest --week %s --email` retries)",
                week,
                week,
            )

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.stop)
            except (NotImplementedError, RuntimeError):  # not the main thread (tests)
                pass
        self.schedule()
        self.scheduler.start()
        if self.shared:
            from monitor.jobs import JobEngine  # PostgreSQL only: procrastinate, psycopg

            engine = JobEngine(
                self.pipeline,
                self.settings.database_url(),
                self.roles,
                only=self.only,
                lease_seconds=self.lease_seconds,
                grace_seconds=STOP_GRACE_SECONDS,
                poll_seconds=self.poll_seconds,
                on_crawl=self.on_crawl,
                clock=self.clock,
                rng=self.rng,
            )
            core: asyncio.Task[Any] | None = asyncio.create_task(engine.run(self._stop))
        elif "analyser" in self.roles:
            core = asyncio.create_task(self._analyse())
        else:
            core = None
        early = False
        try:
            waits: set[asyncio.Future[Any]] = {asyncio.ensure_future(self._stop.wait())}
            if core is not None:
                self._running.add(core)
                waits.add(core)
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            # the job queue (or analyser) ended by itself: this daemon would do nothing
            # more while looking alive, so it stops and says why
            early = core is not None and core.done() and not self._stop.is_set()
        finally:
            self.stop()
            log.info("stopping: no new work; waiting for %d running jobs", len(self._running))
            self.scheduler.shutdown(wait=False)
            if self._running:
                _, pending = await asyncio.wait(set(self._running), timeout=STOP_GRACE_SECONDS)
                for task in pending:
                    task.cancel()
                if pending:
                    await asyncio.wait(pending, timeout=1.0)
            await self.pipeline.record_visits()  # any the store refused for want of room
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    loop.remove_signal_handler(sig)
                except (NotImplementedError, RuntimeError):
                    pass
        if early and core is not None:
            error = core.exception()
            if isinstance(error, MonitorError):
                raise error
            raise MonitorError(f"the daemon's work stopped: {error!r}") from error


def _log_progress(done: int) -> None:
    if done % ANALYSIS_BATCH == 0:
        log.info("%d pieces analysed so far", done)


async def run_daemon(
    settings: Settings,
    *,
    roles: Sequence[str] = ROLES,
    only: Sequence[str] = (),
    digest: bool = True,
    replay: Sequence[Path] = (),
    workers: int | None = None,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
    on_crawl: Callable[[CrawlResult], None] | None = None,
    metrics: Metrics | None = None,
) -> None:
    """Hold the store (SQLite: refuse a second daemon), open the pipeline (with
    ``workers`` worker processes, default two) and run the daemon until a stop signal."""
    lock = settings.daemon_lock()
    if lock is not None:
        lock.acquire()
    try:
        processes = default_processes() if workers is None else workers
        async with open_pipeline(settings, replay=replay, processes=processes) as pipeline:
            await pipeline.work.start()
            daemon = Daemon(
                pipeline,
                settings,
                roles=roles,
                only=only,
                digest=digest,
                on_crawl=on_crawl,
                lease_seconds=lease_seconds,
                metrics=metrics,
            )
            await daemon.run()
    finally:
        if lock is not None:
            lock.release()
