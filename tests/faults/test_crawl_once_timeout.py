"""`monitor crawl --once` cuts a page whose work stalls, as the daemon does: the other
host's pages are all stored, the stalled page is a counted `page_timeout` in `monitor
status`, and the command exits — leaving no process behind, also on Ctrl-C.

The command runs as an operator runs it, in its own process (its own session, so every
process it starts can be found afterwards). Which page stalls is set by the page worker's
start-up seam, the one tests/faults/test_page_timeout.py gives the daemon
(``open_pipeline(page_setup=…)``): a launcher binds it before handing over to the real
command line (tests/faults/stalled_cli.py), and in the worker process page work on a URL
with ``/stuck`` first sleeps for two minutes — extraction hung in a C extension, which
only killing the process ends. With page work in the command's own process (as before),
the page is not cut at all.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.store import open_store
from tests.faults.web import REPO, Host, stall_web

LIMIT = 6.0  # page_timeout_seconds: far below the stall, far above an ordinary page


def options(root: Path, sources: Path) -> list[str]:
    return ["--storage", str(root / "storage"), "--sources", str(sources),
            "--positions", str(REPO / "positions.yaml")]  # fmt: skip


def start_crawl(root: Path, sources: Path) -> subprocess.Popen[str]:
    """`monitor crawl --once` with its default worker processes, in a session of its own."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.faults.stalled_cli",
            "120",
            *options(root, sources),
            "crawl",
            "--once",
        ],
        cwd=REPO,  # the command and its workers import the seam from tests.faults
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "COLUMNS": "300"},
    )


def session(sid: int) -> list[int]:
    """The live processes of session ``sid`` (zombies are gone already)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        state, _ppid, _pgrp, session_id = stat.rsplit(")", 1)[1].split()[:4]
        if int(session_id) == sid and state != "Z":
            members.append(int(entry.name))
    return members


def left_behind(sid: int, within: float = 10.0) -> list[int]:
    """What of session ``sid`` is still alive ``within`` seconds from now (the resource
    tracker of multiprocessing ends when it sees its parent gone, a moment later)."""
    deadline = time.monotonic() + within
    while (alive := session(sid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def stop(*hosts: Host) -> None:
    for host in hosts:
        host.stop()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("crawl-once-timeout")
    slow, other, sources = stall_web(root, LIMIT, "7")
    try:
        command = start_crawl(root, sources)
        try:
            _, stderr = command.communicate(timeout=100)  # the stall alone is 120 s
        finally:
            command.kill()  # when it overran: already ended otherwise
        store = open_store(f"sqlite:///{root / 'storage' / 'monitor.db'}")
        try:
            stored = [(a.source_id, a.url) for a in store.iter_articles()]
        finally:
            store.close()
        runner = CliRunner()
        shown = runner.invoke(
            main, [*options(root, sources), "status", "--format", "json"], catch_exceptions=False
        )
        yield {
            "exit": command.returncode,
            "stderr": stderr,
            "left": left_behind(command.pid),
            "stored": stored,
            "status": {r["source_id"]: r for r in json.loads(shown.stdout)["sources"]},
            "slow": slow,
        }
    finally:
        stop(slow, other)


def test_the_other_host_is_stored_and_reported_first(crawled: dict[str, Any]) -> None:
    others = sorted(url.rsplit("/", 1)[1] for sid, url in crawled["stored"] if sid == "othersite")
    assert others == [f"b{n}" for n in range(6)]
    lines = [x for x in crawled["stderr"].splitlines() if x.startswith(("slowsite", "othersite"))]
    # its visit ended while the stuck page still held its worker (cut only after LIMIT)
    assert [x.split()[0] for x in lines] == ["othersite", "slowsite"], crawled["stderr"]


def test_the_stuck_page_is_a_counted_page_timeout(crawled: dict[str, Any]) -> None:
    slow = sorted(url.rsplit("/", 1)[1] for sid, url in crawled["stored"] if sid == "slowsite")
    assert slow == ["a1", "a2"]  # the pages beside it on its own site
    row = crawled["status"]["slowsite"]
    assert row["failures"] == {"page:page_timeout": 1}
    assert "/stuck" in row["last_error"] and "page_timeout_seconds" in row["last_error"]
    assert crawled["status"]["othersite"]["failures"] == {}
    assert crawled["slow"].hits["/stuck"] == 1


def test_the_command_exits_and_leaves_no_process(crawled: dict[str, Any]) -> None:
    assert crawled["exit"] == 0, crawled["stderr"]  # every source answered
    assert "2 sources visited, 8 new articles stored, 0 sources failed" in crawled["stderr"]
    assert crawled["left"] == []


def test_ctrl_c_while_a_page_is_stuck_leaves_no_process(tmp_path: Path) -> None:
    slow, other, sources = stall_web(tmp_path, 100.0, "8")  # nothing is cut before Ctrl-C
    command = start_crawl(tmp_path, sources)
    try:
        deadline = time.monotonic() + 90
        while slow.hits["/stuck"] == 0 and command.poll() is None:
            assert time.monotonic() < deadline, "the stuck page was never asked for"
            time.sleep(0.1)
        time.sleep(1.0)  # its answer reaches the page worker, which stalls on it
        workers = [pid for pid in session(command.pid) if pid != command.pid]
        assert workers  # the page worker and the analyser (and multiprocessing's tracker)
        os.killpg(command.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the group
        _, stderr = command.communicate(timeout=30)
        assert command.returncode == 130, stderr
        assert "Interrupted." in stderr
        assert left_behind(command.pid) == []
    finally:
        if command.poll() is None:
            os.killpg(command.pid, signal.SIGKILL)
        stop(slow, other)
