"""What the discover stage's pre-cut saves on a huge feed, side by side.

Builds an RSS feed of N items (default 10,000, ~2.3 MB) and times, best of 3:
feedparser on the whole document (what a naive discoverer does), ``parse`` with
``max_items=100`` (which hands feedparser only the first 200 items), and a 10,000-entry
news sitemap through the expat reader for comparison.

    .venv/bin/python benchmarks/discover_big_feed.py [N]
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

import feedparser

from monitor.config import Endpoint
from monitor.discover import parse
from monitor.models import Response

NOW = datetime(2024, 10, 24, 6, 0, tzinfo=UTC)


def _feed(n: int) -> bytes:
    items = "".join(
        f"<item><title>North Korea item {i} &amp; more</title>"
        f"<link>https://tass.com/world/{1_000_000 - i}</link>"
        f"<description>&lt;p&gt;Summary of item {i}.&lt;/p&gt;</description>"
        f"<pubDate>{datetime.fromtimestamp(1729700000 - 60 * i, UTC):%a, %d %b %Y %H:%M:%S} +0000"
        f"</pubDate><guid>https://tass.com/world/{1_000_000 - i}</guid></item>"
        for i in range(n)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        + items
        + "</channel></rss>"
    ).encode()


def _sitemap(n: int) -> bytes:
    urls = "".join(
        f"<url><loc>https://www.reuters.com/world/piece-{i}/</loc><news:news>"
        f"<news:publication_date>2024-10-{1 + i % 23:02d}T10:00:00Z</news:publication_date>"
        f"<news:title>Piece {i}</news:title></news:news></url>"
        for i in range(n)
    )
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + urls + "</urlset>"
    ).encode()


def _response(body: bytes, url: str) -> Response:
    return Response(url, url, 200, {"content-type": "application/xml"}, body, NOW, "")


def _best(fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    feed, sitemap = _feed(n), _sitemap(n)
    rss = Endpoint(kind="rss", url="https://tass.com/rss/v2.xml", max_items=100)
    smap = Endpoint(kind="sitemap", url="https://www.reuters.com/sitemap.xml", max_items=100)
    whole = _best(lambda: feedparser.parse(io.BytesIO(feed)), runs=1)
    cut = _best(lambda: parse(rss, _response(feed, rss.url), source_id="t", now=NOW))
    site = _best(lambda: parse(smap, _response(sitemap, smap.url), source_id="r", now=NOW))
    print(f"{n:,} items, feed {len(feed) / 1e6:.1f} MB, sitemap {len(sitemap) / 1e6:.1f} MB")
    print(f"feedparser, whole feed        {whole * 1000:8.1f} ms")
    print(f"discover.parse, max_items=100 {cut * 1000:8.1f} ms   ({whole / cut:5.1f}x faster)")
    print(f"discover.parse, news sitemap  {site * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
