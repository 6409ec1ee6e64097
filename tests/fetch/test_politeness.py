"""Politeness: requests to one host are spaced and bounded, different hosts proceed side by
side, and a host that asks us to back off is left alone — all on fake time."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Callable

import httpx

from monitor.fetch import Fetcher
from monitor.fetch.politeness import HostSlots, host_key

from .conftest import FakeTime, LoopbackServer, Reply

Make = Callable[..., Fetcher]


def slots(
    fake_time: FakeTime, *, delay: float = 10.0, per_host: int = 1, concurrency: int = 8
) -> HostSlots:
    return HostSlots(
        delay=delay,
        per_host=per_host,
        concurrency=concurrency,
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        rng=random.Random(3),
    )


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:], strict=False)]


async def test_requests_to_one_host_are_spaced_while_two_hosts_go_side_by_side(
    fake_time: FakeTime,
) -> None:
    polite = slots(fake_time, delay=10.0)
    starts: dict[str, list[float]] = {"a.example": [], "b.example": []}

    async def request(host: str) -> None:
        async with polite.slot(host):
            starts[host].append(fake_time.now)
            await asyncio.sleep(0)

    await asyncio.gather(*(request(h) for _ in range(3) for h in starts))

    for times in starts.values():
        assert all(10.0 <= g <= 12.5 for g in gaps(times))
    # one queue for both hosts would need five gaps (>= 50 s); side by side needs about two
    assert fake_time.now - 1000.0 < 30.0


async def test_no_more_than_per_host_concurrency_are_in_flight(fake_time: FakeTime) -> None:
    polite = slots(fake_time, delay=0.0, per_host=2, concurrency=3)
    in_flight: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    release = asyncio.Event()

    async def request(host: str) -> None:
        async with polite.slot(host):
            in_flight[host] += 1
            in_flight["all"] += 1
            peak[host] = max(peak[host], in_flight[host])
            peak["all"] = max(peak["all"], in_flight["all"])
            await release.wait()
            in_flight[host] -= 1
            in_flight["all"] -= 1

    tasks = [asyncio.create_task(request(h)) for h in ["a"] * 4 + ["b"] * 4]
    for _ in range(10):
        await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*tasks)

    assert peak["a"] == 2 and peak["b"] <= 2
    assert peak["all"] == 3


async def test_a_deferred_host_waits_and_the_others_do_not(fake_time: FakeTime) -> None:
    polite = slots(fake_time, delay=0.0)
    polite.defer("a.example", 30.0)

    async with polite.slot("b.example"):
        assert fake_time.sleeps == []
    async with polite.slot("a.example"):
        assert fake_time.sleeps == [30.0]


def test_a_crawl_delay_can_raise_a_hosts_delay_but_never_lower_it(fake_time: FakeTime) -> None:
    polite = slots(fake_time, delay=2.0)
    polite.raise_delay("a.example", 5.0)
    polite.raise_delay("a.example", 1.0)
    assert polite.delay_of("a.example") == 5.0
    assert polite.delay_of("b.example") == 2.0


def test_www_and_the_bare_domain_share_a_slot_but_ports_do_not() -> None:
    assert host_key("https://www.RIA.ru/a") == host_key("https://ria.ru/b") == "ria.ru"
    assert host_key("http://127.0.0.1:8001/") != host_key("http://127.0.0.1:8002/")


class _StartLog(httpx.AsyncBaseTransport):
    """The real network, noting when (on fake time) each request left and for which host."""

    def __init__(self, fake_time: FakeTime) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.fake_time = fake_time
        self.starts: dict[int, list[float]] = {}
        self.by_path: dict[str, list[float]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.starts.setdefault(request.url.port or 80, []).append(self.fake_time.now)
        self.by_path.setdefault(request.url.path, []).append(self.fake_time.now)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_the_fetcher_spaces_each_host_and_serves_two_hosts_in_parallel(
    server: LoopbackServer, other_server: LoopbackServer, make_fetcher: Make, fake_time: FakeTime
) -> None:
    for srv in (server, other_server):
        for n in range(3):
            srv.route(f"/n{n}", Reply(200, b"ok"))
    log = _StartLog(fake_time)
    fetcher = make_fetcher(transport=log, per_host_delay_seconds=10.0, respect_robots=False)

    await asyncio.gather(
        *(fetcher.get(srv.url(f"/n{n}")) for n in range(3) for srv in (server, other_server))
    )

    assert sorted(log.starts) == sorted([server.httpd.server_port, other_server.httpd.server_port])
    for times in log.starts.values():
        assert len(times) == 3
        assert all(g >= 10.0 for g in gaps(times))
    assert max(max(t) for t in log.starts.values()) - 1000.0 < 50.0  # not one queue


async def test_a_retry_after_keeps_every_request_off_that_host(
    server: LoopbackServer, make_fetcher: Make, fake_time: FakeTime
) -> None:
    server.route("/a", Reply(503, b"busy", {"Retry-After": "20"}), Reply(200, b"a"))
    server.route("/b", Reply(200, b"b"))
    log = _StartLog(fake_time)
    fetcher = make_fetcher(transport=log, respect_robots=False)

    await asyncio.gather(fetcher.get(server.url("/a")), fetcher.get(server.url("/b")))

    assert log.by_path["/a"] == [1000.0, 1020.0]
    assert log.by_path["/b"] == [1020.0]  # queued behind /a, then held off with it
