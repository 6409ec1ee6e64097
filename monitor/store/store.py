"""The Store: the pipeline's only shared state, behind one small interface.

Every method checks its arguments (aware datetimes, known camps and outcomes), then runs
one short transaction on a pooled connection, so the daemon's threads, the CLI and the
digest can use the same database at once (SQLite in WAL mode: one writer, many readers;
PostgreSQL: many of both). The SQL lives in ``corpus``, ``results``, ``corrections`` and
``crawl_state``; every write there is an idempotent upsert, so re-running a stage adds no
duplicates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.engine import make_url

from monitor.errors import StoreError
from monitor.models import (
    AnalysisFailure,
    BalanceCount,
    Correction,
    CrawlStatus,
    DiffResult,
    ExtractedArticle,
    Framing,
    Response,
    SourceInfo,
    StoredArticle,
    StoredStance,
    Story,
    StoryMember,
    TroopClaim,
)
from monitor.store import (
    cjk,
    codec,
    corpus,
    corrections,
    crawl_state,
    deliveries,
    history,
    results,
    schedule,
    search,
    selection,
    stories,
)
from monitor.store.engine import WRITE, take_turn, translated, where
from monitor.store.schema import articles
from monitor.urls import canonical_url

log = logging.getLogger(__name__)
#: the advisory-lock key of grouping pieces into stories (``Store.story_turn``)
_STORY_TURN = "monitor.stories.place:"


@dataclass(frozen=True)
class NewArticle:
    """One piece for ``Store.save_articles``: what ``upsert_article`` takes, as data."""

    article: ExtractedArticle
    source_id: str
    camp: str
    capture_id: int | None
    seen_at: datetime


class Store:
    """Open with ``monitor.store.open_store(url)``; the constructor takes a migrated engine."""

    def __init__(
        self, engine: Engine, url: str, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._engine = engine
        self.url = url  # for display: a password, if any, is hidden
        self.place = where(make_url(url))  # what errors name: the file, or the server
        self._clock = clock or (lambda: datetime.now(UTC))
        # the connection of the transaction open in this thread / task, if any
        self._current: ContextVar[Connection | None] = ContextVar(
            f"store-transaction-{id(self)}", default=None
        )
        with self._read("inspect the database") as conn:
            self._fts = corpus.has_fts(conn)

    # ── plumbing ────────────────────────────────────────────────────────────────────

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Make every Store call inside the block one transaction: all of it is stored,
        or (on an exception) none of it.

        This is how a page is taken in one commit (its capture, the article, its link's
        outcome) instead of one per call. The transaction belongs to the thread (or
        asyncio task) that opened it; a call from another one is not part of it. Keep
        ``await`` out of the block: while it waits, the write lock stays held. An error
        inside leaves the transaction unusable: let it propagate. Nested blocks join
        the outer one.
        """
        if self._current.get() is not None:
            yield
            return
        with (
            translated("cannot write", self.place),
            self._engine.connect().execution_options(**{WRITE: True}) as conn,
            conn.begin(),
        ):
            token = self._current.set(conn)
            try:
                yield
            finally:
                self._current.reset(token)

    @contextmanager
    def _read(self, what: str) -> Iterator[Connection]:
        current = self._current.get()
        if current is not None:
            with translated(f"cannot {what}", self.place):
                yield current
            return
        with translated(f"cannot {what}", self.place), self._engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self, what: str) -> Iterator[Connection]:
        current = self._current.get()
        if current is not None:
            with translated(f"cannot {what}", self.place):
                yield current
            return
        with (
            translated(f"cannot {what}", self.place),
            self._engine.connect().execution_options(**{WRITE: True}) as conn,
            conn.begin(),
        ):
            yield conn

    # ── sources ─────────────────────────────────────────────────────────────────────

    def upsert_sources(self, sources: Iterable[SourceInfo]) -> None:
        rows = [
            {
                "id": s.id,
                "name": codec.clean(s.name),
                "camp": codec.camp(s.camp),
                "language": s.language,
            }
            for s in sources
        ]
        if rows:
            with self._write("save sources") as conn:
                crawl_state.upsert_sources(conn, rows)

    def sources(self) -> dict[str, SourceInfo]:
        with self._read("read sources") as conn:
            return crawl_state.read_sources(conn)

    # ── captures ────────────────────────────────────────────────────────────────────

    def add_capture(self, response: Response, source_id: str | None) -> int:
        """Record one HTTP response; the same WARC record again returns the same id."""
        values = {
            "url": response.url,
            "sha256": response.sha256,
            "warc_path": response.warc_path,
            "warc_offset": response.warc_offset,
            "final_url": response.final_url,
            "status": response.status,
            "fetched_at": codec.utc(response.fetched_at, "response.fetched_at"),
            "content_type": response.content_type or None,
            "etag": response.headers.get("etag"),
            "last_modified": response.headers.get("last-modified"),
            "not_modified": response.not_modified,
            "source_id": source_id,
        }
        with self._write(f"record capture of {response.url}") as conn:
            return crawl_state.add_capture(conn, values)

    def forget_captures(self, warc_file: str) -> int:
        """Delete the capture rows recorded in the WARC file named ``warc_file`` (a bare
        file name: the file is being deleted under the retention settings); articles read
        from them keep their text and lose only the link to the raw response. Returns
        how many rows went."""
        with self._write(f"forget captures in {warc_file}") as conn:
            return crawl_state.forget_captures(conn, warc_file)

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) of the newest 200 response for ``url``, for a conditional GET."""
        with self._read(f"read validators of {url}") as conn:
            return crawl_state.validators(conn, url)

    # ── links ───────────────────────────────────────────────────────────────────────

    def seen_links(self, urls: Iterable[str]) -> set[str]:
        """The URLs not to fetch again: stored as articles, or settled in ``links`` (any
        outcome but a failure, or a failure ``MAX_FAILED_ATTEMPTS`` times). Each seen URL
        is returned both as given and canonical, so callers may test either form."""
        by_canon: dict[str, set[str]] = {}
        for u in urls:
            by_canon.setdefault(canonical_url(u), set()).add(u)
        seen: set[str] = set()
        with self._read("read seen links") as conn:
            for chunk in codec.chunks(list(by_canon)):
                seen |= crawl_state.settled(conn, chunk)
        return seen.union(*(by_canon[c] for c in seen))

    def mark_link(
        self, url: str, source_id: str, outcome: str, reason: str = "", *, at: datetime
    ) -> None:
        """Remember what became of a link; a ``failed`` outcome counts one more attempt."""
        if outcome not in crawl_state.LINK_OUTCOMES:
            known = ", ".join(sorted(crawl_state.LINK_OUTCOMES))
            raise StoreError(f"unknown link outcome {outcome!r} (one of {known})", reason="value")
        at = codec.utc(at, "at")
        values = {
            "url": canonical_url(url),
            "source_id": source_id,
            "outcome": outcome,
            "reason": codec.clean(reason),
            "attempts": 1 if outcome == "failed" else 0,
            "first_seen": at,
            "last_seen": at,
        }
        with self._write(f"mark link {url}") as conn:
            crawl_state.mark_link(conn, values)

    # ── articles ────────────────────────────────────────────────────────────────────

    def upsert_article(
        self,
        article: ExtractedArticle,
        *,
        source_id: str,
        camp: str,
        capture_id: int | None,
        seen_at: datetime,
    ) -> tuple[int, bool]:
        """Store a piece under its canonical URL; returns ``(article_id, created)``.

        Seen again, the row takes the newest extraction, keeps its first sighting and
        moves its last; a changed text or title sends it back to the differ.
        """
        seen_at = codec.utc(seen_at, "seen_at")
        content = _content(article, source_id, camp, capture_id)
        with self._write(f"store article {article.url}") as conn:
            return corpus.upsert(conn, canonical_url(article.url), content, seen_at)

    def save_articles(self, pieces: Sequence[NewArticle]) -> list[tuple[int, bool]]:
        """``upsert_article`` for many pieces in one transaction and a few statements
        (the crawler's writer and bulk imports); ``(article_id, created)`` per piece, in
        order. Every piece is checked before anything is written."""
        items = [
            (
                canonical_url(p.article.url),
                _content(p.article, p.source_id, p.camp, p.capture_id),
                codec.utc(p.seen_at, "seen_at"),
            )
            for p in pieces
        ]
        if not items:
            return []
        with self._write(f"store {len(items)} articles") as conn:
            return corpus.upsert_many(conn, items)

    def article(self, article_id: int) -> StoredArticle:
        with self._read(f"read article {article_id}") as conn:
            found = corpus.by_id(conn, article_id)
        if found is None:
            raise StoreError(f"no article with id {article_id}", reason="not_found")
        return found

    def article_by_url(self, url: str) -> StoredArticle:
        canon = canonical_url(url)
        with self._read(f"read article {url}") as conn:
            found = corpus.by_canonical_url(conn, canon)
        if found is None:
            raise StoreError(f"no article stored for {url} (canonical {canon})", reason="not_found")
        return found

    def articles_between(self, start: datetime, end: datetime) -> list[StoredArticle]:
        """Pieces dated in ``[start, end)`` (published time, else first seen), oldest first."""
        start, end = codec.utc(start, "start"), codec.utc(end, "end")
        with self._read("read articles by date") as conn:
            return corpus.dated_between(conn, start, end)

    def iter_articles(
        self,
        *,
        needing_version: str | None = None,
        batch: int = 500,
        shard: tuple[int, int] | None = None,
    ) -> Iterator[StoredArticle]:
        """All pieces by id, or only those without stances for ``needing_version``;
        ``shard=(k, n)`` keeps those whose id is k modulo n (analysers split the work).

        Reads keyset-paginated batches, each its own short transaction, so the caller may
        ``save_diff`` while iterating (what it saved drops out of later batches).
        """
        if batch < 1:
            raise StoreError(f"batch must be at least 1, got {batch}", reason="value")
        if shard is not None and not 0 <= shard[0] < shard[1]:
            raise StoreError(f"shard must be (k, n) with 0 <= k < n, got {shard}", reason="value")
        last_id = 0
        while True:
            with self._read("read articles") as conn:
                rows = corpus.page(conn, last_id, batch, needing_version, shard)
            yield from rows
            if len(rows) < batch:
                return
            last_id = rows[-1].id

    def select_articles(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        camps: Iterable[str] = (),
        sources: Iterable[str] = (),
        batch: int = 500,
    ) -> Iterator[tuple[StoredArticle, tuple[StoredStance, ...]]]:
        """The pieces dated in ``[since, until)`` of the given camps and sources (none
        given: all), by id, each with its stances (an analyst's label winning). Read in
        keyset pages, each its own short transaction, so a long export holds no lock."""
        chosen = selection.Selection(
            since=codec.utc(since, "since") if since is not None else None,
            until=codec.utc(until, "until") if until is not None else None,
            camps=tuple(codec.camp(c) for c in camps),
            sources=tuple(sources),
        )
        last_id = 0
        while True:
            with self._read("read articles to export") as conn:
                rows = selection.page(conn, chosen, last_id, batch)
                stances = results.stances_of(conn, [a.id for a in rows])
            for article in rows:
                yield article, stances.get(article.id, ())
            if len(rows) < batch:
                return
            last_id = rows[-1].id

    def analysis_pending(self, version: str) -> bool:
        """Whether any piece lacks stances of analysis ``version`` (new, changed, or
        analysed with another positions.yaml) — the question asked before every digest,
        answered from an index whatever the size of the archive."""
        with self._read("look for pending analysis") as conn:
            return corpus.analysis_pending(conn, version)

    def analysed_with(self, version: str) -> bool:
        """Whether any piece holds stances of analysis ``version``."""
        with self._read("look for analysis of this version") as conn:
            return corpus.analysed_with(conn, version)

    def count_articles(self) -> int:
        with self._read("count articles") as conn:
            return int(conn.execute(select(func.count()).select_from(articles)).scalar_one())

    def search(self, query: str, limit: int = 20) -> list[StoredArticle]:
        """Pieces containing every word of ``query`` (see ``monitor.store.search``)."""
        terms = search.terms_of(query)
        if not terms or limit < 1:
            return []
        with self._read(f"search for {query!r}") as conn:
            return corpus.find(conn, terms, limit, fts=self._fts)

    # ── differ results ──────────────────────────────────────────────────────────────

    def save_diff(self, article_id: int, diff: DiffResult) -> None:
        """Replace the piece's stances (one row per position) and its framing."""
        computed_at = codec.utc(self._clock(), "clock()")
        with self._write(f"save differ results of article {article_id}") as conn:
            if not results.lock_article(conn, article_id):
                raise StoreError(f"no article with id {article_id}", reason="not_found")
            results.replace(conn, article_id, diff, computed_at)

    def save_diffs(self, diffs: Sequence[tuple[int, DiffResult]]) -> None:
        """``save_diff`` for many pieces in one transaction; nothing is saved when one
        of the articles is not stored."""
        if not diffs:
            return
        computed_at = codec.utc(self._clock(), "clock()")
        with self._write(f"save differ results of {len(diffs)} articles") as conn:
            absent = results.missing(conn, [article_id for article_id, _ in diffs])
            if absent:
                shown = ", ".join(map(str, absent[:5])) + ("…" if len(absent) > 5 else "")
                raise StoreError(f"no article with id {shown}", reason="not_found")
            results.replace_many(conn, list(diffs), computed_at)

    def stances_for(self, article_ids: Iterable[int]) -> dict[int, tuple[StoredStance, ...]]:
        """Stances of each given piece in position order (P1, P2, …, P10, P11); pieces
        without any are absent. An analyst's correction wins over the differ's stance
        (``StoredStance.correction`` is then set; see ``codec.corrected``)."""
        with self._read("read stances") as conn:
            return results.stances_of(conn, sorted(set(article_ids)))

    def framings_for(self, article_ids: Iterable[int]) -> dict[int, Framing]:
        """Framing of each given piece; pieces not yet analysed are absent."""
        with self._read("read framings") as conn:
            return results.framings_of(conn, sorted(set(article_ids)))

    # ── earlier weeks, for the digest ───────────────────────────────────────────────

    def camp_counts(self, start: datetime, end: datetime) -> dict[str, int]:
        """Pieces per camp dated in ``[start, end)``."""
        start, end = codec.utc(start, "start"), codec.utc(end, "end")
        query = (
            select(articles.c.camp, func.count())
            .where(articles.c.dated_at >= start, articles.c.dated_at < end)
            .group_by(articles.c.camp)
        )
        with self._read("count articles per camp") as conn:
            return {camp: int(n) for camp, n in conn.execute(query)}

    def balance_history(
        self, weeks: Iterable[tuple[str, datetime, datetime]]
    ) -> list[BalanceCount]:
        """Echo / contest / mixed calls per (label, start, end) week, camp and position."""
        spans = [(w, codec.utc(s, "start"), codec.utc(e, "end")) for w, s, e in weeks]
        with self._read("read the stance history") as conn:
            return history.balance(conn, spans)

    def troop_history(self, weeks: Iterable[tuple[str, datetime, datetime]]) -> list[TroopClaim]:
        """The troop counts each outlet's pieces claimed, per (label, start, end) week."""
        spans = [(w, codec.utc(s, "start"), codec.utc(e, "end")) for w, s, e in weeks]
        with self._read("read the troop figures history") as conn:
            return history.troop_claims(conn, spans)

    # ── digest deliveries ──────────────────────────────────────────────────────────

    def claim_delivery(self, week: str, channel: str) -> bool:
        """Whether the caller may send ``week``'s digest on ``channel`` now: no one has
        sent it and no one else is sending it. The claim must end in ``delivered`` or
        ``release_delivery``."""
        at = codec.utc(self._clock(), "clock()")
        with self._write(f"claim the {channel} delivery of {week}") as conn:
            return deliveries.claim(conn, week, channel, at)

    def delivered(self, week: str, channel: str, *, message_id: str, recipients: str) -> None:
        at = codec.utc(self._clock(), "clock()")
        with self._write(f"record the {channel} delivery of {week}") as conn:
            deliveries.mark_sent(conn, week, channel, at, message_id, recipients)

    def release_delivery(self, week: str, channel: str) -> None:
        """Give up a claim whose send failed, so a later attempt may send."""
        with self._write(f"release the {channel} delivery of {week}") as conn:
            deliveries.release(conn, week, channel)

    def delivered_at(self, week: str, channel: str) -> datetime | None:
        with self._read(f"read the {channel} delivery of {week}") as conn:
            return deliveries.sent_at(conn, week, channel)

    # ── analyst corrections ─────────────────────────────────────────────────────────

    def set_correction(
        self,
        article_id: int,
        position_id: str,
        stance: str,
        *,
        labelled_by: str,
        note: str | None = None,
        at: datetime | None = None,
    ) -> Correction:
        """Label the piece's stance on one position, replacing any earlier label of that
        article × position. Re-analysis never touches it. ``at`` defaults to the clock."""
        who = codec.clean(labelled_by).strip()
        if not who or len(who) > 128:
            raise StoreError(
                f"labelled_by must be 1..128 characters, got {labelled_by!r}", reason="value"
            )
        text = codec.clean(note).strip() if note is not None else ""
        correction = Correction(
            article_id=article_id,
            position_id=codec.position_id(position_id),
            stance=codec.stance(stance),
            note=text or None,
            labelled_by=who,
            labelled_at=codec.utc(at if at is not None else self._clock(), "at"),
        )
        with self._write(f"label article {article_id} on {position_id}") as conn:
            if not results.lock_article(conn, article_id):
                raise StoreError(f"no article with id {article_id}", reason="not_found")
            corrections.upsert(conn, vars(correction))
        return correction

    def clear_correction(self, article_id: int, position_id: str) -> bool:
        """Remove the label, so the differ's stance shows again; whether there was one."""
        with self._write(f"clear label of article {article_id} on {position_id}") as conn:
            return corrections.remove(conn, article_id, codec.position_id(position_id))

    def corrections(self, article_ids: Iterable[int] | None = None) -> list[Correction]:
        """Current labels (of the given pieces, or all), by article then position."""
        with self._read("read corrections") as conn:
            if article_ids is None:
                return corrections.every(conn)
            found = corrections.of(conn, sorted(set(article_ids)))
        return [
            c
            for aid in sorted(found)
            for c in sorted(found[aid].values(), key=lambda c: codec.position_order(c.position_id))
        ]

    # ── stories ─────────────────────────────────────────────────────────────────────

    def save_story_member(
        self,
        article_id: int,
        story_id: int | None,
        *,
        exact: str,
        signature: bytes | None,
        shingles: int,
    ) -> StoryMember:
        """Put a stored piece in ``story_id`` (None, or a story since deleted: a new
        story), replacing the story it was in, with the fingerprint that placed it."""
        if len(exact) != 64 or shingles < 0:
            raise StoreError(f"not a story fingerprint: {exact!r}, {shingles}", reason="value")
        values = {"exact_hash": exact, "signature": signature, "shingles": int(shingles)}
        at = codec.utc(self._clock(), "clock()")
        with self._write(f"put article {article_id} in a story") as conn:
            if not results.lock_article(conn, article_id):
                raise StoreError(f"no article with id {article_id}", reason="not_found")
            return stories.save_member(conn, article_id, story_id, values, at)

    @contextmanager
    def story_turn(self) -> Iterator[None]:
        """One transaction in which a piece is placed in its story, taken in turns by
        everything that groups pieces into this store (daemons sharing PostgreSQL), so
        each places against every piece the others grouped before it."""
        with self.transaction(), self._write("take a turn at grouping") as conn:
            take_turn(conn, _STORY_TURN)
            yield

    def story_member_count(self, *, after_article_id: int = 0) -> int:
        """How many grouped pieces have a larger article id (a cheap look for pieces
        grouped elsewhere: a count, no rows)."""
        with self._read("count story members") as conn:
            return stories.member_count_after(conn, after_article_id)

    def story_members(
        self, *, after_article_id: int = 0, batch: int = 2000
    ) -> Iterator[StoryMember]:
        """Every grouped piece with a larger article id, by article id (keyset-paginated
        batches, each its own short transaction)."""
        last = after_article_id
        while True:
            with self._read("read story members") as conn:
                rows = stories.members_after(conn, last, batch)
            yield from rows
            if len(rows) < batch:
                return
            last = rows[-1].article_id

    def ungrouped_articles(self, *, batch: int = 500) -> Iterator[tuple[int, str]]:
        """(id, text) of every piece not in a story yet, by id."""
        with self._read("count pieces without a story") as conn:
            if stories.all_grouped(conn):
                return
        last = 0
        while True:
            with self._read("read pieces without a story") as conn:
                rows = stories.ungrouped(conn, last, batch)
            yield from rows
            if len(rows) < batch:
                return
            last = rows[-1][0]

    def stories_for(self, article_ids: Iterable[int]) -> dict[int, Story]:
        """The story of each given piece, with every piece that carried it (earliest
        first: the origin); pieces not grouped yet are absent."""
        with self._read("read stories") as conn:
            return stories.stories_of(conn, sorted(set(article_ids)))

    # ── crawl status ────────────────────────────────────────────────────────────────

    def record_crawl(
        self,
        source_id: str,
        *,
        started: datetime,
        finished: datetime,
        ok: bool,
        error: str | None,
        counts: Mapping[str, int],
    ) -> None:
        values = {
            "source_id": source_id,
            "started": codec.utc(started, "started"),
            "finished": codec.utc(finished, "finished"),
            "ok": bool(ok),
            "error": codec.clean(error) if error is not None else None,
            "counts": {str(k): int(v) for k, v in counts.items()},
        }
        with self._write(f"record crawl of {source_id}") as conn:
            crawl_state.record_crawl(conn, values)

    def record_analysis_failures(self, failures: Sequence[AnalysisFailure]) -> None:
        """Remember the pieces whose analysis failed now (each one's latest failure), for
        their sources' status rows."""
        if not failures:
            return
        at = codec.utc(self._clock(), "clock()")
        rows = [
            {
                "article_id": f.article_id,
                "source_id": f.source_id,
                "reason": f.reason,
                "message": codec.clean(f.message),
                "failed_at": at,
            }
            for f in failures
        ]
        with self._write(f"record {len(rows)} failed analyses") as conn:
            crawl_state.record_analysis_failures(conn, rows)

    def crawl_status(self) -> list[CrawlStatus]:
        """Per source (known, or seen in a run), by id: when its last crawl started
        (``last_run``), when a crawl last finished well (``last_ok``), the last crawl's
        error and counts, and what the recent crawls add up to (failures by reason, the
        failing streak, whether every endpoint failed)."""
        with self._read("read crawl status") as conn:
            return crawl_state.crawl_status(conn)

    # ── several daemons ─────────────────────────────────────────────────────────────

    def claim_due_sources(
        self,
        ids: Iterable[str],
        *,
        now: datetime,
        first: Mapping[str, datetime],
        stale_before: datetime,
        holder: str,
    ) -> dict[str, datetime]:
        """Claim the sources of ``ids`` due at ``now`` that no other daemon claimed since
        ``stale_before`` (sources never scheduled are first due at their ``first`` time);
        returns each one's due time. Queue the visits, then ``hand_over_sources``."""
        now, stale_before = codec.utc(now, "now"), codec.utc(stale_before, "stale_before")
        first = {k: codec.utc(v, f"first[{k}]") for k, v in first.items()}
        with self._write("claim due sources") as conn:
            return schedule.claim_due(
                conn,
                sorted(set(ids)),
                now=now,
                first=first,
                stale_before=stale_before,
                holder=codec.clean(holder),
            )

    def hand_over_sources(self, following: Mapping[str, datetime], *, holder: str) -> None:
        """The claimed visits are queued: each source is next due at ``following[id]``."""
        following = {k: codec.utc(v, f"following[{k}]") for k, v in following.items()}
        with self._write("hand over claimed sources") as conn:
            schedule.hand_over(conn, following, holder=codec.clean(holder))

    def visited_since(self, source_id: str, since: datetime) -> bool:
        """Whether a visit of the source starting at or after ``since`` was recorded."""
        with self._read(f"read visits of {source_id}") as conn:
            return schedule.visited_since(conn, source_id, codec.utc(since, "since"))

    def claim_digest(self, week: str, *, holder: str, now: datetime, until: datetime) -> bool:
        """Whether this daemon (``holder``) writes the week's digest: nobody wrote it and
        nobody else holds an unexpired claim on it. The claim lasts until ``until``."""
        now, until = codec.utc(now, "now"), codec.utc(until, "until")
        with self._write(f"claim the digest of {week}") as conn:
            return schedule.claim_digest(conn, week, holder=holder, now=now, until=until)

    def finish_digest(self, week: str, *, holder: str, now: datetime) -> None:
        """The week's digest is written: no daemon writes it again."""
        with self._write(f"mark the digest of {week} written") as conn:
            schedule.finish_digest(conn, week, holder=holder, now=codec.utc(now, "now"))


def _content(
    article: ExtractedArticle, source_id: str, camp: str, capture_id: int | None
) -> dict[str, Any]:
    """An extraction as the columns of its article row, checked and cleaned."""
    published = article.published
    text = codec.clean(article.text)
    return {
        "url": codec.clean(article.url),
        "source_id": source_id,
        "camp": codec.camp(camp),
        "language": article.language,
        "title": codec.clean(article.title) if article.title is not None else None,
        "authors": [codec.clean(a) for a in article.authors],
        "published_at": codec.utc(published, "article.published") if published else None,
        "text": text,
        "content_hash": codec.content_hash(text),
        "capture_id": capture_id,
        "search_cjk": cjk.search_tokens(article.title, text) or None,
    }
