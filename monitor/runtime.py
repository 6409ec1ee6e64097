"""Assembling a pipeline: settings → config files, store, fetcher and differ, opened
together and closed together.

The CLI, the daemon and the demo all start here, so every entry point finds the data root,
the database and the two config files the same way, and a crawl and its replay differ only
in the transport.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.config import load_sources
from monitor.differ import Differ, load_positions
from monitor.lock import DaemonLock
from monitor.pipeline import Clock, Pipeline, utc_now
from monitor.store import open_store
from monitor.store.engine import normalise_url
from monitor.workers import Setup, Workers

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class Settings:
    """Where things are: the data root, the database and the two config files."""

    storage: Path
    sources_path: Path
    positions_path: Path
    db_url: str | None = None  # None: SQLite at <storage>/monitor.db
    semantic: str = "off"  # the differ's semantic extra: off, auto, on

    def database_url(self) -> str:
        if self.db_url:
            return self.db_url
        return f"sqlite:///{(self.storage / 'monitor.db').resolve()}"

    @property
    def shared_database(self) -> bool:
        """PostgreSQL: several daemons may share it (SQLite takes one)."""
        return normalise_url(self.database_url()).get_backend_name() == "postgresql"

    def daemon_lock(self, command: str = "monitor daemon") -> DaemonLock | None:
        """The lock that keeps a second crawler (``command``: a daemon, or `monitor crawl
        --once`) off a SQLite store (None on PostgreSQL or for an in-memory database)."""
        url = normalise_url(self.database_url())
        database = url.database or ""
        if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
            return None
        return DaemonLock(Path(database + ".daemon-lock"), database=database, command=command)

    @property
    def warc_dir(self) -> Path:
        return self.storage / "warc"

    @property
    def digest_dir(self) -> Path:
        return self.storage / "digests"


@asynccontextmanager
async def open_pipeline(
    settings: Settings,
    *,
    replay: Sequence[Path] = (),
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock = utc_now,
    processes: int = 0,
    page_setup: Setup | None = None,
) -> AsyncIterator[Pipeline]:
    """Load both config files, open the store and the fetcher, and close them after.

    With ``replay`` the fetcher serves responses from those WARC files and records
    nothing new: the same pipeline, no network. ``processes`` > 0 runs page work and the
    differ in that many worker processes and store calls on one writer thread (the
    daemon); 0 runs them inline (one-off commands, the demo, tests). ``page_setup`` is
    run by each page worker process when it starts (see ``Workers``).
    """
    # here, not at the top: the analysis-only pipeline (digests, exports) fetches nothing
    from monitor.fetch import Fetcher, ReplayTransport, WarcRecorder, cut_torn_tails, origin_of

    config = load_sources(settings.sources_path)
    positions = load_positions(settings.positions_path)
    differ = Differ(positions, semantic=settings.semantic)  # type: ignore[arg-type]
    workers = Workers(
        differ,
        processes=processes,
        positions_path=settings.positions_path,
        semantic=settings.semantic,
        page_timeout=config.defaults.page_timeout_seconds,
        page_setup=page_setup,
    )
    pipeline: Pipeline | None = None
    try:
        store = open_store(settings.database_url())
    except BaseException:
        workers.shutdown(wait=False)
        raise
    try:
        if replay:
            transport = ReplayTransport([Path(p) for p in replay])
            recorder = None
        else:
            cut_torn_tails(settings.warc_dir)  # what a crash left half-written (logged)
            recorder = WarcRecorder(settings.warc_dir)
        trusted = [o for o in map(origin_of, config.private_urls()) if o is not None]
        async with Fetcher(
            config.defaults, transport=transport, recorder=recorder, private_origins=trusted
        ) as fetcher:
            pipeline = Pipeline(config, positions, store, fetcher, differ, clock, workers)
            pipeline.register_sources()
            yield pipeline
    finally:
        workers.shutdown(wait=pipeline is None or not pipeline.stopping)
        store.close()


@contextmanager
def open_analysis_pipeline(settings: Settings) -> Iterator[Pipeline]:
    """A pipeline without a fetcher, for the work that needs no network: re-analysis,
    digests, one-off diffs of stored pieces.

    Whether each cue of positions.yaml compiles is checked only when the store holds no
    analysis made with exactly this content (its version): stances of that version were
    computed by a differ that compiled every cue, so the check could only pass again. A
    digest of an analysed store thus never compiles a cue; the differ compiles a
    language's cues when it first diffs a piece in it."""
    config = load_sources(settings.sources_path)
    positions = load_positions(settings.positions_path, check_cues=False)
    differ = Differ(positions, semantic=settings.semantic)  # type: ignore[arg-type]
    store = open_store(settings.database_url())
    try:
        if not store.analysed_with(differ.version):
            load_positions(settings.positions_path)  # a ConfigError names the cue's line
        pipeline = Pipeline(config, positions, store, None, differ)
        pipeline.register_sources()
        yield pipeline
    finally:
        store.close()
