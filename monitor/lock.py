"""One crawling process per SQLite store: an exclusive lock on a file beside the database.

SQLite serialises writers but cannot share out the work: two daemons on one store would
visit every source twice and write every digest twice, and a `monitor crawl --once`
beside a daemon would visit every source a second time, its requests spaced from its own
but not from the daemon's, so each site would see twice the rate its delay allows. Both
commands take the lock. It is an ``flock`` on ``<database>.daemon-lock``, so the kernel
releases it when the holder exits however it exits (SIGKILL, power loss): a crashed
process never leaves a stale lock behind. The file names the holder (command, pid, host,
start time) for the refusal message. Several daemons go on
PostgreSQL, where the job engine (``monitor.jobs``) shares the work instead; how a daemon
names itself in its claims there, and how long they last, are here too, so a daemon on
SQLite never imports the job engine (procrastinate and psycopg, ~11 MiB resident).
"""

from __future__ import annotations

import fcntl
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from monitor.errors import MonitorError

#: seconds without a heartbeat after which a daemon's running jobs are taken over
DEFAULT_LEASE_SECONDS = 60.0


def holder_name() -> str:
    """How this daemon signs its claims: host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


class DaemonLocked(MonitorError):
    """Another daemon holds the store."""

    reason = "locked"


class DaemonLock:
    """``with DaemonLock(path, database=…, command=…):`` holds the store for this process,
    or raises ``DaemonLocked`` naming the process that holds it (``command`` is how this
    one is named to the next: "monitor daemon", "monitor crawl --once")."""

    def __init__(self, path: Path, *, database: str, command: str = "monitor daemon") -> None:
        self.path = path
        self.database = database
        self.command = command
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd) or "another process"
            os.close(fd)
            raise DaemonLocked(
                f"another monitor process ({holder}) is crawling {self.database}; one "
                "SQLite store takes one crawler at a time (a daemon or `monitor crawl "
                "--once`), or every source is visited twice. Stop that one first, give this "
                "one its own --storage, or share the work on PostgreSQL (--db postgresql://…)."
            ) from None
        since = datetime.now(UTC).isoformat(timespec="seconds")
        me = f"{self.command}, pid {os.getpid()} on {socket.gethostname()} since {since}"
        os.ftruncate(fd, 0)
        os.pwrite(fd, me.encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None

    def __enter__(self) -> DaemonLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _read(fd: int) -> str:
    try:
        return os.pread(fd, 200, 0).decode("utf-8", errors="replace").strip()
    except OSError:
        return ""
