"""The discover stage in the loop the pipeline runs, against a real HTTP server on
127.0.0.1: ask for the endpoint's URL, fetch it, parse it, fetch and parse the children.
Here the test plays the pipeline with plain httpx (stages never import the fetch stage)."""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from monitor.config import Endpoint
from monitor.discover import Discovery, endpoint_url, parse
from monitor.models import Response

FIXTURES = Path(__file__).parent / "fixtures"


def _routes() -> dict[str, tuple[int, dict[str, str], bytes]]:
    index = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>news-sitemap-2.xml</loc><lastmod>2024-10-23T12:00:00Z</lastmod></sitemap>
  <sitemap><loc>/sitemaps/news-sitemap.xml.gz</loc><lastmod>2024-10-24T05:00:00Z</lastmod></sitemap>
</sitemapindex>"""
    reuters = (FIXTURES / "reuters_news_sitemap.xml").read_bytes()
    ap = (FIXTURES / "ap_sitemap_latest.xml").read_bytes()
    return {
        "/old-index": (301, {"Location": "/sitemaps/index.xml"}, b""),
        "/sitemaps/index.xml": (200, {"Content-Type": "application/xml"}, index),
        # a .gz file: the body itself is gzip, whatever the content type says
        "/sitemaps/news-sitemap.xml.gz": (
            200, {"Content-Type": "application/octet-stream"}, gzip.compress(reuters, mtime=0)
        ),
        # gzip as transfer coding: the HTTP client undoes it
        "/sitemaps/news-sitemap-2.xml": (
            200, {"Content-Type": "text/xml", "Content-Encoding": "gzip"},
            gzip.compress(ap, mtime=0),
        ),
    }  # fmt: skip


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        status, headers, body = self.routes.get(self.path, (404, {}, b"not found"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.routes = _routes()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _fetch(client: httpx.Client, url: str, now: datetime) -> Response:
    reply = client.get(url)
    return Response(
        url=url,
        final_url=str(reply.url),
        status=reply.status_code,
        headers={k.lower(): v for k, v in reply.headers.items()},
        body=reply.content,
        fetched_at=now,
        sha256=hashlib.sha256(reply.content).hexdigest(),
    )


def test_a_sitemap_index_behind_a_redirect_leads_to_gzipped_children(
    server: str, now: datetime
) -> None:
    endpoint = Endpoint(kind="sitemap", url=f"{server}/old-index", max_items=200)
    with httpx.Client(follow_redirects=True, timeout=5) as client:
        index = parse(
            endpoint, _fetch(client, endpoint_url(endpoint, now=now), now), source_id="x", now=now
        )
        assert index.children == (
            f"{server}/sitemaps/news-sitemap.xml.gz",  # newest lastmod first
            f"{server}/sitemaps/news-sitemap-2.xml",  # resolved against the redirect target
        )
        children: list[Discovery] = [
            parse(endpoint, _fetch(client, child, now), source_id="x", now=now)
            for child in index.children
        ]
    assert [len(c.links) for c in children] == [3, 3]
    assert (
        children[0].links[0].title == "South Korea says North Korean troops moved closer to front"
    )
    assert children[1].links[0].url.startswith("https://apnews.com/article/north-korea-russia")
    assert all(lk.via == endpoint.url for c in children for lk in c.links)
