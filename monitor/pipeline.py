"""The pipeline: the one place where the stages meet.

discover → fetch → extract → relevance → store → differ → report. Each stage is a module
with a small typed interface that knows nothing of the others; this module hands one
stage's output to the next and turns every failure into a counted, logged skip or a
per-source status row. The daemon and the CLI call these functions and nothing deeper.

The crawl's stages (discover, fetch, page work, relevance, stories) are imported by the
methods that crawl, not here: a digest, an export or a label needs none of them, and
their libraries (httpx, feedparser, selectolax, numpy…) cost each such command a third of
a second before it reads anything.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor import report
from monitor.config import Source, SourcesFile
from monitor.differ import Differ, Positions
from monitor.errors import (
    STORE_FULL,
    MonitorError,
    NotArchived,
    PageTimeout,
    WorkerTimeout,
    failure_reason,
)
from monitor.models import (
    AnalysisFailure,
    DiffResult,
    DigestInput,
    ExtractedArticle,
    Link,
    PositionInfo,
    Relevance,
    Response,
    SourceInfo,
    StoredArticle,
    position_order,
)
from monitor.store import Store
from monitor.urls import canonical_url, host_of
from monitor.workers import Workers

if TYPE_CHECKING:
    from monitor.fetch import Fetcher
    from monitor.pagework import PageInput
    from monitor.stories import Fingerprint, StoryGrouper

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

#: child sitemaps (of a sitemap index) followed per endpoint and visit
MAX_CHILDREN = 3
#: article pages in hand per source: being fetched, or fetched and waiting for page work
#: (the fetcher still spaces requests per host). While page work waits for a spare worker
#: (a page stuck for a second, then a process start: ~3 s on a busy machine), a host's
#: fetches go on into these slots; at 4 they ran out and its requests waited.
PAGE_CONCURRENCY = 8
#: stored pieces read per batch when looking for pending analysis
ANALYSIS_BATCH = 64
#: weeks the digest's trends span, this week included
TREND_WEEKS = 12
#: visit records kept in memory while the store refuses them (full), newest kept
MAX_UNRECORDED = 1000


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CrawlResult:
    """What one visit to one source did, for the status row and the progress output."""

    source_id: str
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    started: datetime | None = None
    finished: datetime | None = None

    @property
    def ok(self) -> bool:
        """A visit is healthy when at least one endpoint answered."""
        return self.counts["endpoints_ok"] > 0

    @property
    def all_links_handled(self) -> bool:
        """None was left for a stop and none failed for our own fault (a full disk or
        database): those must be tried again next visit, not wait for the feed to change.
        (A page the site failed is retried when the feed next lists something new.)"""
        c = self.counts
        return not (c["skipped:stopping"] or c["failed:archive"] or c[f"failed:{STORE_FULL}"])

    @property
    def not_archived(self) -> bool:
        """Replay only: the archive holds none of this source's endpoints."""
        c = self.counts
        return c["endpoints"] > 0 and c["endpoint_not_archived"] == c["endpoints"]

    def summary(self) -> str:
        c = self.counts
        parts = [
            f"{c['endpoints_ok']}/{c['endpoints']} endpoints",
            f"{c['links']} links",
            f"{c['new_links']} new",
            f"{c['stored']} stored",
        ]
        if c["updated"]:
            parts.append(f"{c['updated']} updated")
        dropped = sum(v for k, v in c.items() if k.startswith(("dropped:", "skipped:")))
        if dropped:
            parts.append(f"{dropped} skipped")
        failed = sum(v for k, v in c.items() if k.startswith("failed:"))
        if failed:
            parts.append(f"{failed} failed")
        absent = c["endpoint_not_archived"] + c["failed:not_archived"]
        if absent:
            parts.append(f"{absent} not in the archive")
        return ", ".join(parts)


@dataclass
class Pipeline:
    """The stages wired together for one configuration, one store and one fetcher."""

    config: SourcesFile
    positions: Positions
    store: Store
    fetcher: Fetcher | None  # None: an analysis-only pipeline (no crawling)
    differ: Differ
    clock: Clock = utc_now
    workers: Workers | None = None  # None: everything runs inline, in this thread
    story_grouper: StoryGrouper | None = None  # made on first use (see group_story)
    on_stored: Callable[[], None] | None = None  # called on the loop for each stored piece

    def __post_init__(self) -> None:
        if self.workers is None:
            self.workers = Workers.inline(self.differ)
        self._stopping = False
        self._failed_analysis: set[int] = set()
        # visit records the store refused (full), written before the next one
        self._unrecorded: list[tuple[str, dict[str, Any]]] = []

    @property
    def work(self) -> Workers:
        assert self.workers is not None  # set in __post_init__
        return self.workers

    @property
    def stopping(self) -> bool:
        return self._stopping

    def stop_new_work(self) -> None:
        """A stop was asked for: start no new page fetch or analysis; what is running
        finishes (the daemon cancels it after the grace period)."""
        self._stopping = True

    # ── crawling ────────────────────────────────────────────────────────────────────

    def register_sources(self) -> None:
        self.store.upsert_sources(source_info(s) for s in self.config.sources)
        if self.fetcher is not None:
            for source in self.config.sources:
                for endpoint in source.discovery:
                    if endpoint.host_delay_seconds:
                        self.fetcher.pace(endpoint.url, endpoint.host_delay_seconds)

    async def crawl(self, sources: Sequence[Source]) -> list[CrawlResult]:
        """Visit each source once (concurrently; the fetcher keeps each host polite)."""
        return list(await asyncio.gather(*(self.crawl_source(s) for s in sources)))

    async def crawl_source(self, source: Source) -> CrawlResult:
        """Visit one source: discover, fetch new pieces, keep the relevant ones, diff them.

        Never raises for a site's fault: every failure is counted and the status row
        records the last error, so one broken outlet cannot stop the daemon.
        """
        result = CrawlResult(source.id, started=self.clock())
        # the fetcher's counters (retries by reason, robots outcomes…) of this visit's
        # requests land in its record too, as fetch:<counter>
        counting = self.fetcher.counting(result.counts) if self.fetcher else nullcontext()
        try:
            with counting:
                links, endpoints = await self._discover(source, result)
                await self._collect(source, links, result)
                if result.all_links_handled:
                    # only now: a feed whose items were not all handled (a crash, a stop, a
                    # full disk) must not answer the next conditional GET with "not
                    # modified", or those items would wait for the feed to change
                    for response in endpoints:
                        await self.work.store(self.store.add_capture, response, source.id)
        except Exception as exc:  # a defect must not kill the scheduler; it is recorded
            reason, message = failure_reason(exc)
            result.counts[f"failed:{reason}"] += 1
            result.errors.append(message)
            log.exception("%s: crawl aborted: %s", source.id, message)
        result.finished = self.clock()
        if result.not_archived:
            return result  # a replay that holds nothing of this source says nothing of it
        error = "; ".join(result.errors[:3]) or None
        started = result.started or result.finished
        self._unrecorded.append((source.id, {"started": started, "finished": result.finished,
                                             "ok": result.ok, "error": error,
                                             "counts": dict(result.counts)}))  # fmt: skip
        await self.record_visits()
        return result

    async def record_visits(self) -> None:
        """Write the visits not recorded yet (see ``_record_visits``): at the end of each
        visit, after analysis saved a batch (the store took a write, so there may be room
        again) and when the daemon stops. A visit the store refused for want of room then
        reaches `monitor status` once space is freed, not only at the next visit, which
        may be hours away or never come before a stop."""
        if not self._unrecorded:
            return
        sources = ", ".join(dict.fromkeys(source_id for source_id, _ in self._unrecorded))
        try:
            await self.work.store(self._record_visits)
        except MonitorError as exc:
            kept = " (kept until there is room)" if exc.reason == STORE_FULL else ""
            log.error("%s: could not record the visit%s: %s", sources, kept, exc.message)

    def _record_visits(self) -> None:
        """Record the visits not recorded yet, oldest first, in one transaction: a visit
        the store refused for want of room reaches `monitor status` once space is freed
        (the newest ``MAX_UNRECORDED`` are kept meanwhile); one refused for any other
        reason is dropped, as retrying would not help. Runs on the store's writer."""
        del self._unrecorded[:-MAX_UNRECORDED]
        waiting = list(self._unrecorded)  # the loop only appends meanwhile
        try:
            with self.store.transaction():
                for source_id, record in waiting:
                    self.store.record_crawl(source_id, **record)
        except MonitorError as exc:
            if exc.reason != STORE_FULL:
                del self._unrecorded[: len(waiting)]
            raise
        del self._unrecorded[: len(waiting)]

    async def _get(self, url: str) -> Response:
        """Fetch with the last validators (a conditional GET); the capture is not recorded."""
        if self.fetcher is None:
            raise MonitorError("this pipeline was opened for analysis only; it cannot fetch")
        etag, last_modified = await self.work.store(self.store.validators, url)
        return await self.fetcher.get(url, etag=etag, last_modified=last_modified)

    async def _fetch_page(self, url: str) -> Response:
        """Fetch an article page, unconditionally: only new (or failed) links get here,
        and a 304 would leave nothing to extract. Its capture is recorded with the page's
        outcome, in one transaction (``_settle``)."""
        if self.fetcher is None:
            raise MonitorError("this pipeline was opened for analysis only; it cannot fetch")
        return await self.fetcher.get(url)

    async def _discover(
        self, source: Source, result: CrawlResult
    ) -> tuple[list[Link], list[Response]]:
        """The links of the source's endpoints, and the endpoints' responses (recorded as
        captures once their links are handled)."""
        from monitor import discover

        now = self.clock()
        links: list[Link] = []
        responses: list[Response] = []
        for endpoint in source.discovery:
            url = discover.endpoint_url(endpoint, now=now)
            result.counts["endpoints"] += 1
            try:
                pending = [url]
                followed = 0
                while pending:
                    response = await self._get(pending.pop(0))
                    responses.append(response)
                    if response.not_modified:
                        result.counts["endpoint_not_modified"] += 1
                        continue
                    found = discover.parse(endpoint, response, source_id=source.id, now=now)
                    links.extend(found.links)
                    for reason, n in found.skipped.items():
                        result.counts[f"skipped:{reason}"] += n
                    room = MAX_CHILDREN - followed
                    pending.extend(found.children[: max(room, 0)])
                    followed += min(len(found.children), max(room, 0))
                result.counts["endpoints_ok"] += 1
            except NotArchived:
                # replaying an archive that simply lacks this endpoint: not a site's fault
                result.counts["endpoint_not_archived"] += 1
                log.debug("%s: endpoint %s is not in the archive", source.id, url)
            except MonitorError as exc:
                result.counts[f"endpoint_failed:{exc.reason}"] += 1
                result.errors.append(exc.message)
                log.warning("%s: endpoint %s: %s", source.id, url, exc.message)
        unique: dict[str, Link] = {}
        for link in links:
            unique.setdefault(canonical_url(link.url), link)
        result.counts["links"] += len(unique)
        return list(unique.values()), responses

    async def _collect(self, source: Source, links: list[Link], result: CrawlResult) -> None:
        seen = await self.work.store(self.store.seen_links, unique_urls(links))
        fresh = [link for link in links if canonical_url(link.url) not in seen]
        result.counts["new_links"] += len(fresh)
        gate = asyncio.Semaphore(PAGE_CONCURRENCY)
        # one page of a visit in page work at a time: pages take milliseconds, and a site
        # whose pages all stall then holds at most one page worker, never the spare too
        reading = asyncio.Lock()

        async def one(link: Link) -> None:
            async with gate:
                if self._stopping or result.counts[f"failed:{STORE_FULL}"]:
                    # a full store takes no page: the rest wait for the next visit
                    why = "stopping" if self._stopping else STORE_FULL
                    result.counts[f"skipped:{why}"] += 1
                    return
                try:
                    await self._collect_one(source, link, result, reading)
                except Exception as exc:  # a defect on one piece must not cost the others
                    reason, message = failure_reason(exc)
                    result.counts[f"failed:{reason}"] += 1
                    result.errors.append(f"{link.url}: {message}")
                    if reason == STORE_FULL:
                        log.error("%s: %s; the visit's other pages wait for the next visit",
                                  source.id, message)  # fmt: skip
                    else:
                        log.exception("%s: %s failed", source.id, link.url)

        await asyncio.gather(*(one(link) for link in fresh))

    async def _collect_one(
        self, source: Source, link: Link, result: CrawlResult, reading: asyncio.Lock
    ) -> None:
        from monitor import visits
        from monitor.fetch import check_page
        from monitor.pagework import PageInput, article_from_link, judge

        owner = self.owner_of(link, source)
        if owner.prefilter and not self._mentions_story(link):
            result.counts["skipped:prefilter"] += 1
            return
        at = self.clock()
        topic = self.config.topic
        response: Response | None = None
        fingerprint: Fingerprint | None = None  # set when page work computed it
        try:
            if owner.full_text and not _is_search_redirect(link.url):
                response = await self._fetch_page(link.url)
                check_page(response, read_mislabelled_html=owner.read_mislabelled_html)
                page = PageInput(
                    body=response.body,
                    url=response.final_url,
                    selectors=owner.selectors,
                    charset=response.charset,
                    default_language=owner.language,
                )
                async with reading:
                    article, verdict, fingerprint = await self._read(page, link)
            else:
                article, verdict = judge(article_from_link(link, owner.language), link, topic)
        except MonitorError as exc:
            key, outcome = visits.page_outcome(exc.reason)
            result.counts[key] += 1
            if key.startswith(visits.PAGE_FAILED):  # the status row shows page faults too
                result.errors.append(exc.message)
            log.info("%s: %s", owner.id, exc.message)
            taken = Taken(link, owner, at, response, outcome, exc.message)
            await self.work.store(self._settle, taken, result)
            return
        if not verdict.relevant:
            result.counts["dropped:off_topic"] += 1
            taken = Taken(link, owner, at, response, "irrelevant", verdict.reason)
            await self.work.store(self._settle, taken, result)
            log.debug("%s: off topic (%s): %s", owner.id, verdict.reason, link.url)
            return
        taken = Taken(link, owner, at, response, article=article, fingerprint=fingerprint)
        await self.work.store(self._settle, taken, result)
        if self.on_stored is not None:
            self.on_stored()

    async def _read(
        self, page: PageInput, link: Link
    ) -> tuple[ExtractedArticle, Relevance, Fingerprint | None]:
        """Page work, in a worker process: a page past its time limit (its worker killed
        and replaced) is that page's failure, settled like a page over the size budget."""
        from monitor.pagework import read_for_store

        try:
            return await self.work.page(read_for_store, page, link, self.config.topic)
        except WorkerTimeout as exc:
            raise PageTimeout(page.url, exc.seconds) from exc

    def _settle(self, taken: Taken, result: CrawlResult) -> None:
        """Store what became of a link — its capture, the article, the link's outcome —
        in one transaction: a crash leaves all of it or none (then the link is new again)."""
        article_id = None
        with self.store.transaction():
            capture_id = None
            if taken.response is not None:
                capture_id = self.store.add_capture(taken.response, taken.owner.id)
            if taken.article is not None:
                article_id = self._upsert(taken.article, taken.owner, capture_id, taken.at,
                                          result)  # fmt: skip
            self.store.mark_link(taken.link.url, taken.owner.id, taken.outcome, taken.reason,
                                 at=taken.at)  # fmt: skip
        if article_id is not None and taken.article is not None:
            # after the commit: a failed grouping must never cost the stored piece
            self.group_story(article_id, taken.article.text, result, taken.fingerprint)

    def _upsert(
        self,
        article: ExtractedArticle,
        owner: Source,
        capture_id: int | None,
        at: datetime,
        result: CrawlResult,
    ) -> int:
        """Store the piece; its analysis is pending until the analyser saves a differ
        result for it (a new or changed piece has none for the current version)."""
        article_id, created = self.store.upsert_article(
            article, source_id=owner.id, camp=owner.camp, capture_id=capture_id, seen_at=at
        )
        result.counts["stored" if created else "updated"] += 1
        return article_id

    def _mentions_story(self, link: Link) -> bool:
        """The polite pre-filter: a broad feed's item is fetched only when its title or
        summary names the story at all (the full relevance test runs on the page)."""
        from monitor import relevance

        text = " ".join(x for x in (link.title, link.summary) if x)
        if not text:
            return True  # nothing to judge by: fetch and let the real filter decide
        verdict = relevance.assess(None, text, None, self.config.topic)
        return bool(verdict.matched)

    def owner_of(self, link: Link, found_by: Source) -> Source:
        """The outlet a link belongs to: the finder itself, or, for global discovery
        services, the watched outlet on whose domain the piece is (else the service)."""
        if not found_by.global_discovery:
            return found_by
        return self.config.source_for_url(link.publisher_url or link.url) or found_by

    # ── stories ─────────────────────────────────────────────────────────────────────

    def _stories(self) -> StoryGrouper:
        if self.story_grouper is None:
            from monitor.stories import StoryGrouper

            self.story_grouper = StoryGrouper(self.store)
        return self.story_grouper

    def group_story(
        self,
        article_id: int,
        text: str,
        result: CrawlResult,
        fingerprint: Fingerprint | None = None,
    ) -> None:
        """Put a stored piece in its story (``fingerprint``: its text's, when page work
        computed it). A failure here costs the grouping (counted; the piece is grouped
        again by ``group_ungrouped``), never the stored piece."""
        try:
            self._stories().assign(article_id, text, fingerprint)
        except MonitorError as exc:
            result.counts[f"failed:story_{exc.reason}"] += 1
            log.warning("could not group article %s into a story: %s", article_id, exc.message)

    def group_ungrouped(self, progress: Callable[[int], None] | None = None) -> int:
        """Group every stored piece that has no story yet (stored before stories existed,
        or whose grouping failed); returns how many."""
        done = 0
        for article_id, text in self.store.ungrouped_articles():
            self._stories().assign(article_id, text)  # the grouper only once one is found
            done += 1
            if progress:
                progress(done)
        return done

    # ── analysis ────────────────────────────────────────────────────────────────────

    async def analyse_pending(
        self,
        progress: Callable[[int], None] | None = None,
        *,
        shard: tuple[int, int] | None = None,
    ) -> int:
        """Diff every stored piece without a differ result of the current analysis
        version (new, changed, or analysed against another positions.yaml), in worker
        processes when the pipeline has them. Returns how many were saved.

        The pending set is read from the store, so it survives a crash or a stop: what was
        not saved is simply still pending at the next start. A piece the differ fails on is
        logged, recorded by reason for its source's status row (``analysis:<reason>``) and
        left for the next start, never retried in a loop. ``shard=(k,
        n)``: only pieces whose id is k modulo n (analysers on several machines).
        """
        done = 0
        gate = asyncio.Semaphore(max(1, self.work.processes))
        while not self._stopping:
            batch = await self.work.store(self._pending_batch, shard)
            if not batch:
                return done

            async def one(
                article: StoredArticle,
            ) -> tuple[int, DiffResult] | AnalysisFailure | None:
                async with gate:
                    if self._stopping:
                        return None
                    try:
                        diff = await self.work.diff(
                            article.text, language=article.language, title=article.title
                        )
                    except Exception as exc:  # one bad piece must not stop the others
                        self._failed_analysis.add(article.id)
                        reason, message = failure_reason(exc)
                        log.error("analysis of article %d failed: %s", article.id, message)
                        return AnalysisFailure(article.id, article.source_id, reason,
                                               f"analysis of {article.url} failed: {message}")
                    return article.id, diff

            outcomes = await asyncio.gather(*(one(a) for a in batch))
            failed = [r for r in outcomes if isinstance(r, AnalysisFailure)]
            if failed:
                await self._record_failed_analyses(failed)
            results = [r for r in outcomes if isinstance(r, tuple)]
            # the batch's results in one transaction, not one commit per piece
            saved = await self.work.store(self._save_diffs, results)
            for _ in range(saved):
                done += 1
                if progress:
                    progress(done)
            if saved:
                await self.record_visits()
        return done

    async def _record_failed_analyses(self, failed: list[AnalysisFailure]) -> None:
        """Keep the failures for the status; a store that refuses them (full) costs only
        the record (the log has them), never the analysis of the other pieces."""
        try:
            await self.work.store(self.store.record_analysis_failures, failed)
        except MonitorError as exc:
            log.error("could not record %d failed analyses: %s", len(failed), exc.message)

    def _save_diffs(self, results: list[tuple[int, DiffResult]]) -> int:
        """Save a batch of differ results at once; when that fails (a piece deleted
        meanwhile), piece by piece, so one bad piece costs only itself. Returns how many
        were saved."""
        if not results:
            return 0
        try:
            self.store.save_diffs(results)
            return len(results)
        except MonitorError as exc:
            if exc.reason == STORE_FULL:  # no piece is to blame: all stay pending
                raise
            saved = 0
            for article_id, diff in results:
                try:
                    self.store.save_diff(article_id, diff)
                    saved += 1
                except MonitorError as exc:
                    self._failed_analysis.add(article_id)
                    log.error("analysis of article %d not saved: %s", article_id, exc.message)
            return saved

    def _pending_batch(self, shard: tuple[int, int] | None) -> list[StoredArticle]:
        batch: list[StoredArticle] = []
        if not self.store.analysis_pending(self.differ.version):
            return batch  # an index lookup, where the batch's query reads every piece
        for article in self.store.iter_articles(
            needing_version=self.differ.version, batch=ANALYSIS_BATCH, shard=shard
        ):
            if article.id not in self._failed_analysis:
                batch.append(article)
                if len(batch) >= ANALYSIS_BATCH:
                    break
        return batch

    def rediff_stale(self, progress: Callable[[int], None] | None = None) -> int:
        """``analyse_pending`` for callers without an event loop (`monitor reanalyse`)."""
        return asyncio.run(self.analyse_pending(progress))

    def rediff_if_stale(self, article_ids: Iterable[int]) -> int:
        """Re-diff those of the given pieces whose differ results are missing or come
        from another analysis version; returns how many. Analyst corrections stay."""
        ids = sorted(set(article_ids))
        current = self.store.stances_for(ids)
        wanted = {p.id for p in self.positions.positions}
        done = 0
        for article_id in ids:
            rows = current.get(article_id, ())
            # a label on a position the differ never analysed carries no version ("")
            fresh = {s.position_id for s in rows if s.positions_version == self.differ.version}
            if wanted <= fresh:
                continue
            article = self.store.article(article_id)
            diff = self.differ.diff(article.text, language=article.language, title=article.title)
            self.store.save_diff(article_id, diff)
            done += 1
        return done

    # ── data lifecycle ──────────────────────────────────────────────────────────────

    def prune_captures(self, warc_dir: Path, days: int, *, dry_run: bool = False) -> Pruned:
        """Delete the WARC day files in ``warc_dir`` older than ``days`` days, and their
        capture rows. What was read from them — articles, stances, corrections — stays;
        only the raw responses (and a feed's validators for its next conditional GET)
        go. Rows first, then the file: a crash between leaves a file the next run
        deletes, never a row pointing at nothing."""
        if days < 1:
            raise MonitorError(f"retention must keep at least 1 day, got {days}",
                               reason="config")  # fmt: skip
        from monitor.fetch import files_before

        cutoff = (self.clock() - timedelta(days=days)).date()
        pruned = Pruned()
        for path in files_before(warc_dir, cutoff):
            pruned.files += 1
            pruned.bytes += path.stat().st_size
            if not dry_run:
                pruned.captures += self.store.forget_captures(path.name)
                path.unlink(missing_ok=True)
                log.info("retention: deleted %s", path)
        return pruned

    # ── analyst corrections ─────────────────────────────────────────────────────────

    def labelled_pieces(self) -> list[dict[str, object]]:
        """Every piece an analyst corrected, as a line of labelled data (see
        ``report.labelled_line``): its labels, and the differ's current stance on every
        other position of positions.yaml. Pieces whose differ results are stale are
        re-diffed first, as for a digest, so the line never mixes baselines."""
        ids = sorted({c.article_id for c in self.store.corrections()})
        stale = self.rediff_if_stale(ids)
        if stale:
            log.info("re-analysed %d corrected pieces first", stale)
        stances = self.store.stances_for(ids)
        positions = position_infos(self.positions)
        names = {**self.store.sources(), **{s.id: source_info(s) for s in self.config.sources}}
        lines = []
        for article_id in ids:
            article = self.store.article(article_id)
            info = names.get(article.source_id)
            lines.append(
                report.labelled_line(
                    article,
                    stances.get(article_id, ()),
                    positions,
                    outlet=info.name if info else article.source_id,
                )
            )
        return lines

    def export(
        self,
        fmt: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        camps: Sequence[str] = (),
        sources: Sequence[str] = (),
    ) -> Iterator[str]:
        """The chosen pieces with their stances (labels winning) as CSV lines (header
        first) or JSON lines, streamed: an archive of any size is never held in memory."""
        ids = sorted((p.id for p in position_infos(self.positions)), key=position_order)
        names = {sid: info.name for sid, info in self.store.sources().items()}
        names.update({s.id: s.name for s in self.config.sources})
        chosen = self.store.select_articles(since=since, until=until, camps=camps, sources=sources)
        if fmt == "csv":
            rows = (
                report.export_csv_row(a, stances, ids, outlet=names.get(a.source_id, a.source_id))
                for a, stances in chosen
            )
            yield from report.csv_text(itertools.chain([report.csv_header(ids)], rows))
            return
        for article, stances in chosen:
            line = report.export_json_line(
                article, stances, ids, outlet=names.get(article.source_id, article.source_id)
            )
            yield json.dumps(line, ensure_ascii=False) + "\n"

    # ── reporting ───────────────────────────────────────────────────────────────────

    def digest_input(self, week: str) -> DigestInput:
        start, end = report.week_bounds(week)
        self.group_ungrouped()
        articles = tuple(self.store.articles_between(start, end))
        ids = [a.id for a in articles]
        prev_counts = self.store.camp_counts(start - timedelta(days=7), start)
        earlier = report.earlier_weeks(week, TREND_WEEKS - 1)
        known = {s.id: source_info(s) for s in self.config.sources}
        stored = self.store.sources()
        sources = {**stored, **known}
        return DigestInput(
            week=week,
            start=start,
            end=end,
            articles=articles,
            stances=self.store.stances_for(ids),
            framings=self.store.framings_for(ids),
            sources=sources,
            positions=position_infos(self.positions),
            crawl_status=tuple(self.store.crawl_status()),
            previous_counts=dict(prev_counts),
            generated_at=self.clock(),
            method=self.differ.method,
            history_weeks=tuple(w for w, _, _ in earlier),
            history=tuple(self.store.balance_history(earlier)),
            troop_history=tuple(self.store.troop_history(earlier)),
            stories=self.store.stories_for(ids),
        )

    def write_digest(self, week: str, directory: Path) -> dict[str, Path]:
        """Write the week's digest files, and refresh the Atom feed of recent digests."""
        digest = report.build_digest(self.digest_input(week))
        paths = report.write_digest(digest, directory)
        paths["atom"] = self.write_feed(directory, latest=digest)
        return paths

    def write_feed(self, directory: Path, *, latest: report.Digest, weeks: int = 8) -> Path:
        """An Atom feed of the digests already in ``directory`` (newest ``weeks``), so a
        feed reader tells the analyst when a new digest is out. Earlier weeks are kept as
        the feed already carries them (or read from their JSON files), as published,
        never rebuilt from the store."""
        path = directory / report.FEED_FILE
        base = self.config.digest.public_url or directory.resolve().as_uri()
        feed_url = base.rstrip("/") + "/" + path.name
        entries = report.feed_entries(directory, latest=latest, weeks=weeks)
        feed = report.render_atom(entries, feed_url=feed_url, now=self.clock())
        report.atomic_write(path, feed)
        return path

    def mail_digest(self, week: str, paths: dict[str, Path]) -> str:
        """E-mail the written digest of ``week`` to the configured recipients, once: the
        store records the delivery, so a restarted daemon or a second reporter does not
        send it again. Returns what happened ("sent", "already sent", "being sent
        elsewhere", "not configured"); a failed send raises ``ReportError`` and leaves the
        week unsent, for the next attempt."""
        settings = self.config.digest.email
        if settings is None:
            return "not configured"
        if not self.store.claim_delivery(week, "email"):
            sent = self.store.delivered_at(week, "email")
            return "already sent" if sent is not None else "being sent elsewhere"
        try:
            totals = json.loads(paths["json"].read_text(encoding="utf-8"))["totals"]
            message = report.compose_email(
                week=week,
                articles=int(totals["articles"]),
                html=paths["html"].read_text(encoding="utf-8"),
                markdown=paths["md"].read_text(encoding="utf-8"),
                settings=settings,
                now=self.clock(),
            )
            report.send_email(message, settings, os.environ)
        except BaseException:
            self.store.release_delivery(week, "email")
            raise
        self.store.delivered(
            week,
            "email",
            message_id=str(message["Message-ID"]),
            recipients=", ".join(settings.recipients),
        )
        log.info("digest %s e-mailed to %s", week, ", ".join(settings.recipients))
        return "sent"

    def weeks_with_articles(self) -> list[str]:
        """ISO weeks that hold at least one stored article, oldest first."""
        weeks = {report.week_of(a.published_at or a.first_seen) for a in self.store.iter_articles()}
        return sorted(weeks)


@dataclass
class Pruned:
    """What a retention run deleted (or, dry, would delete)."""

    files: int = 0
    bytes: int = 0
    captures: int = 0


@dataclass(frozen=True)
class Taken:
    """What became of one link, as the writer stores it (see ``Pipeline._settle``)."""

    link: Link
    owner: Source
    at: datetime
    response: Response | None  # None: nothing fetched (feed-only piece, fetch failed)
    outcome: str = "stored"  # a ``links`` outcome
    reason: str = ""
    article: ExtractedArticle | None = None  # set for a stored piece
    fingerprint: Fingerprint | None = None  # its story fingerprint, from page work


# ── small pure helpers ──────────────────────────────────────────────────────────────


def source_info(source: Source) -> SourceInfo:
    return SourceInfo(id=source.id, name=source.name, camp=source.camp, language=source.language)


def position_infos(positions: Positions) -> tuple[PositionInfo, ...]:
    return tuple(PositionInfo(id=p.id, title=p.title, claim=p.claim) for p in positions.positions)


def unique_urls(links: Iterable[Link]) -> list[str]:
    return list(dict.fromkeys(canonical_url(link.url) for link in links))


def _is_search_redirect(url: str) -> bool:
    """Google News item links are opaque redirect tokens that only a browser resolves;
    fetching them yields Google's page, not the article."""
    return host_of(url) == "news.google.com"
