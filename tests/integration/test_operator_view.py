"""What an operator's tools read: JSON log lines for a collector, a Prometheus endpoint.

The crawl runs as an operator would run it, `monitor` in its own process, against the
one-outlet web of ``conftest.py`` on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from tests.integration.conftest import global_options, start_daemon
from tests.integration.test_crawl import build_site, settings_for

if TYPE_CHECKING:
    from tests.integration.conftest import World


def _monitor(settings, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    cmd = [sys.executable, "-m", "monitor.cli", *global_options(settings), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def test_with_json_logs_every_line_on_stderr_is_a_json_record(
    world: World, tmp_path: Path
) -> None:
    build_site(world)
    world.add("/world/1002", b"busy", status=503)  # a warning and a failure to report
    settings = settings_for(world, tmp_path)

    done = _monitor(settings, "--log-format", "json", "crawl", "--once")

    lines = [line for line in done.stderr.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # nothing but JSON
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert all(r["time"].endswith("+00:00") for r in records)
    (visit,) = [r for r in records if r.get("source") == "wire"]
    assert visit["ok"] is True and visit["counts"]["stored"] == 1
    assert visit["counts"]["fetch:robots:fetched"] == 1
    assert any(k.startswith("fetch:retry:") for k in visit["counts"])


def test_plain_logs_stay_plain_lines(world: World, tmp_path: Path) -> None:
    build_site(world)
    settings = settings_for(world, tmp_path)
    done = _monitor(settings, "crawl", "--once")
    assert done.returncode == 0, done.stderr
    assert "wire" in done.stderr and not done.stderr.lstrip().startswith("{")


def _scrape(url: str) -> dict[str, float]:
    with urllib.request.urlopen(url, timeout=10) as answer:  # 127.0.0.1 only
        text = answer.read().decode("utf-8")
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def test_the_daemon_serves_prometheus_metrics_of_what_it_did(
    world: World, tmp_path: Path
) -> None:
    build_site(world)
    world.add("/world/1002", b"busy", status=503)
    settings = settings_for(world, tmp_path)
    proc = start_daemon(settings, "--no-digest", "--workers", "0", "--metrics-port", "0")
    assert proc.stdout is not None
    try:
        port = None
        for line in proc.stdout:
            found = re.search(r"metrics on http://127\.0\.0\.1:(\d+)/metrics", line)
            if found:
                port = int(found.group(1))
            if line.startswith("wire"):  # the first visit is done
                break
        assert port, "the daemon did not say where its metrics are"
        url = f"http://127.0.0.1:{port}/metrics"
        deadline = time.monotonic() + 60
        samples = _scrape(url)
        while samples.get("monitor_analyses_total", 0) < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
            samples = _scrape(url)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)

    assert samples['monitor_visits_total{ok="true",source="wire"}'] == 1
    assert samples['monitor_articles_total{change="new",source="wire"}'] == 1
    assert samples['monitor_fetches_total{outcome="robots:fetched"}'] == 1
    assert samples['monitor_fetches_total{outcome="ok"}'] == 3  # robots.txt, feed, one page
    assert any(k.startswith('monitor_failures_total{kind="page"') for k in samples)
    assert samples["monitor_analyses_total"] == 1
    assert samples["monitor_visit_duration_seconds_count"] == 1
