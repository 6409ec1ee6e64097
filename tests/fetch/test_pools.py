"""Connections are pooled per origin: each host's kept-alive connection is used again, and
the idle connections of hosts no longer visited are closed (the ones of the least recently
used first when more hosts than the keep-alive limit have some)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from monitor.fetch.addresses import AddressPolicy
from monitor.fetch.network import guarded_transport
from monitor.fetch.pools import OriginPools

from .conftest import LoopbackServer, Reply, running_server, send


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def servers() -> Iterator[list[LoopbackServer]]:
    with ExitStack() as stack:
        yield [stack.enter_context(running_server()) for _ in range(4)]


def remember_peers(servers: list[LoopbackServer]) -> list[list[int]]:
    """Each server answers ``/`` and notes the client's port: one port, one connection."""
    ports: list[list[int]] = []
    for server in servers:
        seen: list[int] = []

        def answer(handler: BaseHTTPRequestHandler, seen: list[int] = seen) -> None:
            seen.append(handler.client_address[1])
            send(handler, Reply(200, b"ok"))

        server.route("/", answer)
        ports.append(seen)
    return ports


@asynccontextmanager
async def client_over_pools(
    clock: Clock, *, keep: int
) -> AsyncIterator[tuple[httpx.AsyncClient, OriginPools]]:
    """A client over the fetcher's guarded pools, on ``clock``, keeping ``keep`` origins."""
    guarded = guarded_transport(
        AddressPolicy.trusting([("127.0.0.1", None)]), httpx.Limits(max_keepalive_connections=keep)
    )
    assert isinstance(guarded, OriginPools)
    transport = OriginPools(guarded._open_pool, keep=keep, idle_seconds=5.0, clock=clock)
    async with httpx.AsyncClient(transport=transport) as client:
        yield client, transport


async def get(client: httpx.AsyncClient, url: str) -> None:
    response = await client.get(url)
    assert response.status_code == 200


async def test_each_host_keeps_its_connection_and_idle_hosts_lose_theirs(
    servers: list[LoopbackServer], clock: Clock
) -> None:
    ports = remember_peers(servers)
    async with client_over_pools(clock, keep=8) as (client, transport):
        for _ in range(3):
            for server in servers:
                await get(client, server.url("/"))
                clock.now += 1.0  # 4 s between two visits to one host: within keep-alive
        assert [len(set(p)) for p in ports] == [1, 1, 1, 1]  # one connection per host
        assert len(transport) == 4

        clock.now += 10.0  # the first three go idle past the keep-alive time
        await get(client, servers[3].url("/"))
        assert len(transport) == 1
        await get(client, servers[0].url("/"))  # a fresh connection, as it would be anyway
        assert len(set(ports[0])) == 2
        assert len(set(ports[3])) == 1  # the host in use kept its connection


async def test_beyond_the_limit_the_least_recently_used_idle_host_is_let_go(
    servers: list[LoopbackServer], clock: Clock
) -> None:
    ports = remember_peers(servers)
    async with client_over_pools(clock, keep=2) as (client, transport):
        for server in servers:
            await get(client, server.url("/"))
            assert len(transport) <= 2
        await get(client, servers[3].url("/"))  # the most recent one was kept
        assert len(set(ports[3])) == 1
        await get(client, servers[0].url("/"))  # the first was let go
        assert len(set(ports[0])) == 2


async def test_a_host_with_a_response_still_open_keeps_its_pool(
    servers: list[LoopbackServer], clock: Clock
) -> None:
    for server in servers:
        server.route("/", Reply(200, b"ok" * 1000))
    async with client_over_pools(clock, keep=1) as (client, transport):
        request = client.build_request("GET", servers[0].url("/"))
        reading = await client.send(request, stream=True)
        clock.now += 60.0
        await get(client, servers[1].url("/"))  # over the limit, but the first is in use
        assert len(transport) == 2
        assert len(await reading.aread()) == 2000
        await reading.aclose()
        await get(client, servers[2].url("/"))
        assert len(transport) == 1
