"""Several daemons on one PostgreSQL share the work through procrastinate.

procrastinate is a PostgreSQL-backed job queue that already does the hard parts, so none
of them is written here:

* a job's ``lock`` keeps two jobs with the same lock from running at once: one daemon
  visits a source at a time (``source:<id>``), one analyser works a shard at a time;
* a ``queueing_lock`` keeps at most one waiting job per source or shard;
* every worker writes a heartbeat; the running jobs of a worker whose heartbeat stopped
  (SIGKILL, a lost machine) are found by ``get_stalled_jobs`` and retried by whichever
  daemon looks first, so a dead daemon's visits are taken over after ``lease`` seconds;
* LISTEN/NOTIFY wakes idle workers the moment a job is deferred.

What procrastinate does not do is decide *when*: its periodic tasks are fixed cron lines
per task, while each source has its own interval (and jitter) in sources.yaml. So each
crawler daemon runs a small ticker that claims due sources in the store
(``Store.claim_due_sources``: a read and an update in one transaction, ``FOR UPDATE SKIP
LOCKED``) and defers one crawl job per claimed visit. The weekly digest is claimed per
ISO week in the store as well (``Store.claim_digest``), by the reporter role on every
dialect, so it is written once however many reporters run.

Queues follow the roles: ``crawl`` (crawler), ``analyse`` (analyser), so
``monitor run --role crawler`` on one machine and ``--role analyser`` on another split the
work with no source lists handed out by hand.

procrastinate's own tables live beside the monitor's (same schema); they are created on
the first start against a database that lacks them. The version is pinned in
pyproject.toml: a newer procrastinate brings its own SQL migrations to apply first.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

import psycopg
from procrastinate import App, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued, ProcrastinateException, UniqueViolation
from procrastinate.jobs import Job, Status
from procrastinate.schema import SchemaManager
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import make_url

from monitor.errors import MonitorError
from monitor.lock import DEFAULT_LEASE_SECONDS, holder_name
from monitor.pipeline import Clock, CrawlResult, Pipeline, utc_now
from monitor.store.engine import driver_errors, translated

log = logging.getLogger(__name__)

#: pending analysis is split into this many shards (article id modulo), one job each
ANALYSIS_SHARDS = 8
#: jobs one daemon runs at once (crawls are mostly waiting on the network)
CONCURRENCY = 16
_SCHEMA_LOCK = "monitor.jobs.schema"


def libpq_url(database_url: str) -> str:
    """The SQLAlchemy URL as libpq reads it: a ``key=value`` connection string with every
    query parameter kept. (Not the URL SQLAlchemy renders: it writes a space in a query
    value as ``+``, which libpq reads as a plus, so ``options=-csearch_path=s
    -cdefault_tablespace=t`` became one nonsense search path and the job queue's tables
    found no schema.)"""
    url = make_url(database_url)
    parts: dict[str, Any] = {
        "host": url.host,
        "port": url.port,
        "dbname": url.database,
        "user": url.username,
        "password": url.password,
    }
    for key, value in url.query.items():
        parts[key] = value if isinstance(value, str) else value[-1]  # libpq: the last wins
    return make_conninfo(**{k: v for k, v in parts.items() if v is not None})


class JobEngine:
    """The crawler and analyser roles of one daemon, on procrastinate."""

    def __init__(
        self,
        pipeline: Pipeline,
        database_url: str,
        roles: frozenset[str],
        *,
        only: tuple[str, ...] = (),
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        grace_seconds: float = 20.0,
        poll_seconds: float = 30.0,
        on_crawl: Callable[[CrawlResult], None] | None = None,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.conninfo = libpq_url(database_url)
        self.roles = roles
        self.only = only
        self.lease = lease_seconds
        self.grace = grace_seconds
        self.poll = poll_seconds
        self.on_crawl = on_crawl
        self.clock = clock
        self.rng = rng or random.Random()
        self.holder = holder_name()
        self.app = App(connector=PsycopgConnector(conninfo=self.conninfo, min_size=1, max_size=4))
        self._crawl = self.app.task(name="monitor.crawl", queue="crawl")(self._crawl_job)
        self._analyse = self.app.task(name="monitor.analyse", queue="analyse")(self._analyse_job)

    # ── jobs ────────────────────────────────────────────────────────────────────────

    async def _crawl_job(self, source_id: str, due: str) -> None:
        """Visit a source that fell due at ``due`` (ISO 8601), unless a visit since then
        is already recorded (the same visit queued twice runs once)."""
        try:
            source = self.pipeline.config.source(source_id)
        except MonitorError:
            log.warning("crawl job for %s: no such source in sources.yaml any more", source_id)
            return
        store = self.pipeline.store
        if await self.pipeline.work.store(
            store.visited_since, source_id, datetime.fromisoformat(due)
        ):
            log.info("%s was visited since %s already", source_id, due)
            return
        log.info("visiting %s", source_id)
        result = await self.pipeline.crawl_source(source)  # never raises for a site's fault
        if result.counts["stored"] or result.counts["updated"]:
            await self.defer_analysis()
        if self.on_crawl:
            self.on_crawl(result)

    async def _analyse_job(self, shard: int) -> None:
        try:
            done = await self.pipeline.analyse_pending(shard=(shard, ANALYSIS_SHARDS))
        except MonitorError as exc:  # the store refused (full, gone): the work stays pending
            log.error("analysis paused: %s; the analyser looks again within %.0f s",
                      exc.message, self.poll)  # fmt: skip
            return
        if done:
            log.info("analysed %d stored pieces (shard %d)", done, shard)

    async def defer_analysis(self) -> None:
        """One waiting analysis job per shard (a shard already waiting is left as is)."""
        for shard in range(ANALYSIS_SHARDS):
            await self._defer(self._analyse, f"analyse:{shard}", f"analyse:{shard}", shard=shard)

    async def _defer(self, task: Any, lock: str, queueing_lock: str, **kwargs: Any) -> bool:
        try:
            await task.configure(lock=lock, queueing_lock=queueing_lock).defer_async(**kwargs)
        except AlreadyEnqueued:
            return False
        return True

    # ── loops ───────────────────────────────────────────────────────────────────────

    async def _schedule_visits(self, stop: asyncio.Event) -> None:
        """The crawler's ticker: claim due sources, queue a crawl job for each, then move
        them on (see ``monitor.store.schedule`` for why in two steps)."""
        config = self.pipeline.config
        sources = [s for s in config.sources if s.enabled and (not self.only or s.id in self.only)]
        store, work = self.pipeline.store, self.pipeline.work
        tick = max(0.5, min(15.0, self.lease / 4))
        while not stop.is_set():
            now = self.clock()
            jitter = config.defaults.jitter_seconds
            first = {
                s.id: now + timedelta(seconds=self.rng.uniform(0, min(60, jitter))) for s in sources
            }
            try:
                due = await work.store(
                    store.claim_due_sources,
                    [s.id for s in sources],
                    now=now,
                    first=first,
                    stale_before=now - timedelta(seconds=self.lease),
                    holder=self.holder,
                )
                for source_id, at in due.items():
                    await self._defer(
                        self._crawl,
                        f"source:{source_id}",
                        f"crawl:{source_id}",
                        source_id=source_id,
                        due=at.isoformat(),
                    )
                following = {
                    sid: now
                    + timedelta(
                        minutes=config.interval(config.source(sid)),
                        seconds=self.rng.uniform(0, jitter),
                    )
                    for sid in due
                }
                if following:
                    await work.store(store.hand_over_sources, following, holder=self.holder)
            except Exception:  # the ticker must outlive a database hiccup or a defect
                log.exception("could not schedule visits")
            await _wait(stop, tick)

    async def _take_over(self, stop: asyncio.Event) -> None:
        """Retry the running jobs of daemons whose heartbeat stopped."""
        while not stop.is_set():
            try:
                stalled = await self.app.job_manager.get_stalled_jobs(
                    seconds_since_heartbeat=self.lease
                )
                for job in stalled:
                    await self._take_over_one(job)
            except Exception:
                log.exception("could not look for stalled jobs")
            await _wait(stop, max(0.5, self.lease / 2))

    async def _take_over_one(self, job: Job) -> None:
        """Put a dead daemon's job back in the queue; where the same work is already
        queued again (the ticker re-queues a visit whose claim ran out), end the dead one
        instead, so its lock frees the queued one."""
        manager = self.app.job_manager
        try:
            await manager.retry_job(job)
            log.warning("took over %s of a daemon that stopped answering", job.call_string)
            return
        except ProcrastinateException as exc:
            if not isinstance(exc, UniqueViolation):  # not the queueing lock: not ours now
                log.debug("%s was taken over by another daemon first", job.call_string)
                return
        try:
            assert job.id is not None
            await manager.finish_job_by_id_async(job.id, status=Status.FAILED, delete_job=False)
            log.warning(
                "ended %s of a daemon that stopped answering: the same work is queued again",
                job.call_string,
            )
        except ProcrastinateException:
            log.debug("%s was taken over by another daemon first", job.call_string)

    async def _poll_analysis(self, stop: asyncio.Event) -> None:
        """Analysis left by a stopped daemon or a changed positions.yaml is found here."""
        while not stop.is_set():
            try:
                await self.defer_analysis()
            except Exception:
                log.exception("could not queue analysis")
            await _wait(stop, self.poll)

    async def run(self, stop: asyncio.Event) -> None:
        """Work until ``stop`` is set, then let running jobs finish within the grace.

        Raises ``StoreError`` when the job queue's tables cannot be made (a full disk
        says so, naming the database), and ``MonitorError`` when procrastinate's worker
        ends before ``stop``: either way this daemon would do nothing more, so it must
        not go on looking alive."""
        with (
            translated("cannot create the job queue's tables", self.pipeline.store.place),
            driver_errors(psycopg.Error),
        ):
            await asyncio.to_thread(ensure_schema, self.conninfo)
        queues = [
            q for role, q in (("crawler", "crawl"), ("analyser", "analyse")) if role in self.roles
        ]
        async with self.app.open_async():
            loops: list[Coroutine[Any, Any, None]] = [self._take_over(stop)]
            if "crawler" in self.roles:
                loops.append(self._schedule_visits(stop))
            if "analyser" in self.roles:
                loops.append(self._poll_analysis(stop))
            side = [asyncio.create_task(c) for c in loops]
            worker = None
            if queues:
                worker = asyncio.create_task(
                    self.app.run_worker_async(
                        queues=queues,
                        name=self.holder,
                        concurrency=CONCURRENCY,
                        install_signal_handlers=False,
                        update_heartbeat_interval=max(0.2, self.lease / 4),
                        stalled_worker_timeout=self.lease,
                        shutdown_graceful_timeout=self.grace,
                        delete_jobs="successful",
                    )
                )
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait(
                {stopping} if worker is None else {stopping, worker},
                return_when=asyncio.FIRST_COMPLETED,
            )
            stopping.cancel()
            for task in side:
                task.cancel()
            ended = worker is not None and worker.done() and not stop.is_set()
            if worker is not None:
                worker.cancel()  # procrastinate stops fetching, waits for running jobs
                await asyncio.gather(worker, return_exceptions=True)
            await asyncio.gather(*side, return_exceptions=True)
            if ended:
                assert worker is not None
                error = worker.exception()
                # procrastinate's own errors say "Database error."; the driver's, below, why
                detail = str((error.__cause__ or error) if error else "").strip()
                why = f": {detail.splitlines()[0]}" if detail else ""
                raise MonitorError(f"the job queue's worker stopped{why}",
                                   reason="jobs") from error  # fmt: skip


def ensure_schema(conninfo: str) -> None:
    """Create procrastinate's tables, types and functions if this database lacks them
    (under an advisory lock, so daemons starting together create them once)."""
    with psycopg.connect(conninfo, autocommit=False) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (_SCHEMA_LOCK,))
        found = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if found is None or found[0] is None:
            log.info("creating the job queue's tables (procrastinate)")
            conn.execute(SchemaManager.get_schema())  # type: ignore[arg-type]
        conn.commit()


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
