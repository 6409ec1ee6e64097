"""Where the CPU-bound and blocking work runs, so the event loop only waits.

Three kinds of work leave the loop:

* **page work** (decoding, extraction, the relevance rule: a hostile page can cost seconds)
  and **analysis** (the differ: ~130 ms a piece, seconds with the semantic extra) run in
  worker processes (``procpool.ProcessPool``);
* **store calls** run on one dedicated thread, the single writer, so a busy SQLite (busy
  timeout 15 s) or a slow PostgreSQL never holds up a fetch or a timer.

With two processes or more, one is the page worker and the others analyse (their
initializer loads the differ once each), so a backlog of re-analysis never leaves pages
queueing behind it, and each process loads only what its work needs: the page worker the
language model, the analysers the differ. With one process, it does both.

A page's work has a time limit (``page_timeout_seconds``, enforced from here): past it the
page worker is killed and replaced and the page fails with ``page_timeout``. While a page
is slow (past ``SPARE_AFTER``), the next page gets a spare page worker instead of queueing
behind it, so one page never holds up the pages of other hosts.

``Workers.inline()`` runs everything in the calling thread instead: the offline demo,
one-off commands and most tests want one process and no start-up cost.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from monitor.config import PAGE_TIMEOUT_SECONDS
from monitor.differ import Differ, load_positions
from monitor.models import DiffResult
from monitor.procpool import ProcessPool
from monitor.writer import StoreWriter

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

#: seconds after which a page still in work counts as slow: the next page gets a spare
#: page worker (at most one) instead of waiting behind it
SPARE_AFTER = 1.0

#: how much lower than the daemon's an analysis worker's CPU priority is (``nice``): at
#: 10 it gets about a tenth of a contended core's time, whatever a crawl leaves
ANALYSIS_NICENESS = 10

#: the differ of this worker process, loaded once by ``_start_worker``
_differ: Differ | None = None

#: what a worker process runs once when it starts: a function and its arguments
Setup = tuple[Callable[..., object], tuple[Any, ...]]


def default_processes() -> int:
    """Two workers where there are two cores or more (pages and analysis side by side)."""
    return max(1, min(2, os.cpu_count() or 1))


def _start_worker(
    positions_path: str | None, semantic: str, pages: bool, setup: Setup | None
) -> None:
    """Worker initializer: build the differ once per process when this one analyses
    (``positions_path`` set), load page work when it reads pages, and run the caller's
    own ``setup`` when there is one."""
    global _differ
    if positions_path is not None:
        if not pages:
            # an analyser only: its work is a backlog that may wait, a fetch's pages may
            # not (issue 8: analysis never delays a fetch). On a busy machine the kernel
            # gives the crawl's processes the CPU first; an idle one still all to it
            os.nice(ANALYSIS_NICENESS)
        _differ = Differ(load_positions(positions_path), semantic=semantic)  # type: ignore[arg-type]
    if pages:
        from monitor.pagework import warm_up

        warm_up()
    if setup is not None:
        fn, args = setup
        fn(*args)


def _diff_in_worker(text: str, language: str | None, title: str | None) -> DiffResult:
    if _differ is None:  # pragma: no cover - the initializer always ran
        raise RuntimeError("worker process started without its differ")
    return _differ.diff(text, language=language, title=title)


class Workers:
    """The pools a pipeline hands its blocking work to (see the module docstring)."""

    def __init__(
        self,
        differ: Differ,
        *,
        processes: int = 0,
        positions_path: Path | None = None,
        semantic: str = "off",
        page_timeout: float = PAGE_TIMEOUT_SECONDS,
        page_setup: Setup | None = None,
    ) -> None:
        """``page_setup``: a picklable ``(function, args)`` every page worker runs when it
        starts, before any page (after the differ, where one process does both)."""
        self.differ = differ
        self.processes = processes
        self.page_timeout = page_timeout
        self._pages: ProcessPool | None = None
        self._analysis: ProcessPool | None = None
        self._writer: StoreWriter | None = None
        if processes > 0:
            if positions_path is None:
                raise ValueError("worker processes need the path of positions.yaml")
            # workers start from a clean interpreter (monitor.procstart), not a copy of a
            # process that runs threads (store writer, resolver) and an event loop
            positions = str(positions_path)
            if processes > 1:
                self._analysis = ProcessPool(
                    processes - 1,
                    initializer=_start_worker,
                    initargs=(positions, semantic, False, None),
                    name="analyser",
                )
                # Page work has its own process: only it loads the language model (~65
                # MiB with numpy) and only the others load the differ (and the semantic
                # models), instead of every worker holding everything. A spare (the
                # model loaded once more, while it lives) covers a slow page.
                self._pages = ProcessPool(
                    1,
                    initializer=_start_worker,
                    initargs=(None, semantic, True, page_setup),
                    spare=1,
                    stuck_after=SPARE_AFTER,
                    name="page worker",
                )
            else:
                # one process does both (one core): a slow page waits for its limit
                self._analysis = self._pages = ProcessPool(
                    1,
                    initializer=_start_worker,
                    initargs=(positions, semantic, True, page_setup),
                    name="worker",
                )
            self._writer = StoreWriter()

    @classmethod
    def inline(cls, differ: Differ) -> Workers:
        return cls(differ, processes=0)

    async def start(self) -> None:
        """Start every worker process now and wait until each is ready (the analysers
        with their differ loaded), so the first pages of a run do not queue behind
        start-up (seconds, more on a busy machine) and a worker that cannot start fails
        the start, not a crawl."""
        pools = {id(p): p for p in (self._pages, self._analysis) if p is not None}
        await asyncio.gather(*(pool.start() for pool in pools.values()))

    @property
    def pooled(self) -> bool:
        return self._analysis is not None

    async def page(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a pure, picklable page function (extract + relevance) in a worker, for
        ``page_timeout`` seconds at most (``WorkerTimeout`` past it; the worker is
        replaced). Inline, it simply runs: nothing can cut the caller's own thread."""
        if self._pages is None:
            return fn(*args, **kwargs)
        return await self._pages.run(self.page_timeout, fn, *args, **kwargs)

    async def diff(self, text: str, *, language: str | None, title: str | None) -> DiffResult:
        """The differ's result for one piece, computed in a worker process."""
        if self._analysis is None:
            return self.differ.diff(text, language=language, title=title)
        return await self._analysis.run(None, _diff_in_worker, text, language, title)

    async def store(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a store call on the single writer thread."""
        if self._writer is None:
            return fn(*args, **kwargs)
        return await self._writer.call(partial(fn, *args, **kwargs))

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop the worker processes and the writer. Worker processes still computing are
        killed (a stop must not wait for a seconds-long analysis): what they computed is
        redone after a restart, because nothing of it was stored. ``wait=False`` also drops
        store calls still queued; one in progress always completes (its transaction is
        short)."""
        for pool in {id(p): p for p in (self._pages, self._analysis) if p is not None}.values():
            pool.close()
        if self._writer is not None:
            self._writer.close(wait=wait)
