"""The issue-7 targets on one hostile loopback web, measured with the real CLI.

A web of ``--good`` ordinary outlets (each its own 127.0.0.x host, ``--pages`` on-topic
articles, ``--delay`` seconds of politeness) crawled beside hostile hosts: a page of
50,000 nested ``<div>``, a server that drips one byte every 0.2 s, one that never answers,
a gzip bomb, an endless body, gzip streams cut short, UTF-8 Russian and Chinese pages with
one stray byte each, feed links and redirects to the machine's own admin service and to the
cloud metadata address. ``monitor crawl --once`` (a child process, as an operator runs it)
visits everything once; the script then prints, side by side:

* internal addresses fetched (the admin host's requests; target 0);
* articles lost to a stray byte (stray-byte pages not stored in their language; target 0);
* articles stored truncated (cut gzip pages in the store; target 0);
* how late the good hosts were served: every gap between two page requests to one good
  host, against the politeness interval (the fetcher adds up to 25 % jitter), and how many
  gaps overshot the interval by more than one interval (target 0); the wait from a host's
  feed to its first page is printed apart (a start-up cost, not a page's).

Beside the hostile hosts there is one more outlet: a page whose work stalls for ten
minutes (made so by the page worker's start-up seam, as in tests/faults/test_page_timeout.py;
``crawl --once`` is then started through tests/faults/stalled_cli.py, which binds it).
``crawl --once`` reads pages in worker processes (its default, as the daemon's), so the
page is cut at ``page_timeout_seconds`` (15 s, the default). The same webs are then crawled
by a daemon with its worker processes (in this process, as `monitor run` wires it). Both
print the same lateness of the good hosts (target: no gap late by more than one interval)
and whether the stalled page was cut; last, how long a SIGTERM sent while it is stuck takes
to end the daemon (its grace is 20 s).

    .venv/bin/python benchmarks/hostile_web.py [--good 12] [--pages 6] [--delay 0.5]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.faults.web import (  # noqa: E402 - the fault suite's hostile web, reused
    Host,
    article,
    drip,
    endless,
    gzip_bomb,
    reply,
    rss,
    stall,
    stall_pages,
)

#: the command line of this checkout (run from REPO): `monitor` on the PATH may be another's
MONITOR = [sys.executable, "-m", "monitor.cli"]
JITTER = 1.25  # the fetcher adds 0..25 % to each host's delay
STRAY = ("en", "ru", "zh", "ru", "zh")
#: a phrase each stray-byte article must still hold, read in its own script
MARKS = {"en": "North Korean soldiers", "ru": "военнослужащие КНДР", "zh": "朝鲜士兵"}


def deep_page() -> bytes:
    text = article("deep-desk")
    cut = text.index("<article>")
    return (text[:cut] + "<div>" * 50_000 + text[cut:] + "</div>" * 50_000).encode()


def with_stray_byte(page: str) -> bytes:
    data = page.encode()
    middle = data.index(b"</h1>") + 40
    while data[middle] & 0xC0 == 0x80:  # between two characters, not inside one
        middle += 1
    return data[:middle] + b"\xff" + data[middle:]


def build(
    args: argparse.Namespace, release: threading.Event, hostile: bool, stuck: bool = False
) -> tuple[list[Host], dict]:
    """Start every host (the hostile ones only if ``hostile``); return them and the
    sources.yaml data."""
    admin = Host("127.0.0.2")
    admin.routes["/admin"] = reply("root password: hunter2")
    hosts: list[Host] = [admin]
    sources: list[dict[str, Any]] = []

    def outlet(name: str, pages: dict[str, bytes | Any], language: str = "en") -> Host:
        host = Host(f"127.0.0.{len(hosts) + 10}")
        host.start()
        hosts.append(host)
        host.routes["/robots.txt"] = reply("User-agent: *\nAllow: /\n", content_type="text/plain")
        items = []
        for path, route in pages.items():
            host.routes[path] = route if callable(route) else reply(route)
            items.append((f"North Korean troops near Kursk: {name} {path}", host.url(path)))
        host.routes["/feed.xml"] = reply(rss(host.base, items), content_type="application/rss+xml")
        sources.append(
            {
                "id": name,
                "name": name,
                "camp": "west",
                "language": language,
                "homepage": host.url("/"),
                "allow_private_addresses": True,
                "discovery": [{"kind": "rss", "url": host.url("/feed.xml"), "max_items": 100}],
            }
        )
        return host

    admin.start()
    for n in range(args.good):
        outlet(f"good{n:02d}", {f"/a/{i}": article(f"good{n}-{i}") for i in range(args.pages)})
    if hostile:
        add_hostile(outlet, hosts, admin, release)
    if stuck:  # its page work stalls (see ``daemon_crawl``); a good page beside it
        outlet("stuck", {"/stuck": article("stuck-desk"), "/fine": article("fine-desk")})
    topic = yaml.safe_load((REPO / "sources.yaml").read_text(encoding="utf-8"))["topic"]
    config = {
        "version": 1,
        "defaults": {
            "per_host_delay_seconds": args.delay,
            "jitter_seconds": 0,
            "concurrency": 32,
            "max_retries": 1,
            "timeout_seconds": 2,
        },
        "topic": topic,
        "sources": sources,
    }
    return hosts, config


def add_hostile(outlet: Any, hosts: list[Host], admin: Host, release: threading.Event) -> None:
    squeezed = gzip.compress(article("cut-desk").encode())
    cut = reply(squeezed[: len(squeezed) // 2], Content_Encoding="gzip")
    outlet(
        "hostile",
        {
            "/deep": deep_page(),
            "/drip": drip(release),
            "/stall": stall(release),
            "/bomb": gzip_bomb(),
            "/endless": endless(release),
            "/cut1": cut,
            "/cut2": cut,
            "/metadata": reply(b"", 302, Location="http://169.254.169.254/latest/meta-data/iam/"),
            "/to-admin": reply(b"", 302, Location=admin.url("/admin")),
        },
    )
    hostile = hosts[-1]
    feed = rss(
        hostile.base,
        [
            (f"North Korean troops near Kursk: hostile {p}", hostile.url(p))
            for p in ("/deep", "/drip", "/stall", "/bomb", "/endless", "/cut1", "/cut2")
        ]
        + [
            ("North Korean troops near Kursk: leaked", admin.url("/admin")),
            ("North Korean troops near Kursk: metadata", hostile.url("/metadata")),
            ("North Korean troops near Kursk: moved", hostile.url("/to-admin")),
        ],
    )
    hostile.routes["/feed.xml"] = reply(feed, content_type="application/rss+xml")
    for n, language in enumerate(STRAY):
        outlet(
            f"stray{n}",
            {"/s": with_stray_byte(article(f"stray{n}", language))},
            language,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--good", type=int, default=12, help="ordinary outlets")
    parser.add_argument("--pages", type=int, default=6, help="articles per ordinary outlet")
    parser.add_argument("--delay", type=float, default=0.5, help="per-host delay, seconds")
    parser.add_argument("--daemon-only", action="store_true", help="skip the crawl --once runs")
    args = parser.parse_args()
    print(
        f"{args.good} good hosts × {args.pages} pages, {args.delay} s politeness; "
        "each web crawled once by `monitor crawl --once` (its default worker processes)"
    )
    for hostile in () if args.daemon_only else (True, False):  # the good hosts, alone
        print(crawl(args, hostile))
    print("a daemon with its worker processes (2), the same webs:")
    for hostile in (True, False):
        print(daemon_crawl(args, hostile))
    print(daemon_crawl(args, False, sigterm=True))


def crawl(args: argparse.Namespace, hostile: bool) -> str:
    """One visit of every source by `monitor crawl --once` in a child process; beside the
    hostile hosts, the outlet whose page work stalls too."""
    release = threading.Event()
    hosts, config = build(args, release, hostile, stuck=hostile)
    # the real command line; with the stalled outlet, through the launcher that binds the
    # page worker's seam (it imports tests.faults, hence the repository as the directory)
    command = [sys.executable, "-m", "tests.faults.stalled_cli", "600"] if hostile else MONITOR
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "sources.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
            options = [
                "--storage", str(root / "storage"), "--sources", str(root / "sources.yaml"),
                "--positions", str(REPO / "positions.yaml"),
            ]  # fmt: skip
            started = time.monotonic()
            subprocess.run(
                [*command, "-q", *options, "crawl", "--once"],
                check=False,
                capture_output=True,
                cwd=REPO,
            )
            wall = time.monotonic() - started
            lines = report(args, hosts, root, wall, hostile, label="crawl --once, ")
            if hostile:
                shown = subprocess.run(
                    [*MONITOR, *options, "status", "--format", "json"],
                    check=True,
                    cwd=REPO,
                    capture_output=True,
                    text=True,
                )
                rows = {r["source_id"]: r for r in json.loads(shown.stdout)["sources"]}
                cut = rows["stuck"]["failures"].get("page:page_timeout", 0)
                lines += f"\n  stalled page cut as page_timeout    {cut} of 1 (at 15 s)"
            return lines
    finally:
        release.set()
        for host in hosts:
            host.stop()


def daemon_crawl(args: argparse.Namespace, hostile: bool, *, sigterm: bool = False) -> str:
    """One visit of every source by a daemon with two worker processes. Beside the hostile
    hosts, the outlet whose page work stalls too; with ``sigterm``, only the good hosts and
    that outlet, and a SIGTERM once every good host is visited (the stalled page still in
    work)."""
    from monitor.daemon import Daemon
    from monitor.pipeline import CrawlResult
    from monitor.runtime import Settings, open_pipeline

    release = threading.Event()
    stuck = hostile or sigterm
    hosts, config = build(args, release, hostile, stuck=stuck)
    sources = len(config["sources"])
    good = {s["id"] for s in config["sources"] if s["id"].startswith("good")}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "sources.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
            settings = Settings(
                storage=root / "storage",
                sources_path=root / "sources.yaml",
                positions_path=REPO / "positions.yaml",
            )
            seen: dict[str, CrawlResult] = {}
            marks: dict[str, float] = {}

            async def run() -> None:
                stalls = {"page_setup": (stall_pages, ("/stuck", 600.0))} if stuck else {}
                async with open_pipeline(settings, processes=2, **stalls) as pipeline:
                    await pipeline.work.start()
                    daemon = Daemon(pipeline, settings, roles=["crawler"], digest=False)

                    def on_crawl(result: CrawlResult) -> None:
                        seen[result.source_id] = result
                        if len(seen) == sources:
                            daemon.stop()
                        elif sigterm and good <= set(seen) and "sigterm" not in marks:
                            marks["sigterm"] = time.monotonic()
                            os.kill(os.getpid(), signal.SIGTERM)  # the daemon's own handler

                    daemon.on_crawl = on_crawl
                    marks["start"] = time.monotonic()
                    await daemon.run()
                    marks["stopped"] = time.monotonic()
                marks["closed"] = time.monotonic()

            asyncio.run(run())
            if sigterm:
                in_work = "stuck" not in seen or not seen["stuck"].counts["failed:page_timeout"]
                return (
                    f"daemon, SIGTERM once the good hosts are visited, the stalled page "
                    f"{'still in work' if in_work else 'already cut'}: the daemon ended "
                    f"{marks['stopped'] - marks['sigterm']:.1f} s after it, its worker "
                    f"processes were gone {marks['closed'] - marks['sigterm']:.1f} s after it "
                    "(grace 20 s)"
                )
            wall = marks["stopped"] - marks["start"]
            lines = report(args, hosts, root, wall, hostile, label="daemon, ")
            if hostile:
                cut = seen["stuck"].counts["failed:page_timeout"]
                lines += f"\n  stalled page cut as page_timeout    {cut} of 1 (at 15 s)"
            return lines
    finally:
        release.set()
        for host in hosts:
            host.stop()


def report(
    args: argparse.Namespace,
    hosts: list[Host],
    root: Path,
    wall: float,
    hostile: bool,
    label: str = "",
) -> str:
    from monitor.store import open_store

    store = open_store(f"sqlite:///{root / 'storage' / 'monitor.db'}")
    try:
        pieces = list(store.iter_articles())
    finally:
        store.close()
    good = [h for h in hosts if any(path.startswith("/a/") for path in h.hits)]
    gaps, waits = [], []
    for host in good:
        times = [t for path, t in host.times if path.startswith("/a/")]
        gaps += [b - a for a, b in zip(times, times[1:], strict=False)]
        feed = next(t for path, t in host.times if path == "/feed.xml")
        waits.append(times[0] - feed)
    worst = max(gaps, default=0.0)
    late = [g for g in gaps if g > args.delay * JITTER + args.delay]
    stored_good = sum(1 for p in pieces if p.source_id.startswith("good"))
    lines = [
        f"{label}{'beside the hostile hosts' if hostile else 'the good hosts alone'}: {wall:.1f} s",
        f"  good articles stored                {stored_good} of {args.good * args.pages}",
        f"  good hosts' gaps between pages      {len(gaps)}, longest {worst:.2f} s = "
        f"{worst / args.delay:.2f}x the interval (jitter allows {JITTER:.2f}x)",
        f"  gaps late by more than one interval {len(late)}  (target 0)",
        f"  feed to first page, longest         {max(waits, default=0):.2f} s "
        "(start-up: discovery and the first analysis workers)",
    ]
    if hostile:
        stray = [
            p for p in pieces if p.source_id.startswith("stray") and MARKS[p.language] in p.text
        ]
        truncated = [p for p in pieces if "/cut" in p.url]
        lines += [
            f"  internal addresses fetched          {sum(hosts[0].hits.values())}  (target 0)",
            f"  articles lost to a stray byte       {len(STRAY) - len(stray)} of {len(STRAY)}"
            "  (target 0)",
            f"  articles stored truncated           {len(truncated)}  (target 0)",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
