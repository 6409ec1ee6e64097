"""What the Fetcher costs over raw httpx, side by side on loopback.

Serves one 30 KB page from a ThreadingHTTPServer on 127.0.0.1 and GETs it N times, one
after another, four ways: raw ``httpx.AsyncClient``; the Fetcher without recording;
the Fetcher recording to WARC with fsync (the daemon's setting); and replaying the
archive just written. Spacing is off (per-host delay 0) so only the code path is measured.

    .venv/bin/python benchmarks/fetch_overhead.py [N]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from monitor.config import Defaults
from monitor.fetch import Fetcher, ReplayTransport, WarcRecorder

PAGE = (
    "<html><body>" + "<p>Абзац текста для замера скорости.</p>" * 600 + "</body></html>"
).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else delayed ACKs cap loopback at ~25 req/s

    def do_GET(self) -> None:  # noqa: N802
        body = PAGE if self.path != "/robots.txt" else b"User-agent: *\nAllow: /\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


async def _rate(n: int, get: Callable[[str], Awaitable[object]], url: str) -> float:
    await get(url)  # warm-up: connection, robots.txt
    start = time.perf_counter()
    for i in range(n):
        await get(f"{url}?i={i}")
    return n / (time.perf_counter() - start)


async def main(n: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/page"
    settings = Defaults(per_host_delay_seconds=0.0)
    trusted = [("127.0.0.1", server.server_port)]  # as a source with allow_private_addresses
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp) / "warc"
        async with httpx.AsyncClient() as client:

            async def raw(u: str) -> bytes:
                return (await client.get(u)).content

            rates["raw httpx"] = await _rate(n, raw, url)
        async with Fetcher(settings, private_origins=trusted) as fetcher:
            rates["Fetcher, no WARC"] = await _rate(n, fetcher.get, url)
        recorder = WarcRecorder(warc)
        async with Fetcher(settings, recorder=recorder, private_origins=trusted) as fetcher:
            rates["Fetcher + WARC (fsync)"] = await _rate(n, fetcher.get, url)
        recorder.close()
        async with Fetcher(settings, transport=ReplayTransport([warc])) as fetcher:
            rates["replay from WARC"] = await _rate(n, fetcher.get, url)
    server.shutdown()
    base = rates["raw httpx"]
    print(f"{n} sequential GETs of a {len(PAGE) // 1024} KB page on loopback")
    for name, rate in rates.items():
        print(f"  {name:<24} {rate:8.0f} req/s   {rate / base:5.2f}x raw httpx")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
