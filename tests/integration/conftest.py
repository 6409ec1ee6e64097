"""A small web on 127.0.0.1: one outlet's feed and pages, served by a real HTTP server.

The server counts requests and honours conditional GETs, so tests can see what the
crawler asked for; each page can be swapped for a hostile answer (500, redirect loop,
garbage) to check that a broken site costs one counted skip and nothing more.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from monitor.daemon import Daemon
from monitor.demo import DemoOutcome, run_demo
from monitor.demo_data import ARCHIVE
from monitor.pipeline import CrawlResult
from monitor.runtime import Settings
from monitor.store.engine import normalise_url

REPO = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).parent / "site"
PG_URL = os.environ.get("MONITOR_TEST_PG_URL")


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class World:
    """Routes by path; every response carries an ETag so conditional GETs can be seen."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.base = ""
        self.delay = 0.0  # seconds every answer but robots.txt takes: a slow site

    def add(
        self,
        path: str,
        body: bytes | str,
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
        **headers: str,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(status, data, content_type, dict(headers))

    def url(self, path: str) -> str:
        return self.base + path


def _handler(world: World) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?")[0]  # like real sites, ignore tracking parameters
            world.hits[path] += 1
            if world.delay and path != "/robots.txt":
                time.sleep(world.delay)
            route = world.routes.get(path)
            if route is None:
                route = Route(404, b"<html><body>Not found</body></html>")
            etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
            if route.status == 200 and self.headers.get("If-None-Match") == etag:
                world.not_modified[path] += 1
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            if route.status == 200:
                self.send_header("ETag", etag)
            for name, value in route.headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(route.body)

    return Handler


@contextmanager
def serving(host: str = "127.0.0.1") -> Iterator[World]:
    """A world served on ``host`` (any 127.0.0.x: one host per outlet) until the block ends."""
    w = World()
    server = ThreadingHTTPServer((host, 0), _handler(w))
    w.base = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield w
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def world() -> Iterator[World]:
    with serving() as w:
        yield w


# ── PostgreSQL, shared with other people's tests: a schema of our own ───────────────


@pytest.fixture
def pg_schemas() -> Iterator[Callable[[], str]]:
    """Make fresh, empty PostgreSQL schemas (``make()`` returns one's name), all dropped
    after the test; skips when ``MONITOR_TEST_PG_URL`` is not set."""
    if not PG_URL:
        pytest.skip("MONITOR_TEST_PG_URL is not set (e.g. postgresql://postgres@127.0.0.1/test)")
    admin = create_engine(normalise_url(PG_URL))
    made: list[str] = []

    def make() -> str:
        schema = f"t_{uuid.uuid4().hex}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        made.append(schema)
        return schema

    try:
        yield make
    finally:
        with admin.begin() as conn:
            for schema in made:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_schema(pg_schemas: Callable[[], str]) -> str:
    """One fresh, empty PostgreSQL schema for the test."""
    return pg_schemas()


def pg_url(schema: str) -> str:
    """The database URL a `monitor` process is given for ``schema`` (as ``--db``)."""
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


# ── the monitor as an operator runs it ──────────────────────────────────────────────


def global_options(settings: Settings) -> list[str]:
    """The options that point a `monitor` command at this test's files."""
    options = ["--storage", str(settings.storage), "--sources", str(settings.sources_path)]
    options += ["--positions", str(settings.positions_path)]
    if settings.db_url:
        options += ["--db", settings.db_url]
    return options


def start_daemon(settings: Settings, *run_args: str) -> subprocess.Popen[str]:
    """`monitor run RUN_ARGS` in its own process, output (stdout and stderr) as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "monitor.cli", *global_options(settings), "run", *run_args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def stop_after_every_source(daemon: Daemon, sources: int) -> list[CrawlResult]:
    """Make ``daemon`` stop once it has visited ``sources`` sources; returns the visits."""
    seen: list[CrawlResult] = []

    def on_crawl(result: CrawlResult) -> None:
        seen.append(result)
        if len(seen) == sources:
            daemon.stop()

    daemon.on_crawl = on_crawl
    return seen


# ── the offline demo, run once for every test that reads its digests ───────────────

DEMO_ARCHIVE = ARCHIVE  # shipped in the package (monitor/demo_data/)


def demo_settings(root: Path) -> Settings:
    return Settings(
        storage=root,
        sources_path=REPO / "sources.yaml",
        positions_path=REPO / "positions.yaml",
    )


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoOutcome, Path]:
    """`monitor demo` into a fresh data root: (outcome, the demo's data directory)."""
    root = tmp_path_factory.mktemp("demo")
    outcome = asyncio.run(run_demo(demo_settings(root), [DEMO_ARCHIVE], root / "demo"))
    return outcome, root / "demo"


class Output:
    """A daemon's output, read as it comes (so the test can act on one line)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()

    def text(self) -> str:
        with self.changed:
            return "".join(self.lines)

    def wait_for(self, text: str, timeout: float = 60.0) -> bool:
        """Whether ``text`` appeared in the output within ``timeout`` seconds."""
        with self.changed:
            return self.changed.wait_for(lambda: text in "".join(self.lines), timeout)

    def visiting(self) -> list[str]:
        """The sources this daemon began to visit (its "visiting ID" log lines)."""
        return [
            line.split(": visiting ", 1)[1].strip()
            for line in self.text().splitlines()
            if ": visiting " in line
        ]
