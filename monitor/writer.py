"""The store's single writer: one thread that runs store calls in the order they come and
hands their results back to the event loop in batches.

A ``ThreadPoolExecutor`` of one thread did the same one call at a time, and woke the
event loop for each result (``call_soon_threadsafe``: a write to the loop's self-pipe, a
system call, and the loop's read of it). When calls queue up — a crawl storing a page
every few milliseconds, each its own transaction — the writer now runs what is queued
and wakes the loop once for all the results ready, at the latest ``BATCH_SECONDS`` after
the first of them, so no caller waits longer than that for a result already there.

Like the executor's, a call whose caller gave up (its task cancelled) before the call
started is not run, and a call that started always completes; ``close(wait=False)``
drops the calls still queued (their callers see ``CancelledError``).
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

#: longest a finished call's result waits for the ones after it before the loop is woken
BATCH_SECONDS = 0.002


@dataclass
class _Call:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    fn: Callable[[], Any]
    ok: bool = True
    value: Any = None


class StoreWriter:
    """One thread running store calls (see the module docstring)."""

    def __init__(self, name: str = "store-writer") -> None:
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._lock = threading.Lock()
        self._closed = False

    async def call(self, fn: Callable[[], T]) -> T:
        """``fn()`` on the writer thread; its result (or its exception) here."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the store writer is closed")
            if not self._thread.is_alive():
                self._thread.start()
            self._calls.put(_Call(loop, future, fn))
        return await future

    def close(self, *, wait: bool = True) -> None:
        """Stop the thread once the calls queued are run (``wait=False``: dropped; the
        one running completes)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            started = self._thread.is_alive()
            if not wait:
                while True:
                    try:
                        call = self._calls.get_nowait()
                    except queue.Empty:
                        break
                    if call is not None:
                        _deliver_soon(call.loop, [call], cancel=True)
            self._calls.put(None)
        if started:
            self._thread.join()

    def _run(self) -> None:
        ready: list[_Call] = []
        since = 0.0
        while True:
            if ready:
                try:
                    call = self._calls.get_nowait()
                except queue.Empty:
                    _deliver(ready)
                    ready = []
                    continue
            else:
                call = self._calls.get()
            if call is None:
                _deliver(ready)
                return
            if call.future.cancelled():  # its caller gave up before it started
                continue
            try:
                call.value = call.fn()
            except BaseException as exc:  # handed to the caller, as an executor does
                call.ok, call.value = False, exc
            if not ready:
                since = time.monotonic()
            ready.append(call)
            if time.monotonic() - since >= BATCH_SECONDS:
                _deliver(ready)
                ready = []


def _deliver(calls: list[_Call]) -> None:
    """Wake each loop once for all of its calls' results."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Call]] = {}
    for call in calls:
        by_loop.setdefault(call.loop, []).append(call)
    for loop, mine in by_loop.items():
        _deliver_soon(loop, mine)


def _deliver_soon(
    loop: asyncio.AbstractEventLoop, calls: list[_Call], *, cancel: bool = False
) -> None:
    try:
        loop.call_soon_threadsafe(_settle, calls, cancel)
    except RuntimeError:  # the loop is closed: nobody waits for these any more
        pass


def _settle(calls: list[_Call], cancel: bool) -> None:
    for call in calls:
        if call.future.done():
            continue
        if cancel:
            call.future.cancel()
        elif call.ok:
            call.future.set_result(call.value)
        else:
            call.future.set_exception(call.value)
