"""Per-host politeness as data: one slot per host, Scrapy's download-slot idea.

Each host gets a :class:`_Slot` holding how many requests may be in flight to it, the
least time between two request *starts*, and the earliest time the next one may start.
A global semaphore bounds the requests in flight overall. Waiting for a host happens
*before* taking a global place, so a slow or rate-limited host never holds up the others.

Time comes from an injected ``clock`` (monotonic seconds) and ``sleep`` so tests can check
the spacing without sleeping. The fake sleep of a test must advance the fake clock.

Three things move a host's next start: the configured delay (plus a small random jitter
so requests do not tick like a metronome), a robots.txt ``Crawl-delay`` (which may only
*raise* the delay), and a retry back-off / ``Retry-After`` (:meth:`HostSlots.defer`).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

#: the random extra delay, as a fraction of the host's delay (0..25 % on top)
JITTER = 0.25


def host_key(url: str) -> str:
    """The politeness key of ``url``: its host without ``www.``, plus an explicit port.

    ``www.example.com`` and ``example.com`` are nearly always the same servers, so they
    share a slot; a non-default port is a different server (and, in tests, a different host).
    """
    parsed = httpx.URL(url)
    host = parsed.host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return f"{host}:{parsed.port}" if parsed.port else host


@dataclass
class _Slot:
    delay: float
    concurrency: int
    next_start: float | None = None
    semaphore: asyncio.Semaphore = field(init=False)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.semaphore = asyncio.Semaphore(self.concurrency)


class HostSlots:
    """The politeness state of one fetcher: a slot per host plus a global bound."""

    def __init__(
        self,
        *,
        delay: float,
        per_host: int,
        concurrency: int,
        clock: Clock,
        sleep: Sleep,
        rng: random.Random,
        enabled: bool = True,
    ) -> None:
        self._delay = max(delay, 0.0)
        self._per_host = per_host
        self._global = asyncio.Semaphore(concurrency)
        self._clock = clock
        self._sleep = sleep
        self._rng = rng
        self._enabled = enabled  # False when replaying an archive: nobody to be polite to
        self._slots: dict[str, _Slot] = {}

    def _slot(self, key: str) -> _Slot:
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = _Slot(self._delay, self._per_host)
        return slot

    def delay_of(self, key: str) -> float:
        """The least seconds between two request starts to this host."""
        return self._slot(key).delay

    def raise_delay(self, key: str, seconds: float) -> None:
        """Raise (never lower) a host's delay, e.g. to its robots.txt ``Crawl-delay``."""
        slot = self._slot(key)
        if seconds > slot.delay:
            log.info(
                "host %s asks for %.1f s between requests (was %.1f s)", key, seconds, slot.delay
            )
            slot.delay = seconds

    def defer(self, key: str, seconds: float) -> None:
        """Start nothing on this host for ``seconds`` from now (retry back-off, Retry-After)."""
        if not self._enabled or seconds <= 0:
            return
        slot = self._slot(key)
        until = self._clock() + seconds
        slot.next_start = until if slot.next_start is None else max(slot.next_start, until)

    @asynccontextmanager
    async def slot(self, key: str) -> AsyncIterator[None]:
        """Hold a place for one request to host ``key``; the request starts on entry."""
        if not self._enabled:
            async with self._global:
                yield
            return
        slot = self._slot(key)
        async with slot.semaphore:
            async with slot.lock:  # starts to one host are serialised and spaced
                now = self._clock()
                start = now if slot.next_start is None else max(now, slot.next_start)
                if start > now:
                    await self._sleep(start - now)
                await self._global.acquire()
                slot.next_start = max(self._clock(), start) + self._interval(slot.delay)
            try:
                yield
            finally:
                self._global.release()

    def _interval(self, delay: float) -> float:
        if delay <= 0:
            return 0.0
        return delay * (1.0 + self._rng.uniform(0.0, JITTER))
