"""A connection pool per origin, so handing out a connection costs the same at 5 hosts or 500.

httpcore's pool looks over every connection it holds each time a request comes or goes:
it asks each idle one whether the server has closed it (a ``poll`` system call) and
counts the idle ones once per idle connection. One pool for the whole crawl (a hundred
connections to fifty hosts) made that ~200 polls and ~1,700 checks per page, a quarter
of the event loop's time. A pool per origin holds the few connections the politeness
rules allow one host (``per_host_concurrency``), so each request looks over those only.

Pools are kept while their origin is in use: one whose requests are all done is closed
(with its idle connections) once it has not been used for the keep-alive time, or, when
more origins than ``keep`` have pools, least recently used first — which bounds the idle
connections kept open much as the single pool's keep-alive limit did.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable

import httpx

#: an origin as the pools are keyed: scheme, host, port (None: the scheme's default)
OriginKey = tuple[bytes, bytes, int | None]


class _Pool:
    """One origin's transport, and how many of its responses are still open."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport
        self.open = 0
        self.used = 0.0


class OriginPools(httpx.AsyncBaseTransport):
    """Routes each request to its origin's own transport, made by ``open_pool``."""

    def __init__(
        self,
        open_pool: Callable[[], httpx.AsyncBaseTransport],
        *,
        keep: int,
        idle_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._open_pool = open_pool
        self._keep = keep
        self._idle_seconds = idle_seconds
        self._clock = clock
        self._pools: OrderedDict[OriginKey, _Pool] = OrderedDict()  # least recently used first
        self._swept = clock()

    def __len__(self) -> int:
        """Origins with a pool now."""
        return len(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key: OriginKey = (url.raw_scheme, url.raw_host, url.port)
        now = self._clock()
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = _Pool(self._open_pool())
        else:
            self._pools.move_to_end(key)
        pool.used = now
        pool.open += 1  # until its response is closed: the pool is not closed under it
        try:
            if len(self._pools) > self._keep or now - self._swept >= self._idle_seconds:
                await self._sweep(now)
            response = await pool.transport.handle_async_request(request)
        except BaseException:
            pool.open -= 1
            raise
        response.stream = _Tracked(response.stream, pool)
        return response

    async def _sweep(self, now: float) -> None:
        """Close the pools no request is using that went unused for the keep-alive time,
        and, while more than ``keep`` origins have one, the least recently used idle ones."""
        self._swept = now
        excess = len(self._pools) - self._keep
        for key, pool in list(self._pools.items()):  # least recently used first
            stale = now - pool.used >= self._idle_seconds
            if not (stale or excess > 0):
                break  # the rest were used more recently
            if pool.open or self._pools.get(key) is not pool:
                continue
            del self._pools[key]
            excess -= 1
            await pool.transport.aclose()

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await pool.transport.aclose()


class _Tracked(httpx.AsyncByteStream):
    """A response body that tells its pool when it is closed (read or not)."""

    def __init__(self, stream: httpx.AsyncByteStream, pool: _Pool) -> None:
        self._stream = stream
        self._pool: _Pool | None = pool

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._pool is not None:
                self._pool.open -= 1
                self._pool = None
