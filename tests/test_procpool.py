"""The worker pool that can cut a job: a job past its limit costs that job and its process,
never the pool, the jobs beside it or the jobs after it.

Real processes (spawned, as the daemon starts them); the jobs are the standard
library's own functions (``time.sleep``, ``os.getpid``, ``os._exit``), so nothing here
depends on the monitor's page work.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from monitor.errors import ExtractError, WorkerError, WorkerTimeout
from monitor.procpool import ProcessPool

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[1]


def in_pool(job: Callable[[ProcessPool], Awaitable[T]], *, spare: int = 0) -> T:
    pool = ProcessPool(1, spare=spare, stuck_after=0.2, name="test")

    async def go() -> T:
        await pool.start()
        try:
            return await job(pool)
        finally:
            pool.close()

    result = asyncio.run(go())
    assert pool.processes == 0  # closing left no process behind
    return result


def test_a_job_past_its_limit_is_cut_and_the_next_runs_on_a_fresh_worker() -> None:
    async def job(pool: ProcessPool) -> tuple[int, int]:
        before = await pool.run(10, os.getpid)
        with pytest.raises(WorkerTimeout) as cut:
            await pool.run(0.5, time.sleep, 120)  # would hold the worker for two minutes
        assert cut.value.reason == "worker_timeout"
        after = await pool.run(10, os.getpid)
        return before, after

    before, after = in_pool(job)
    assert before != after  # the stuck process was killed, a fresh one took the next job
    with pytest.raises(ProcessLookupError):
        os.kill(before, 0)  # and it is gone, not left sleeping


def test_a_job_beside_a_stuck_one_runs_on_a_spare_process() -> None:
    async def job(pool: ProcessPool) -> tuple[bool, set[int], int]:
        stuck = asyncio.create_task(pool.run(60, time.sleep, 120))
        await asyncio.sleep(0.05)  # the stuck job has the only worker
        beside = {await pool.run(60, os.getpid) for _ in range(5)}
        stuck_still_running = not stuck.done()
        stuck.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stuck
        return stuck_still_running, beside, pool.processes

    stuck_still_running, beside, left = in_pool(job, spare=1)
    assert stuck_still_running  # the five jobs did not wait for it
    assert len(beside) == 1  # one spare served them all, not a process per job
    assert left == 1  # the cancelled job's process was killed; the spare stays as the worker


def test_without_a_spare_jobs_wait_for_the_worker() -> None:
    """The spare is what lets a job pass a stuck one: without it, it waits its turn."""

    async def job(pool: ProcessPool) -> bool:
        stuck = asyncio.create_task(pool.run(60, time.sleep, 1.0))
        await asyncio.sleep(0.05)
        await pool.run(60, os.getpid)
        return stuck.done()

    assert in_pool(job, spare=0)


def test_jobs_in_line_are_served_in_turn_and_a_cancelled_one_costs_nothing() -> None:
    """Pages of many hosts wait for one page worker: each is served, in the order they
    came; one whose caller gave up while waiting (a stopped visit) leaves the line
    without taking the worker with it."""

    async def job(pool: ProcessPool) -> tuple[list[int], int]:
        order: list[int] = []

        async def one(n: int) -> None:
            await pool.run(60, time.sleep, 0.01)
            order.append(n)

        first = asyncio.create_task(pool.run(60, time.sleep, 0.3))
        await asyncio.sleep(0.05)  # the first job has the only worker; the others line up
        tasks = [asyncio.create_task(one(n)) for n in range(8)]
        await asyncio.sleep(0.05)
        tasks[3].cancel()
        await first
        await asyncio.gather(*tasks, return_exceptions=True)
        return order, pool.processes

    order, left = in_pool(job)
    assert order == [0, 1, 2, 4, 5, 6, 7]
    assert left == 1  # served by the one worker throughout


def test_a_job_and_an_answer_larger_than_the_pipe_cross_whole() -> None:
    """A page of megabytes goes to the worker, and a long article comes back, in pieces
    the event loop writes and reads as the pipe takes them."""

    async def job(pool: ProcessPool) -> tuple[int, bytes, int]:
        big = bytes(range(256)) * 40_000  # 10 MB, far past a socket buffer
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        ticker = asyncio.create_task(tick())
        try:
            sent = await pool.run(60, len, big)
            back = await pool.run(60, bytes.fromhex, big[:3_000_000].hex())
        finally:
            ticker.cancel()
        assert back == big[:3_000_000]
        return sent, back[:4], ticks

    sent, head, ticks = in_pool(job)
    assert sent == 10_240_000 and head == bytes(range(4))
    assert ticks > 1  # the loop served other work while the job crossed


def test_a_worker_that_dies_mid_job_costs_that_job_only() -> None:
    async def job(pool: ProcessPool) -> int:
        with pytest.raises(WorkerError) as died:
            await pool.run(10, os._exit, 3)
        assert "exit code 3" in died.value.message
        return await pool.run(10, os.getpid)

    assert in_pool(job) > 0


def test_a_monitor_error_crosses_the_process_boundary_whole() -> None:
    """A worker's typed error reaches the caller with its reason and fields (the page
    worker raises them for every page without an article), and the worker serves on."""

    async def job(pool: ProcessPool) -> tuple[ExtractError, int, int]:
        first = await pool.run(10, os.getpid)
        error = ExtractError("https://example.org/a", "no article text", reason="no_text")
        with pytest.raises(ExtractError) as raised:
            await pool.run(10, _raise, error)
        return raised.value, first, await pool.run(10, os.getpid)

    error, first, after = in_pool(job)
    assert (error.reason, error.url, error.message) == (
        "no_text",
        "https://example.org/a",
        "https://example.org/a: no article text",
    )
    assert first == after


def _raise(error: Exception) -> None:
    raise error


DAEMON = """
import asyncio, os, time
from monitor.procpool import ProcessPool

async def main():
    pool = ProcessPool(1)
    await pool.start()
    print(await pool.run(None, os.getpid), flush=True)
    await pool.run(None, time.sleep, 600)

if __name__ == "__main__":
    asyncio.run(main())
"""


def test_a_stuck_worker_does_not_outlive_a_killed_daemon(tmp_path: Path) -> None:
    """A daemon SIGKILLed (the OOM killer, a power-cycled container's runtime) while a
    worker is stuck in a job must not leave that worker running for ever."""
    script = tmp_path / "daemon.py"
    script.write_text(DAEMON, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    daemon = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                              env=env)  # fmt: skip
    try:
        assert daemon.stdout is not None
        worker = int(daemon.stdout.readline())
        time.sleep(0.5)  # the stuck job is in the worker
        assert _alive(worker)
    finally:
        daemon.kill()
        daemon.wait()
    deadline = time.monotonic() + 20
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker)


def _alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped by whoever inherited it is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


POOL = """
import asyncio, os
from monitor.procpool import ProcessPool

def parent_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])

async def main():
    pool = ProcessPool(2)
    await pool.start()
    children = [p for p in os.listdir("/proc") if p.isdigit() and parent_of(p) == os.getpid()]
    print(len(children), pool.processes, flush=True)
    pool.close()

if __name__ == "__main__":
    asyncio.run(main())
"""


def test_a_pool_starts_its_workers_and_no_other_process(tmp_path: Path) -> None:
    """multiprocessing's own start methods put a resource tracker beside the workers, an
    interpreter of its own (~13 MiB) that these workers never need."""
    script = tmp_path / "pool.py"
    script.write_text(POOL, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         env=env, timeout=120, check=True)  # fmt: skip
    children, workers = map(int, out.stdout.split())
    assert (children, workers) == (2, 2)
