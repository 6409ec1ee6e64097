"""Worker processes whose jobs can be cut: a deadline per job, enforced from the parent.

``concurrent.futures.ProcessPoolExecutor`` cannot stop a call once it runs, and a worker
that dies (killed for overrunning, or crashed in a C extension) breaks the whole executor:
every queued and every later call fails with ``BrokenProcessPool``. Page work needs the
opposite: a page whose extraction runs past its limit must cost that page only. So this
pool keeps its own processes, one job at a time each, talking over a pipe:

* a job that overruns its ``timeout`` has its process killed (SIGKILL: a hung C extension
  ignores everything else) and raises ``WorkerTimeout``; a process that dies mid-job raises
  ``WorkerError``; either way the process is replaced and the other jobs go on;
* with ``spare`` > 0, a job that finds every worker busy on a job older than ``stuck_after``
  seconds gets a spare process of its own instead of queueing behind the slow one, so one
  slow page never holds up the pages of other hosts for longer than that; spares retire
  when the pool has more idle processes than ``size``.

Processes start from a clean interpreter (``monitor.procstart``), never as a copy of a
daemon that runs threads and an event loop. The event loop only waits on the pipes.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import pickle
import signal
import struct
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection, Pipe
from multiprocessing.reduction import ForkingPickler
from typing import Any, TypeVar

from monitor import procstart
from monitor.errors import WorkerError, WorkerTimeout

log = logging.getLogger(__name__)

T = TypeVar("T")

#: seconds an idle worker is given to exit on its own at shutdown before it is killed
EXIT_GRACE = 1.0
#: bytes read from a worker's pipe at once (an answer is a few kB: one read takes it)
READ_SIZE = 256 * 1024


def serve_from(job_fd: int, alive_fd: int) -> None:
    """A worker process's entry (see ``monitor.procstart``): take the descriptors it was
    handed, read its set-up, then serve jobs."""
    conn = Connection(job_fd)
    alive = Connection(alive_fd, writable=False)
    try:
        initializer, initargs = pickle.loads(conn.recv_bytes())
    except EOFError:  # the parent is gone before it could say what to do
        return
    except Exception as exc:  # a set-up that does not unpickle here
        conn.send(("failed", exc))
        return
    _serve(conn, alive, initializer, initargs)


def _serve(
    conn: Connection,
    alive: Connection,
    initializer: Callable[..., object] | None,
    initargs: tuple,
) -> None:
    """A worker process: set up once, then run one job at a time until told to stop."""
    # Ctrl-C reaches the whole process group; the parent decides what stops, and when
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(alive)
    try:
        if initializer is not None:
            initializer(*initargs)
    except Exception as exc:
        conn.send(("failed", exc))
        return
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except EOFError:  # the parent is gone
            return
        if job is None:
            return
        fn, args, kwargs = job
        try:
            answer: tuple[str, Any] = ("ok", fn(*args, **kwargs))
        except Exception as exc:
            answer = ("error", exc)
        try:
            conn.send(answer)
        except Exception as exc:  # an answer that does not pickle (send pickles first)
            conn.send(("error", WorkerError(f"a worker's answer could not be sent: {exc!r}")))


def _die_with_parent(alive: Connection) -> None:
    """``alive`` is the read end of a pipe whose write end only the parent holds and never
    writes to: it turns readable once, at EOF, when the parent is gone. With O_ASYNC the
    kernel then sends SIGIO, whose default action ends the process without the interpreter
    (a job stuck in C holding the GIL could not run a watchdog), so a worker stuck in a page
    does not outlive a daemon killed with SIGKILL. A pipe of its own, not the job pipe:
    on the job pipe every answer sent and read is I/O the kernel may signal too."""
    fd = alive.fileno()
    fcntl.fcntl(fd, fcntl.F_SETOWN, os.getpid())
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_ASYNC)
    if alive.poll(0):  # it went before O_ASYNC was set: no signal would come
        os._exit(1)


class _Worker:
    """One process, the parent's end of its job pipe, and the write end of its life line
    (held, never written: its closing is the worker's cue to end, see ``_die_with_parent``).

    The parent's end of the job pipe is non-blocking and watched by the event loop for as
    long as the worker lives: an answer is read as it arrives, in one read where it fits
    (``Connection.recv_bytes`` reads the length and the body apart, and watching the pipe
    only while a job runs cost two more system calls a job), and a job larger than the
    pipe's buffer (a page of several megabytes) is written as the worker reads it, while
    the loop serves the other hosts, instead of blocking the loop until it is through.
    The worker's end stays blocking, with ``multiprocessing``'s framing: a 4-byte length
    (or -1 and an 8-byte length), then the bytes."""

    def __init__(self, process: Any, conn: Connection, alive: Connection) -> None:
        self.process = process
        self.conn = conn
        self.alive = alive
        self.started = 0.0  # when its current job started (monotonic)
        self._fd = conn.fileno()
        os.set_blocking(self._fd, False)
        self._inbox = bytearray()
        self._ended = False  # the pipe reached its end: the process is gone
        self._waiting: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _watch(self) -> None:
        """Watch the pipe from the running loop (a pool may serve one loop after another)."""
        loop = asyncio.get_running_loop()
        if self._loop is loop or self._ended:
            return
        self._unwatch()
        loop.add_reader(self._fd, self._on_readable)
        self._loop = loop

    def _unwatch(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(self._fd)
        self._loop = None

    def _on_readable(self) -> None:
        try:
            data = os.read(self._fd, READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            self._inbox += data
            if _frame_end(self._inbox) is None:
                return  # the rest of the answer is still on its way
        else:
            self._ended = True
            self._unwatch()
        if self._waiting is not None and not self._waiting.done():
            self._waiting.set_result(None)

    async def send(self, data: bytes) -> None:
        """Send one job (framed as ``Connection.send_bytes`` does), without blocking."""
        self._watch()
        n = len(data)
        header = struct.pack("!i", n) if n <= 0x7FFFFFFF else struct.pack("!iQ", -1, n)
        rest = memoryview(header + data)
        while rest:
            try:
                rest = rest[os.write(self._fd, rest) :]
            except BlockingIOError:
                await self._writable()
            except OSError as exc:  # it died while idle (the OOM killer, an operator)
                raise WorkerError(f"worker process {self.process.pid} is gone: {exc}") from exc

    async def _writable(self) -> None:
        assert self._loop is not None
        ready: asyncio.Future[None] = self._loop.create_future()
        self._loop.add_writer(self._fd, _settle, ready)
        try:
            await ready
        finally:
            self._loop.remove_writer(self._fd)

    async def receive(self) -> tuple[str, Any]:
        """The worker's next answer; the loop waits on the pipe, it never blocks on it."""
        self._watch()
        while (end := _frame_end(self._inbox)) is None:
            if self._ended:
                self.process.join(0.5)  # reap it, for its exit code
                raise WorkerError(
                    f"worker process {self.process.pid} ended in the middle of a job "
                    f"(exit code {self.process.exitcode})"
                )
            self._waiting = asyncio.get_running_loop().create_future()
            try:
                await self._waiting
            finally:
                self._waiting = None
        start, stop = end
        data = bytes(self._inbox[start:stop])
        del self._inbox[:stop]
        try:
            answer: tuple[str, Any] = pickle.loads(data)
        except Exception as exc:
            raise WorkerError(f"a worker's answer could not be read: {exc!r}") from exc
        return answer

    def kill(self) -> None:
        self._unwatch()
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(EXIT_GRACE)
        self.alive.close()

    def retire(self) -> None:
        """Ask an idle worker to exit; kill it if it does not."""
        try:
            self.conn.send(None)  # a few bytes into an idle worker's empty pipe
        except OSError:
            pass
        self.process.join(EXIT_GRACE)
        self.kill()


def _frame_end(inbox: bytearray) -> tuple[int, int] | None:
    """Where the first whole message in ``inbox`` starts and ends (None: not all in yet)."""
    if len(inbox) < 4:
        return None
    (size,) = struct.unpack_from("!i", inbox)
    start = 4
    if size == -1:
        if len(inbox) < 12:
            return None
        (size,) = struct.unpack_from("!Q", inbox, 4)
        start = 12
    return (start, start + size) if len(inbox) >= start + size else None


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class ProcessPool:
    """``size`` worker processes (plus up to ``spare`` for stuck jobs; see the module
    docstring), each running ``initializer(*initargs)`` once when it starts."""

    def __init__(
        self,
        size: int,
        *,
        initializer: Callable[..., object] | None = None,
        initargs: tuple = (),
        spare: int = 0,
        stuck_after: float = 1.0,
        name: str = "worker",
    ) -> None:
        if size < 1:
            raise ValueError(f"a pool needs at least one process, got {size}")
        self.size = size
        self.spare = spare
        self.stuck_after = stuck_after
        self.name = name
        self._initializer = initializer
        self._initargs = initargs
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._starting = 0
        self._waiting: deque[asyncio.Future[_Worker | None]] = deque()
        self._closed = False

    @property
    def processes(self) -> int:
        """Worker processes alive or starting now."""
        return len(self._idle) + len(self._busy) + self._starting

    async def start(self) -> None:
        """Start ``size`` processes now and wait until each has run its initializer, so a
        worker that cannot start fails the start, not the first job."""
        missing = self.size - self.processes
        for worker in await asyncio.gather(*(self._spawn() for _ in range(missing))):
            self._release(worker)

    async def run(
        self, timeout: float | None, fn: Callable[..., T], *args: Any, **kwargs: Any
    ) -> T:
        """``fn(*args, **kwargs)`` in a worker (``fn`` and its arguments must pickle);
        ``timeout`` seconds at most from the moment a worker takes it (None: no limit).

        Raises what ``fn`` raised, ``WorkerTimeout`` past the limit, ``WorkerError`` when
        the process died. A cancelled caller's job is cut too: its process is killed, so
        its late answer is never taken for the next job's."""
        job = ForkingPickler.dumps((fn, args, kwargs))  # a job that does not pickle fails here
        worker = await self._take()
        worker.started = time.monotonic()
        self._busy.add(worker)
        try:
            async with asyncio.timeout(timeout):  # no task of its own, as wait_for makes
                await worker.send(job)
                status, value = await worker.receive()
        except TimeoutError:
            self._discard(worker)
            log.warning("%s: a job overran its %g s and its process was killed", self.name,
                        timeout)  # fmt: skip
            raise WorkerTimeout(timeout or 0.0) from None
        except BaseException:
            self._discard(worker)
            raise
        self._release(worker)
        if status == "error":
            raise value
        return value  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop every process: idle ones are asked to exit, busy ones are killed (what
        they compute is lost; nothing they hold is stored state)."""
        self._closed = True
        idle, busy = self._idle, self._busy
        self._idle, self._busy = [], set()
        for worker in busy:
            worker.kill()
        for worker in idle:
            worker.retire()
        self._wake_all()

    # ── taking and giving back workers ─────────────────────────────────────────────
    #
    # Jobs that find no idle worker wait in line (``_waiting``, first come first served),
    # each on a future of its own: a worker coming free is handed to the first in line
    # directly, and only it wakes. (A shared event woke every waiting job at each change,
    # and all but one went back to waiting: with a page of each of 50 hosts in line, ~35
    # wake-ups per page on the event loop.) A job is also woken without a worker (None)
    # to look again: when its wait for a stuck job is over (a spare may start), when a
    # process died (a fresh one may start), and at close.

    async def _take(self) -> _Worker:
        while True:
            if self._closed:
                raise WorkerError(f"the {self.name} pool is closed")
            if self._idle:
                return self._idle.pop()
            if self.processes < self.size or self._needs_spare():
                if self.processes >= self.size:
                    log.info("%s: every process is on a job older than %g s; a spare starts",
                             self.name, self.stuck_after)  # fmt: skip
                self._starting += 1
                try:
                    return await self._spawn()
                finally:
                    self._starting -= 1
                    self._wake_first()  # room for one more start, or a spare, maybe
            worker = await self._wait_in_line(self._until_stuck())
            if worker is not None:
                return worker

    async def _wait_in_line(self, timeout: float | None) -> _Worker | None:
        """Wait for a worker handed over (returned) or to be told to look again (None)."""
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[_Worker | None] = loop.create_future()
        self._waiting.append(turn)
        timer = loop.call_later(timeout, _settle, turn) if timeout is not None else None
        try:
            return await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # woken just as its caller gave up
                handed = turn.result()
                if handed is not None:
                    self._busy.discard(handed)
                    self._release(handed)  # to the next in line, or idle
                else:
                    self._wake_first()  # pass the look on
            raise
        finally:
            if timer is not None:
                timer.cancel()

    def _next_in_line(self) -> asyncio.Future[_Worker | None] | None:
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():  # a timed-out or cancelled wait left it here
                return turn
        return None

    def _wake_first(self) -> None:
        turn = self._next_in_line()
        if turn is not None:
            turn.set_result(None)

    def _wake_all(self) -> None:
        while (turn := self._next_in_line()) is not None:
            turn.set_result(None)

    def _needs_spare(self) -> bool:
        """Every worker is on a job older than ``stuck_after`` and a spare is allowed."""
        if self.processes >= self.size + self.spare or self._starting:
            return False
        now = time.monotonic()
        return all(now - w.started >= self.stuck_after for w in self._busy)

    def _until_stuck(self) -> float | None:
        """Seconds until the youngest busy job counts as stuck (None: no spare to wait
        for, only a worker coming free)."""
        if not self._busy or self.processes >= self.size + self.spare:
            return None
        youngest = max(w.started for w in self._busy)
        return max(0.0, youngest + self.stuck_after - time.monotonic()) + 0.01

    def _release(self, worker: _Worker) -> None:
        self._busy.discard(worker)
        if self._closed:
            worker.retire()
            return
        turn = self._next_in_line()
        if turn is not None:
            worker.started = time.monotonic()
            self._busy.add(worker)  # counted while the job it was handed to wakes up
            turn.set_result(worker)
        elif len(self._idle) >= self.size:
            worker.retire()  # a spare no longer needed: ``size`` processes already wait
        else:
            self._idle.append(worker)

    def _discard(self, worker: _Worker) -> None:
        self._busy.discard(worker)
        worker.kill()
        self._wake_first()  # a waiting job may now start a fresh process

    async def _spawn(self) -> _Worker:
        parent, child = Pipe()
        life_line, alive = Pipe(duplex=False)  # (read end, write end)
        setup = procstart.setup_message(self._initializer, self._initargs)
        # a fork and an exec: milliseconds, seconds on a busy machine; off the loop
        process = await asyncio.to_thread(procstart.start, child, life_line)
        worker = _Worker(process, parent, alive)
        try:
            await worker.send(setup)
            status, value = await worker.receive()
        except BaseException:
            worker.kill()
            raise
        if status != "ready":
            worker.kill()
            raise WorkerError(f"a {self.name} process could not start: {value!r}")
        if self._closed:
            worker.retire()
            raise WorkerError(f"the {self.name} pool is closed")
        return worker
