"""Steady memory of a daemon over a day of news, compressed into minutes.

A loopback web (``loopback_web.py``) of ``--sources`` outlets on 127.0.0.x publishes
``--pages`` articles each over ``--minutes`` (a day's output at a faster clock); ``monitor
run`` (every role, its worker processes, SQLite) visits each outlet every 5 minutes (the
shortest interval sources.yaml allows) and analyses what it stores. Every 2 s the resident
memory of the daemon and its worker processes is sampled from /proc:

* RSS summed over the processes (pages shared between them counted once per process, so
  an upper bound), and PSS (shared pages split between their sharers: what the daemon
  really costs);
* the daemon's own process apart, to see whether it grows while its workers do the work.

Printed: a line per minute, then the start, the peak and the steady figure (mean over the
second half of the run). Target: steady RSS < 300 MB without the semantic extra.

    .venv/bin/python benchmarks/memory.py [--sources 16] [--pages 48] [--minutes 12]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crawl import MONITOR, REPO, _progress, _tree  # noqa: E402
from loopback_web import LoopbackWeb, plan_web, sources_config  # noqa: E402


def _kib(pid: int, path: str, field: str) -> int:
    try:
        with open(f"/proc/{pid}/{path}", encoding="ascii") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def sample(pid: int) -> tuple[float, float, float, int]:
    """(RSS sum, PSS sum, the daemon's own RSS) in MiB, and how many processes."""
    pids = _tree(pid)
    rss = sum(_kib(p, "status", "VmRSS:") for p in pids)
    pss = sum(_kib(p, "smaps_rollup", "Pss:") for p in pids)
    return rss / 1024, pss / 1024, _kib(pid, "status", "VmRSS:") / 1024, len(pids)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", type=int, default=16)
    ap.add_argument("--pages", type=int, default=48, help="articles per outlet over the run")
    ap.add_argument("--minutes", type=float, default=12.0)
    ap.add_argument("--delay", type=float, default=0.5, help="per-host delay, seconds")
    args = ap.parse_args()

    topic = yaml.safe_load((REPO / "sources.yaml").read_text(encoding="utf-8"))["topic"]
    plan = plan_web(args.sources, args.pages, first_ip=100)
    plan.release_every = args.minutes * 60 / args.pages
    config = sources_config(plan, topic, delay=args.delay, concurrency=16, interval_minutes=5)
    print(f"{args.sources} outlets, {args.pages} articles each over {args.minutes:g} min "
          f"(one every {plan.release_every:.0f} s); visits every 5 min")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, LoopbackWeb(plan):
        work = Path(tmp)
        (work / "sources.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
        cmd = [*MONITOR, "-q", "--storage", str(work / "storage"), "--sources",
               str(work / "sources.yaml"), "--positions", str(REPO / "positions.yaml"),
               "run", "--no-digest"]  # fmt: skip
        env = {k: v for k, v in os.environ.items() if k != "MONITOR_DB"}
        with (work / "daemon.log").open("w") as log:
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, env=env)
        samples: list[tuple[float, float, float, float, int]] = []
        start = time.monotonic()
        try:
            while (elapsed := time.monotonic() - start) < args.minutes * 60:
                time.sleep(2)
                if proc.poll() is not None:
                    raise SystemExit((work / "daemon.log").read_text()[-3000:])
                rss, pss, own, n = sample(proc.pid)
                samples.append((elapsed, rss, pss, own, n))
                if len(samples) % 30 == 0:
                    _, stored, analysed = _progress(work / "storage" / "monitor.db")
                    print(f"  {elapsed / 60:5.1f} min  RSS {rss:6.0f} MiB  PSS {pss:6.0f} MiB  "
                          f"daemon {own:5.0f} MiB  {n} processes  {stored} stored, "
                          f"{analysed} analysed", flush=True)  # fmt: skip
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
    half = [s for s in samples if s[0] >= args.minutes * 30]
    first = samples[min(len(samples) - 1, 5)]  # ~10 s in: workers up, nothing fetched yet
    print(f"\nafter start  RSS {first[1]:6.0f} MiB  PSS {first[2]:6.0f} MiB  "
          f"daemon {first[3]:.0f} MiB")  # fmt: skip
    print(f"peak         RSS {max(s[1] for s in samples):6.0f} MiB  "
          f"PSS {max(s[2] for s in samples):6.0f} MiB  "
          f"daemon {max(s[3] for s in samples):.0f} MiB")  # fmt: skip
    print(f"steady       RSS {sum(s[1] for s in half) / len(half):6.0f} MiB  "
          f"PSS {sum(s[2] for s in half) / len(half):6.0f} MiB  "
          f"daemon {sum(s[3] for s in half) / len(half):.0f} MiB   (target RSS < 300 MB)")


if __name__ == "__main__":
    main()
