"""The crawl against its politeness lower bound, and unthrottled, on a loopback web.

A synthetic web (``loopback_web.py``) of ``--hosts`` outlets, each its own host on a distinct
127.0.0.x address, each with an RSS feed of ``--pages`` on-topic articles, answering after
20–200 ms. The real monitor visits them twice, into fresh stores (fetch, extract,
relevance, store, differ):

1. **polite**: ``--delay`` seconds between two requests to one host (0.5 s). No crawler
   can finish before its busiest host has been asked all its requests with that spacing
   (plus the fetcher's own jitter of up to 25 %, 12.5 % on average), so the bound is
   ``max over hosts (requests - 1) × delay × 1.125 + mean latency``; the figure is wall
   time over that bound (target ≤ 1.10). When analysis goes on after the last visit
   (the semantic extra is slow per piece), the time until every source was visited is
   printed too: the crawl's own figure, beside the backlog analysis leaves.
2. **unthrottled**: no per-host delay; the figure is pages stored and analysed per second
   (target ≥ 100 on two cores).

``--mode daemon`` (the default) runs ``monitor run`` (roles crawler and analyser, its worker
processes) and stops it once every source has been visited and every stored piece
analysed; ``--mode once`` runs ``monitor crawl --once``. Wall time runs from the first
request the web saw to that moment, so interpreter start-up and model loading are not
counted as crawling. Peak RSS is sampled from /proc for the monitor and its worker
processes (the sum), and the largest single process.

    .venv/bin/python benchmarks/crawl.py [--hosts 50] [--pages 40] [--delay 0.5]
                                          [--concurrency 64] [--semantic off|auto|on]
                                          [--mode daemon|once]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loopback_web import LoopbackWeb, plan_web, sources_config  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
MONITOR = [str(Path(sys.executable).with_name("monitor"))]
JITTER_MEAN = 1.125  # the fetcher adds 0..25 % to each host's delay


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, ()))
    return out


def _rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the process has used so far (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class RssSampler(threading.Thread):
    """Peak of the summed RSS of a process tree, and of its largest member; and the CPU
    time of each member, last seen (where the work went: the daemon's own process, with
    its event loop and store writer, or its worker processes)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_sum, self.peak_one = pid, 0.0, 0.0
        self.cpu: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.25):
            tree = _tree(self.pid)
            sizes = [_rss_mib(p) for p in tree]
            self.peak_sum = max(self.peak_sum, sum(sizes))
            self.peak_one = max(self.peak_one, max(sizes, default=0.0))
            for p in tree:
                seconds = _cpu_seconds(p)
                if seconds is not None:
                    self.cpu[p] = seconds

    def cpu_split(self) -> tuple[float, list[float]]:
        """(CPU seconds of the monitor's own process, of each of its children)."""
        own = self.cpu.get(self.pid, 0.0)
        return own, sorted((v for p, v in self.cpu.items() if p != self.pid), reverse=True)


def _command(workdir: Path, config: dict[str, Any], semantic: str) -> list[str]:
    workdir.mkdir(parents=True)
    sources = workdir / "sources.yaml"
    sources.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    return [*MONITOR, "-q", "--storage", str(workdir / "storage"), "--sources",
            str(sources), "--positions", str(REPO / "positions.yaml"), "--semantic",
            semantic]  # fmt: skip


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "MONITOR_DB"}


def crawl_once(workdir: Path, config: dict[str, Any], semantic: str) -> dict[str, Any]:
    """Run ``monitor crawl --once`` on ``config``; return its exit time, output and RSS."""
    cmd = _command(workdir, config, semantic) + ["crawl", "--once"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
                            text=True)  # fmt: skip
    sampler = RssSampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    end = time.time()
    sampler.done.set()
    sampler.join()
    m = re.search(r"(\d+) sources visited, (\d+) new articles stored, (\d+) sources failed", err)
    if proc.returncode not in (0, 1) or m is None:
        raise SystemExit(f"crawl failed ({proc.returncode}):\n{err[-3000:]}")
    return {"end": end, "stored": int(m.group(2)), "rss_sum": sampler.peak_sum,
            "rss_one": sampler.peak_one, "cpu": sampler.cpu_split()}  # fmt: skip


def _progress(db: Path) -> tuple[int, int, int]:
    """(sources visited, pieces stored, pieces analysed) read from the daemon's store."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            visited = conn.execute("SELECT count(DISTINCT source_id) FROM crawl_runs").fetchone()
            stored = conn.execute("SELECT count(*) FROM articles").fetchone()
            analysed = conn.execute("SELECT count(*) FROM framings").fetchone()
        return int(visited[0]), int(stored[0]), int(analysed[0])
    except sqlite3.Error:
        return 0, 0, 0


def daemon(workdir: Path, config: dict[str, Any], semantic: str) -> dict[str, Any]:
    """Run ``monitor run`` until every source was visited and every piece analysed."""
    cmd = _command(workdir, config, semantic) + ["run", "--no-digest"]
    log = workdir / "daemon.log"
    with log.open("w") as err:  # a file, not a pipe: nobody reads it while it runs
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=_env())
    sampler = RssSampler(proc.pid)
    sampler.start()
    db = workdir / "storage" / "monitor.db"
    hosts = len(config["sources"])
    crawled = None  # when every source's visit was over (its pages stored)
    try:
        while True:
            time.sleep(0.2)
            if proc.poll() is not None:
                tail = log.read_text(errors="replace")[-3000:]
                raise SystemExit(f"the daemon exited ({proc.returncode}):\n{tail}")
            visited, stored, analysed = _progress(db)
            if crawled is None and visited >= hosts:
                crawled = time.time()
            if visited >= hosts and stored and analysed >= stored:
                end = time.time()
                break
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
        sampler.done.set()
        sampler.join()
    return {"end": end, "crawled": crawled, "stored": stored, "rss_sum": sampler.peak_sum,
            "rss_one": sampler.peak_one, "cpu": sampler.cpu_split()}  # fmt: skip


def _profile_to(path: Path | None, run: str) -> None:
    """Make the next monitor command run under cProfile, into ``path.run``."""
    global MONITOR
    if path is not None:
        out = f"{path}.{run}"
        MONITOR = [sys.executable, "-m", "cProfile", "-o", out, "-m", "monitor.cli"]


def _print_cpu(run: dict[str, Any], wall: float) -> None:
    """Where the CPU went, per stored page, beside the wall time."""
    own, children = run["cpu"]
    pages = max(run["stored"], 1)
    shown = ", ".join(f"{c:.1f}" for c in children) or "none"
    print(f"  CPU, daemon process            {own:7.1f} s  ({own / pages * 1000:.1f} ms/page: "
          "event loop, fetch, store writer)")  # fmt: skip
    print(f"  CPU, worker processes          {sum(children):7.1f} s  "
          f"({sum(children) / pages * 1000:.1f} ms/page; each: {shown})")  # fmt: skip
    print(f"  CPU / wall                     {(own + sum(children)) / wall:7.2f}  cores busy")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--pages", type=int, default=40, help="articles per host")
    ap.add_argument("--delay", type=float, default=0.5, help="per-host delay, seconds")
    ap.add_argument("--concurrency", type=int, default=64, help="requests in flight in all")
    ap.add_argument("--semantic", choices=["off", "auto", "on"], default="off")
    ap.add_argument("--mode", choices=["daemon", "once"], default="daemon",
                    help="monitor run until all is analysed, or monitor crawl --once")
    ap.add_argument("--skip-unthrottled", action="store_true")
    ap.add_argument("--skip-polite", action="store_true")
    ap.add_argument("--profile", metavar="FILE", type=Path,
                    help="run the monitor under cProfile (its main thread: the event loop), "
                         "writing FILE.polite and FILE.unthrottled (pstats)")  # fmt: skip
    args = ap.parse_args()

    topic = yaml.safe_load((REPO / "sources.yaml").read_text(encoding="utf-8"))["topic"]
    plan = plan_web(args.hosts, args.pages)
    mean_latency = sum(plan.latency) / 2
    print(f"loopback web: {args.hosts} hosts (127.0.0.2-127.0.0.{args.hosts + 1}), "
          f"{args.hosts * args.pages} article pages, latency {plan.latency[0] * 1000:.0f}-"
          f"{plan.latency[1] * 1000:.0f} ms; concurrency {args.concurrency}, "
          f"semantic {args.semantic}, mode {args.mode}")  # fmt: skip
    visit = daemon if args.mode == "daemon" else crawl_once
    with tempfile.TemporaryDirectory() as tmp, LoopbackWeb(plan) as web:
        if not args.skip_polite:
            _profile_to(args.profile, "polite")
            config = sources_config(plan, topic, delay=args.delay, concurrency=args.concurrency)
            run = visit(Path(tmp) / "polite", config, args.semantic)
            stats = web.stats()
            wall = run["end"] - stats["first"]
            busiest = max(stats["hits"].values())
            bound = (busiest - 1) * args.delay * JITTER_MEAN + mean_latency
            floor = (busiest - 1) * args.delay + mean_latency
            print(f"\npolite (per-host delay {args.delay} s): {run['stored']} pages stored, "
                  f"{sum(stats['hits'].values())} requests, busiest host {busiest}")  # fmt: skip
            print(f"  wall time                      {wall:7.1f} s")
            print(f"  politeness lower bound         {bound:7.1f} s  "
                  f"(without jitter {floor:.1f} s)")  # fmt: skip
            print(f"  wall / bound                   {wall / bound:7.2f}x   (target <= 1.10)")
            if run.get("crawled") and run["crawled"] < run["end"] - 1:
                # analysis went on after the last visit: how long the crawl itself took
                crawl = run["crawled"] - stats["first"]
                print(f"  of which crawling (every source visited) {crawl:7.1f} s = "
                      f"{crawl / bound:.2f}x the bound; then analysis of the backlog")  # fmt: skip
            _print_cpu(run, wall)
            print(f"  peak RSS                       {run['rss_sum']:7.0f} MiB summed over "
                  f"processes, {run['rss_one']:.0f} MiB largest")  # fmt: skip
        if not args.skip_unthrottled:
            _profile_to(args.profile, "unthrottled")
            config = sources_config(plan, topic, delay=0.0, concurrency=args.concurrency)
            run = visit(Path(tmp) / "unthrottled", config, args.semantic)
            stats = web.stats()
            wall = run["end"] - stats["first"]
            print(f"\nunthrottled (no per-host delay): {run['stored']} pages stored")
            print(f"  wall time                      {wall:7.1f} s")
            print(f"  pages per second               {run['stored'] / wall:7.1f}     "
                  "(target >= 100)")  # fmt: skip
            _print_cpu(run, wall)
            print(f"  peak RSS                       {run['rss_sum']:7.0f} MiB summed over "
                  f"processes, {run['rss_one']:.0f} MiB largest")  # fmt: skip
    print(f"\n{os.cpu_count()} CPUs; load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
