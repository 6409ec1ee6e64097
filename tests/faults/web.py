"""A hostile web on loopback: one host (127.0.0.x) per fault, each beside a good article.

Every host serves ``/robots.txt``, an RSS feed ``/feed.xml`` (with an ETag, so a second
visit is answered 304), a good on-topic article ``/good`` and, at ``/bad``, the fault under
test. The fault is data: a ``Route`` that writes whatever bytes it likes to the socket,
from polite replies to resets, stalls, drips and bodies that stop short. Pages and feeds
are written here, in the structure of real news sites; no sentence comes from elsewhere.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]

Route = Callable[[BaseHTTPRequestHandler], None]

PARAGRAPHS = {
    "en": [
        "Officials in Moscow said on {day} that North Korean soldiers had reached positions "
        "near Kursk, in what the {desk} desk described as the largest movement so far.",
        "Analysts in Seoul said the deployment shows how far the treaty between Russia and "
        "North Korea now reaches, and that Pyongyang expects technology in return.",
        "Diplomats at the United Nations asked Moscow to explain the presence of the North "
        "Korean units, while Russian officials repeated that the treaty is defensive.",
        "The {desk} desk could not verify the figures independently; satellite images "
        "published by researchers show new barracks close to the Kursk front line.",
    ],
    "ru": [
        "Как сообщил в {day} источник в Москве, военнослужащие КНДР прибыли в Курскую "
        "область; редакция {desk} называет это крупнейшей переброской с начала года.",
        "Эксперты отмечают, что договор между Россией и КНДР о всеобъемлющем партнёрстве "
        "предусматривает взаимную помощь, а Пхеньян рассчитывает на технологии.",
        "В Сеуле заявили, что присутствие северокорейских подразделений под Курском "
        "меняет расстановку сил, однако в Москве эти сведения не комментируют.",
        "Редакция {desk} не смогла независимо проверить эти цифры; спутниковые снимки "
        "показывают новые казармы недалеко от линии фронта в Курской области.",
    ],
    "zh": [
        "据莫斯科方面{day}消息，朝鲜士兵已抵达库尔斯克附近，{desk}编辑部称这是迄今规模最大的一次调动。",
        "首尔的分析人士认为，俄罗斯与朝鲜签署的全面战略伙伴关系条约正在产生实际影响，平壤希望获得技术回报。",
        "联合国外交人士要求俄罗斯解释朝鲜部队的存在，俄方官员则重申该条约具有防御性质。",
        "{desk}编辑部无法独立核实这些数字，研究人员公布的卫星图像显示库尔斯克前线附近出现了新营房。",
    ],
}
TITLES = {
    "en": "North Korean troops near Kursk: {desk} report",
    "ru": "Войска КНДР под Курском: материал {desk}",
    "zh": "朝鲜军队抵达库尔斯克：{desk}报道",
}


def article(desk: str, language: str = "en", *, day: str = "Monday") -> str:
    """An on-topic article page; ``desk`` makes its text unique to its host and path."""
    title = TITLES[language].format(desk=desk)
    body = "".join(f"<p>{p.format(desk=desk, day=day)}</p>\n" for p in PARAGRAPHS[language])
    return (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{title} | Wire</title>"
        f'<meta property="og:title" content="{title}">'
        f'<meta property="article:published_time" content="{_now():%Y-%m-%dT%H:%M:%SZ}">'
        f'</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>'
        f"<main><article><h1>{title}</h1>\n{body}</article></main>"
        f"<footer>(c) Wire</footer></body></html>"
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def rss(base: str, items: list[tuple[str, str]]) -> bytes:
    """An RSS 2.0 feed of ``(title, absolute link)``."""
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link>"
        f"<pubDate>{format_datetime(_now())}</pubDate></item>\n"
        for title, link in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Wire</title><link>{base}/</link><description>World news</description>\n"
        f"{entries}</channel></rss>\n"
    ).encode()


# ── routes: from polite replies to broken sockets ───────────────────────────────────


def reply(
    body: bytes | str = b"",
    status: int = 200,
    content_type: str = "text/html; charset=utf-8",
    **headers: str,
) -> Route:
    data = body.encode("utf-8") if isinstance(body, str) else body

    def send(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        if content_type:
            handler.send_header("Content-Type", content_type)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        if "Content_Length" not in headers:
            handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return send


def with_etag(body: bytes, content_type: str) -> Route:
    """200 with an ETag; 304 when the client sends it back (a conditional GET)."""
    etag = f'"{hash(body) & 0xFFFFFFFF:x}"'

    def send(handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("If-None-Match") == etag:
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        reply(body, 200, content_type, ETag=etag)(handler)

    return send


def in_turn(*routes: Route) -> Route:
    """Each request gets the next route; the last one repeats."""
    served = Counter[str]()

    def send(handler: BaseHTTPRequestHandler) -> None:
        n = served["n"]
        served["n"] += 1
        routes[min(n, len(routes) - 1)](handler)

    return send


def raw(data: bytes) -> Route:
    """Write ``data`` to the socket as it is and hang up (HTTP/1.0, short bodies…)."""

    def send(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(data)
        handler.wfile.flush()
        handler.close_connection = True

    return send


def reset(handler: BaseHTTPRequestHandler) -> None:
    """Hang up with a TCP reset before answering."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True
    handler.connection.close()


def stall(release: threading.Event) -> Route:
    def send(handler: BaseHTTPRequestHandler) -> None:
        release.wait(30)
        handler.close_connection = True

    return send


def drip(release: threading.Event, every: float = 0.2) -> Route:
    """Headers at once, then one byte of body every ``every`` seconds, for ever."""

    def send(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        try:
            while not release.wait(every):
                handler.wfile.write(b"<")
                handler.wfile.flush()
        except OSError:
            pass
        handler.close_connection = True

    return send


def endless(release: threading.Event) -> Route:
    """An oversized body that would never end, with no Content-Length to warn of it."""

    def send(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Connection", "close")
        handler.end_headers()
        chunk = b"<p>" + b"x" * 65536 + b"</p>"
        try:
            while not release.is_set():
                handler.wfile.write(chunk)
        except OSError:
            pass
        handler.close_connection = True

    return send


def gzip_bomb() -> Route:
    bomb = gzip.compress(b" " * 60_000_000, compresslevel=9)  # ~60 KB on the wire
    return reply(bomb, Content_Encoding="gzip")


def stall_pages(marker: str, seconds: float) -> None:
    """A page worker's setup (``open_pipeline(page_setup=(stall_pages, (marker, s)))``,
    run in the worker process): page work on a URL holding ``marker`` first sleeps
    ``seconds`` — a page whose extraction hangs in C, which only killing its process ends.
    Imported by the worker as ``tests.faults.web``, so the repository must be on its path."""
    from monitor import pagework

    read_page = pagework.read_page

    def stalling(page: Any, link: Any, topic: Any) -> Any:
        if marker in page.url:
            time.sleep(seconds)
        return read_page(page, link, topic)

    pagework.read_page = stalling  # type: ignore[assignment]


# ── the hosts ───────────────────────────────────────────────────────────────────────


@dataclass
class Host:
    """One site on its own loopback address: routes by path, hits counted, times noted."""

    address: str
    routes: dict[str, Route] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    times: list[tuple[str, float]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://{self.address}:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> None:
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                path = self.path.split("?")[0]
                host.hits[path] += 1
                host.times.append((path, time.monotonic()))
                route = host.routes.get(path, reply("<html><body>Not found</body></html>", 404))
                try:
                    route(self)
                except OSError:  # the client hung up on a hostile route: that is the point
                    self.close_connection = True

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((self.address, 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


# ── two outlets, one with a page whose work stalls ──────────────────────────────────


def outlet(name: str, address: str, paths: list[str]) -> tuple[Host, dict[str, Any]]:
    """A started host serving robots.txt, a feed and an on-topic article at each of
    ``paths``, and its entry for sources.yaml (private addresses allowed: loopback)."""
    host = Host(address)
    host.start()
    host.routes["/robots.txt"] = reply("User-agent: *\nAllow: /\n", content_type="text/plain")
    items = []
    for path in paths:
        host.routes[path] = reply(article(f"{name}{path.replace('/', '-')}"))
        items.append((f"North Korean troops near Kursk: {name} {path}", host.url(path)))
    host.routes["/feed.xml"] = reply(rss(host.base, items), content_type="application/rss+xml")
    source = {
        "id": name,
        "name": name,
        "camp": "west",
        "language": "en",
        "homepage": host.url("/"),
        "allow_private_addresses": True,
        "discovery": [{"kind": "rss", "url": host.url("/feed.xml")}],
    }
    return host, source


def stall_web(root: Path, limit: float, prefix: str) -> tuple[Host, Host, Path]:
    """``slowsite`` (``/stuck`` beside ``/a1``, ``/a2``) on 127.0.0.<prefix>1 and
    ``othersite`` (``/b0``…``/b5``) on 127.0.0.<prefix>2, with a sources.yaml at
    ``root`` whose pages get ``limit`` seconds of work; the path of that file."""
    slow, slow_source = outlet("slowsite", f"127.0.0.{prefix}1", ["/stuck", "/a1", "/a2"])
    other, other_source = outlet("othersite", f"127.0.0.{prefix}2", [f"/b{n}" for n in range(6)])
    topic = yaml.safe_load((REPO / "sources.yaml").read_text(encoding="utf-8"))["topic"]
    config = {
        "version": 1,
        "defaults": {
            "per_host_delay_seconds": 0.2,
            "jitter_seconds": 0,
            "max_retries": 0,
            "page_timeout_seconds": limit,
        },
        "topic": topic,
        "sources": [slow_source, other_source],
    }
    path = root / "sources.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return slow, other, path
