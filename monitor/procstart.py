"""Starting a worker process: a fresh interpreter that is handed its two pipe ends.

``multiprocessing``'s ``spawn`` (and ``forkserver``) start methods also start a process of
their own beside the workers, the resource tracker (~13 MiB resident, a fifth of what
an analysis worker holds), to clean up named semaphores and shared memory a worker might
leave behind. These workers use neither: a job and its answer cross a socket pair, and
the worker's end of its life line is a plain pipe. So a worker is started here as a
subprocess instead — ``python -c`` with the parent's ``sys.path``, the two descriptors
passed down — and nothing else runs beside it.

The worker is still a clean interpreter, never a copy of a daemon that runs threads and
an event loop; it receives its set-up (the initializer and its arguments, pickled) as
the first message on its job pipe.
"""

from __future__ import annotations

import subprocess
import sys
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler

#: what the new interpreter runs: ``sys.path`` as the parent's, then the worker's loop
_BOOT = (
    "import sys; sys.path[:] = sys.argv[3:]; "
    "from monitor.procpool import serve_from; serve_from(int(sys.argv[1]), int(sys.argv[2]))"
)


class Child:
    """A started worker process: what the pool needs to know of it and do to it (the
    same names as ``multiprocessing.Process``)."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self._popen = popen

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def exitcode(self) -> int | None:
        """Its exit status once reaped (minus the signal's number when one ended it)."""
        return self._popen.returncode

    def is_alive(self) -> bool:
        return self._popen.poll() is None

    def kill(self) -> None:
        self._popen.kill()

    def join(self, timeout: float | None = None) -> None:
        """Wait for it to end (and reap it), ``timeout`` seconds at most."""
        try:
            self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass


def start(job: Connection, life_line: Connection) -> Child:
    """Start a worker on the child ends of its job pipe and life line, closed here once
    the worker has its copies. Blocks for the fork and exec (a few milliseconds): call it
    off the loop. The worker then waits for its set-up (``setup_message``)."""
    fds = (job.fileno(), life_line.fileno())
    try:
        popen = subprocess.Popen(
            [sys.executable, "-c", _BOOT, *map(str, fds), *sys.path],
            stdin=subprocess.DEVNULL,
            pass_fds=fds,
        )
    finally:
        job.close()
        life_line.close()  # the worker's copy is the one that counts
    return Child(popen)


def setup_message(initializer: object, initargs: tuple) -> bytes:
    """The first message a worker receives: what it runs once before its first job."""
    return bytes(ForkingPickler.dumps((initializer, initargs)))
