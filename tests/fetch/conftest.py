"""A real HTTP server on 127.0.0.1, fake time, and a fetcher wired to both.

The server is stdlib ``ThreadingHTTPServer``; each test declares its routes as data
(``server.route("/path", Reply(...))``) or as a function that writes to the socket itself
for the hostile cases (endless bodies, bodies cut short, a server that never answers).
Time is a :class:`FakeTime`: the fetcher's clock and sleep, so spacing and back-off are
observed in the recorded sleeps without a test ever sleeping.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from monitor.config import Defaults
from monitor.fetch import Fetcher, WarcRecorder

FIXED_NOW = datetime(2024, 10, 23, 8, 15, 2, 123456, tzinfo=UTC)
#: the test servers' host, trusted on every port as a source would trust its own origin
#: (``allow_private_addresses``); the SSRF tests pass their own, narrower trust
LOOPBACK = (("127.0.0.1", None),)


@dataclass
class Reply:
    """A canned answer: status, headers and body (Content-Length is added)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Route = Reply | Callable[[BaseHTTPRequestHandler], None]


class LoopbackServer:
    """A threaded HTTP/1.1 server whose routes are set by the test."""

    def __init__(self) -> None:
        self.routes: dict[str, Route | list[Route]] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.release = threading.Event()  # lets a stalled handler go at teardown
        self.bytes_sent: Counter[str] = Counter()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                owner._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, *replies: Route) -> None:
        """Answer ``path`` with ``replies`` in turn (the last one repeats)."""
        self.routes[path] = list(replies) if len(replies) > 1 else replies[0]

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        self.hits[path] += 1
        self.requests.append((path, {k.lower(): v for k, v in handler.headers.items()}))
        route = self.routes.get(path, Reply(404, b"not here"))
        if isinstance(route, list):
            route = route[min(self.hits[path], len(route)) - 1]
        if isinstance(route, Reply):
            send(handler, route)
        else:
            route(handler)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def send(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    handler.send_response(reply.status)
    for name, value in reply.headers.items():
        handler.send_header(name, value)
    if "Content-Length" not in reply.headers:
        handler.send_header("Content-Length", str(len(reply.body)))
    handler.end_headers()
    handler.wfile.write(reply.body)


class FakeTime:
    """A monotonic clock that only moves when someone sleeps (and then by that much)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def settings(**overrides: Any) -> Defaults:
    """Crawl settings for tests: no spacing unless a test asks for it, short timeouts."""
    values: dict[str, Any] = {
        "per_host_delay_seconds": 0.0,
        "timeout_seconds": 5.0,
        "max_retries": 2,
        "max_body_bytes": 100_000,
    }
    values.update(overrides)
    return Defaults(**values)


@contextmanager
def running_server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer()
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with running_server() as srv:
        yield srv


@pytest.fixture
def other_server() -> Iterator[LoopbackServer]:
    """A second host (another port is another politeness slot and robots origin)."""
    with running_server() as srv:
        yield srv


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def warc_dir(tmp_path: Path) -> Path:
    return tmp_path / "warc"


@pytest.fixture
async def make_fetcher(
    warc_dir: Path, fake_time: FakeTime
) -> AsyncIterator[Callable[..., Fetcher]]:
    """Build fetchers that record to ``warc_dir`` and live on fake time; closed at the end."""
    made: list[Fetcher] = []
    recorders: list[WarcRecorder] = []

    def make(*, transport: httpx.AsyncBaseTransport | None = None, **overrides: Any) -> Fetcher:
        recorder = WarcRecorder(warc_dir, clock=lambda: FIXED_NOW)
        recorders.append(recorder)
        trusted = overrides.pop("private_origins", LOOPBACK)
        guard = {"resolver": overrides.pop("resolver")} if "resolver" in overrides else {}
        fetcher = Fetcher(
            settings(**overrides),
            transport=transport,
            recorder=recorder,
            clock=fake_time.clock,
            sleep=fake_time.sleep,
            rng=random.Random(7),
            now=lambda: FIXED_NOW,
            private_origins=trusted,
            **guard,
        )
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        await fetcher.aclose()
    for recorder in recorders:
        recorder.close()
