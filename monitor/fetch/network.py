"""The one place that opens connections: resolve, judge the address, connect to it.

httpx hands the host name to its connection pool, whose network backend resolves it and
connects. Checking a URL's host *before* the request would be too early: the name can
resolve to a public address when checked and to ``127.0.0.1`` a moment later (DNS
rebinding), and a redirect is a new name. So the check lives in the network backend:
:class:`GuardedBackend` resolves the name once, refuses the connection when any of its
addresses is internal (:mod:`monitor.fetch.addresses`), and connects to exactly the
address it judged. TLS still verifies the certificate against the host name (httpcore
passes it for SNI), so pinning the address weakens nothing.

Every request and every redirect hop opens or reuses a connection to its own origin, and a
connection is only ever opened here, so the guard cannot be stepped around. Environment
proxies are not used (through a proxy the address connected to would be the proxy's);
``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` still name the certificates trusted.
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
import typing
from collections.abc import Awaitable, Callable, Sequence

import httpcore
import httpx

from monitor.fetch.addresses import AddressPolicy
from monitor.fetch.pools import OriginPools

#: ``(host, port) -> addresses``; tests inject one that maps names to 127.0.0.x
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]


class InternalAddress(Exception):
    """Raised inside the transport; the fetcher turns it into ``AddressRefused``."""

    def __init__(self, host: str, port: int, address: str, kind: str) -> None:
        super().__init__(f"{host}:{port} resolves to {address}, a {kind} address")
        self.host = host
        self.port = port
        self.address = address
        self.kind = kind


async def system_resolver(host: str, port: int) -> list[str]:
    """The machine's resolver (getaddrinfo, run off the event loop by asyncio)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to addresses the policy allows."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver = system_resolver,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.policy = policy
        self._resolve = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._addresses(host, port, timeout)
        for address in addresses:  # a name with one internal address is refused whole
            kind = self.policy.refusal(host, port, address)
            if kind is not None:
                raise InternalAddress(host, port, address, kind)
        last: Exception | None = None
        # one address after another, IPv4 first: without happy eyeballs (anyio does them
        # only for a name) a host with a broken IPv6 route would cost a connect timeout
        for address in sorted(addresses, key=lambda a: ":" in a):
            try:
                stream = await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
                return PinnedStream(stream, (address, port))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def _addresses(self, host: str, port: int, timeout: float | None) -> list[str]:
        try:
            async with asyncio.timeout(timeout):
                addresses = list(await self._resolve(host, port))
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} took too long") from None
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host} ({exc})") from None
        if not addresses:
            raise httpcore.ConnectError(f"{host} resolves to no address")
        return addresses

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("the crawler never connects to local sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedStream(httpcore.AsyncNetworkStream):
    """A connection to the one address the guard judged, which answers the two questions
    httpcore and the fetcher ask of every response without asking the kernel twice.

    httpcore's pool checks each idle connection for a server-side close before it hands
    out the next request (``is_readable``), and the fetcher reads the server's address for
    the WARC record (``server_addr``). The anyio stream answers both by building its whole
    attribute table, a ``getpeername`` system call included, each time: with a pool of a
    hundred connections, ~50 such calls per page fetched. Here the address is the one
    connected to, and readability is one ``poll`` on the socket, as httpcore does it."""

    def __init__(
        self,
        inner: httpcore.AsyncNetworkStream,
        server: tuple[str, int],
        sock: socket.socket | None = None,
    ) -> None:
        self._inner = inner
        self._server = server
        self._socket = sock if sock is not None else inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        tls = await self._inner.start_tls(ssl_context, server_hostname, timeout)
        return PinnedStream(tls, self._server, self._socket)  # TLS over the same socket

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "server_addr":
            return self._server
        if info == "socket":
            return self._socket
        if info == "is_readable":
            return _readable(self._socket)
        return self._inner.get_extra_info(info)


def _readable(sock: socket.socket | None) -> bool:
    """Whether a read would return at once (data, or the b"" of a closed connection); a
    socket already closed counts as readable, so the pool drops the connection. The
    descriptor is asked of the socket each time: a number kept from before could by now
    belong to another socket."""
    fd = -1 if sock is None else sock.fileno()
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


def guarded_transport(
    policy: AddressPolicy,
    limits: httpx.Limits,
    *,
    resolver: Resolver = system_resolver,
    inner: httpcore.AsyncNetworkBackend | None = None,
) -> httpx.AsyncBaseTransport:
    """httpx's own transport (request/response mapping, error translation), one per
    origin (:mod:`monitor.fetch.pools`), over connection pools whose every connection
    goes through one :class:`GuardedBackend`."""
    backend = GuardedBackend(policy, resolver=resolver, inner=inner)
    ssl_context = httpx.create_ssl_context()  # SSL_CERT_FILE / SSL_CERT_DIR still apply

    def open_pool() -> httpx.AsyncHTTPTransport:
        # the one SSL context (loading the CA certificates costs ~10 ms; a pool is
        # opened for each origin)
        transport = httpx.AsyncHTTPTransport(verify=ssl_context, limits=limits, trust_env=False)
        # httpx offers no public hook for the network backend; its pool is rebuilt with
        # the same settings and ours (tests/fetch/test_ssrf.py fails if this ever stops
        # working)
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )
        return transport

    return OriginPools(
        open_pool,
        keep=limits.max_keepalive_connections or limits.max_connections or 1,
        idle_seconds=limits.keepalive_expiry or 0.0,
    )
