"""The compose deployment, played with local processes (no Docker engine runs here).

The crawler, analyser and reporter services of docker-compose.yml run as `monitor`
processes with their own commands and environment — only what Docker would provide is
swapped for local equivalents: the database URL (a fresh PostgreSQL schema on
127.0.0.1), the mounted paths (this test's files), a free metrics port per process (each
container has its own network). The test then does what Docker and an operator would:
runs each service's healthcheck command, waits for the crawler's pieces to be analysed by
the analyser, writes a digest with the reporter's settings and reads it from a static
server over the digests directory, as the `digests` service serves its volume.
"""

from __future__ import annotations

import functools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml
from sqlalchemy import create_engine, text

from monitor.store.engine import normalise_url
from tests.integration.conftest import pg_url
from tests.integration.test_crawl import build_site, settings_for

if TYPE_CHECKING:
    from tests.integration.conftest import World

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("crawler", "analyser", "reporter")

pytestmark = pytest.mark.postgres


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _local_env(service: dict, db_url: str, files: dict[str, Path], port: int) -> dict[str, str]:  # type: ignore[type-arg]
    """The service's environment with Docker's parts made local."""
    env = {k: str(v) for k, v in service["environment"].items()}
    env["MONITOR_DB"] = db_url
    env["MONITOR_STORAGE"] = str(files["storage"])
    env["MONITOR_SOURCES"] = str(files["sources"])
    env["MONITOR_POSITIONS"] = str(files["positions"])
    env["MONITOR_METRICS_PORT"] = str(port)
    env["MONITOR_METRICS_HOST"] = "127.0.0.1"
    return {**os.environ, **env}


def _healthcheck(service: dict, port: int) -> int:  # type: ignore[type-arg]
    test = [part.replace(":9108/", f":{port}/") for part in service["healthcheck"]["test"]]
    assert test[0] == "CMD" and test[1] == "python"
    return subprocess.run([sys.executable, *test[2:]], timeout=30).returncode


def _analysed(db_url: str) -> tuple[int, int]:
    engine = create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
            done = conn.execute(text("SELECT count(*) FROM framings")).scalar_one()
        return int(stored), int(done)
    except Exception:  # the schema is not migrated yet
        return 0, 0
    finally:
        engine.dispose()


def test_the_compose_services_work_together_as_local_processes(
    world: World, tmp_path: Path, pg_schema: str
) -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    build_site(world)
    settings = settings_for(world, tmp_path)
    db_url = pg_url(pg_schema)
    files = {"storage": settings.storage, "sources": settings.sources_path,
             "positions": settings.positions_path}  # fmt: skip
    procs: dict[str, tuple[subprocess.Popen[str], int]] = {}
    try:
        for name in SERVICES:
            service = compose["services"][name]
            port = _free_port()
            args = [*service["command"], "--workers", "0"]
            proc = subprocess.Popen(
                [sys.executable, "-m", "monitor.cli", *args],
                env=_local_env(service, db_url, files, port),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            procs[name] = (proc, port)
        deadline = time.monotonic() + 120
        while _analysed(db_url) != (2, 2) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _analysed(db_url) == (2, 2), "the crawler's pieces were not analysed"
        for name, (proc, port) in procs.items():
            assert proc.poll() is None, f"{name} exited"
            assert _healthcheck(compose["services"][name], port) == 0, f"{name} unhealthy"
    finally:
        outputs = {}
        for proc, _ in procs.values():
            proc.send_signal(signal.SIGTERM)
        for name, (proc, _) in procs.items():
            _, outputs[name] = proc.communicate(timeout=60)
    for name, (proc, _) in procs.items():
        assert proc.returncode == 0, outputs[name][-2000:]

    # `docker compose run --rm reporter digest --week …`, then the digests service
    reporter = compose["services"]["reporter"]
    env = _local_env(reporter, db_url, files, _free_port())
    week = subprocess.run([sys.executable, "-m", "monitor.cli", "digest"], env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert week.returncode == 0, week.stderr
    digests = settings.storage / "digests"
    served = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(SimpleHTTPRequestHandler, directory=str(digests))
    )
    threading.Thread(target=served.serve_forever, daemon=True).start()
    try:
        page = next(digests.glob("*.html")).name
        with urllib.request.urlopen(f"http://127.0.0.1:{served.server_port}/{page}") as r:
            assert r.status == 200 and b"<html" in r.read(2000).lower()
    finally:
        served.shutdown()
