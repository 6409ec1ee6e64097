"""Where the CPU-bound and blocking work runs, so the event loop only waits.

Three kinds of work leave the loop:

* **page work** (decoding, extraction, the relevance rule: a hostile page can cost seconds)
  and **analysis** (the differ: ~130 ms a piece, seconds with the semantic extra) run in
  ``ProcessPoolExecutor`` workers;
* **store calls** run on one dedicated thread, the single writer, so a busy SQLite (busy
  timeout 15 s) or a slow PostgreSQL never holds up a fetch or a timer.

With two processes or more, one is the page worker and the others analyse (their
initializer loads the differ once each), so a backlog of re-analysis never leaves pages
queueing behind it, and each process loads only what its work needs: the page worker the
language model, the analysers the differ. With one process, it does both.

``Workers.inline()`` runs everything in the calling thread instead: the offline demo,
one-off commands and most tests want one process and no start-up cost.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from monitor.differ import Differ, load_positions
from monitor.models import DiffResult

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

#: the differ of this worker process, loaded once by ``_load_differ``
_differ: Differ | None = None


def default_processes() -> int:
    """Two workers where there are two cores or more (pages and analysis side by side)."""
    return max(1, min(2, os.cpu_count() or 1))


def _load_differ(positions_path: str, semantic: str) -> None:
    """Worker initializer: read positions.yaml and build the differ once per process."""
    global _differ
    _differ = Differ(load_positions(positions_path), semantic=semantic)  # type: ignore[arg-type]


def _diff_in_worker(text: str, language: str | None, title: str | None) -> DiffResult:
    if _differ is None:  # pragma: no cover - the initializer always ran
        raise RuntimeError("worker process started without its differ")
    return _differ.diff(text, language=language, title=title)


def _ready() -> bool:
    return _differ is not None


class Workers:
    """The pools a pipeline hands its blocking work to (see the module docstring)."""

    def __init__(
        self,
        differ: Differ,
        *,
        processes: int = 0,
        positions_path: Path | None = None,
        semantic: str = "off",
    ) -> None:
        self.differ = differ
        self.processes = processes
        self._pages: ProcessPoolExecutor | None = None
        self._analysis: ProcessPoolExecutor | None = None
        self._writer: Executor | None = None
        if processes > 0:
            if positions_path is None:
                raise ValueError("worker processes need the path of positions.yaml")
            # forkserver: workers start from a clean interpreter, not a copy of a process
            # that runs threads (store writer, resolver) and an event loop
            context = multiprocessing.get_context("forkserver")
            self._analysis = ProcessPoolExecutor(
                max(1, processes - 1),
                mp_context=context,
                initializer=_load_differ,
                initargs=(str(positions_path), semantic),
            )
            # With two processes or more, page work has its own: only it loads the
            # language model (~65 MiB with numpy) and only the others load the differ
            # (and the semantic models), instead of every worker holding everything.
            self._pages = (
                ProcessPoolExecutor(1, mp_context=context) if processes > 1 else self._analysis
            )
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="store-writer")
        self._analysis_gate = asyncio.Semaphore(max(1, processes - 1))

    @classmethod
    def inline(cls, differ: Differ) -> Workers:
        return cls(differ, processes=0)

    async def start(self) -> None:
        """Start every worker process now and wait until each is ready (the analysers
        with their differ loaded), so the first pages of a run do not queue behind
        start-up (seconds, more on a busy machine) and a worker that cannot start fails
        the start, not a crawl."""
        if self._analysis is None or self._pages is None:
            return
        ready = [_submit(self._analysis, _ready) for _ in range(max(1, self.processes - 1))]
        if self._pages is not self._analysis:
            ready.append(_submit(self._pages, bool, True))
        await asyncio.gather(*ready)

    @property
    def pooled(self) -> bool:
        return self._analysis is not None

    async def page(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a pure, picklable page function (extract + relevance) in a worker."""
        if self._pages is None:
            return fn(*args, **kwargs)
        return await _submit(self._pages, fn, *args, **kwargs)

    async def diff(self, text: str, *, language: str | None, title: str | None) -> DiffResult:
        """The differ's result for one piece, computed in a worker process."""
        if self._analysis is None:
            return self.differ.diff(text, language=language, title=title)
        async with self._analysis_gate:
            return await _submit(self._analysis, _diff_in_worker, text, language, title)

    async def store(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a store call on the single writer thread."""
        if self._writer is None:
            return fn(*args, **kwargs)
        return await _submit(self._writer, fn, *args, **kwargs)

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop the pools. ``wait=False`` drops queued work at once (a stop signal): what
        a worker is computing is lost, and is redone after a restart because nothing of it
        was stored."""
        for pool in {id(p): p for p in (self._pages, self._analysis) if p is not None}.values():
            pool.shutdown(wait=wait, cancel_futures=not wait)
            if not wait:
                _end_workers(pool)
        if self._writer is not None:
            # a store call in progress always completes: its transaction is short
            self._writer.shutdown(wait=True, cancel_futures=not wait)


async def _submit(executor: Executor, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    loop = asyncio.get_running_loop()
    # a partial of a module-level function pickles; a lambda would not
    return await loop.run_in_executor(executor, partial(fn, *args, **kwargs))


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate worker processes still computing (a stop must not wait for a
    seconds-long analysis); nothing they hold is stored state."""
    processes: dict[int, Any] = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        if process.is_alive():
            process.terminate()
