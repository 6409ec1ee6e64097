"""The store's single writer thread: calls run one at a time in the order they came, each
caller gets its own result or exception, a call its caller gave up on before it started
is not run, and a stop that does not wait drops the queued calls but never cuts the one
running."""

from __future__ import annotations

import asyncio
import threading

import pytest

from monitor.writer import StoreWriter


def test_calls_run_in_turn_on_one_thread_and_each_caller_gets_its_own_outcome() -> None:
    writer = StoreWriter()
    ran: list[tuple[int, str]] = []

    def call(n: int) -> int:
        ran.append((n, threading.current_thread().name))
        if n == 3:
            raise ValueError("three is refused")
        return n * 10

    async def go() -> list[object]:
        return await asyncio.gather(*(writer.call(lambda n=n: call(n)) for n in range(6)),
                                    return_exceptions=True)  # fmt: skip

    try:
        outcomes = asyncio.run(go())
    finally:
        writer.close()
    assert [n for n, _ in ran] == list(range(6))
    assert {name for _, name in ran} == {"store-writer"}
    assert outcomes[:3] == [0, 10, 20] and outcomes[4:] == [40, 50]
    assert isinstance(outcomes[3], ValueError)


def test_a_call_given_up_before_it_started_is_not_run_and_a_stop_drops_the_queue() -> None:
    writer = StoreWriter()
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []

    def slow() -> str:
        started.set()
        release.wait(10)
        ran.append("slow")
        return "slow"

    def note(name: str) -> str:
        ran.append(name)
        return name

    async def go() -> tuple[object, ...]:
        running = asyncio.create_task(writer.call(slow))
        await asyncio.to_thread(started.wait, 10)  # the writer is in the slow call
        given_up = asyncio.create_task(writer.call(lambda: note("given up")))
        queued = asyncio.create_task(writer.call(lambda: note("queued")))
        await asyncio.sleep(0)  # both are in the queue
        given_up.cancel()
        stopping = asyncio.create_task(asyncio.to_thread(writer.close, wait=False))
        await asyncio.sleep(0.05)
        release.set()
        await stopping
        results = await asyncio.gather(running, given_up, queued, return_exceptions=True)
        return tuple(results)

    running, given_up, queued = asyncio.run(go())
    assert running == "slow"  # the call in progress completed
    assert isinstance(given_up, asyncio.CancelledError)
    assert isinstance(queued, asyncio.CancelledError)  # dropped by the stop
    assert ran == ["slow"]
    with pytest.raises(RuntimeError, match="closed"):
        asyncio.run(writer.call(lambda: None))
