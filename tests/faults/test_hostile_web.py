"""The crawler on a hostile web: every fault costs one typed, counted status row, never the
good article beside it, never the daemon.

One module-scoped crawl (two visits, as the daemon would make) over one loopback host per
fault, through the real CLI (`monitor crawl --once`, then `monitor status --format json`).
Each test then reads one fault's outcome: what `monitor status` says about its source, and
whether the good article of the same source is stored.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from monitor.cli import main
from monitor.store import open_store

from .web import (
    Host,
    Route,
    article,
    drip,
    endless,
    gzip_bomb,
    in_turn,
    raw,
    reply,
    reset,
    rss,
    stall,
    with_etag,
)

REPO = Path(__file__).resolve().parents[2]
RELEASE = threading.Event()  # lets stalled and dripping handlers go at teardown
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "lol">\n'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(9))
    + ']>\n<rss version="2.0"><channel><title>&j;</title></channel></rss>\n'
).encode()


@dataclass
class Fault:
    """One fault kind on its own host. ``setup`` adds the fault's routes (and may return
    extra endpoints or feed items); ``failure`` is the reason `monitor status` must count
    (``page:…`` / ``endpoint:…``), None when the fault must be read through."""

    kind: str
    failure: str | None
    setup: Callable[[Host], dict[str, Any]] = lambda host: {}
    language: str = "en"
    bad_stored: bool = False
    source: dict[str, Any] = field(default_factory=dict)  # extra sources.yaml keys


def bad(route: Route) -> Callable[[Host], dict[str, Any]]:
    def setup(host: Host) -> dict[str, Any]:
        host.routes["/bad"] = route
        return {}

    return setup


def redirect(location: str, status: int = 302) -> Route:
    return reply(b"", status, "text/html", Location=location)


def loop(host: Host) -> dict[str, Any]:
    host.routes["/bad"] = redirect("/bad2")
    host.routes["/bad2"] = redirect("/bad")
    return {}


def chain(host: Host) -> dict[str, Any]:
    host.routes["/bad"] = redirect("/hop1")
    for n in range(1, 12):
        host.routes[f"/hop{n}"] = redirect(f"/hop{n + 1}")
    return {}


def broken_endpoint(kind: str, body: bytes, content_type: str) -> Callable[[Host], dict]:
    """A second endpoint that is broken; the good feed beside it still works."""

    def setup(host: Host) -> dict[str, Any]:
        host.routes["/broken"] = reply(body, 200, content_type)
        return {"endpoints": [{"kind": kind, "url": host.url("/broken")}]}

    return setup


def robots(host: Host) -> dict[str, Any]:
    host.routes["/robots.txt"] = reply(
        "User-agent: *\nDisallow: /bad\nCrawl-delay: 1\n", content_type="text/plain"
    )
    host.routes["/bad"] = reply(article("robots-private"))  # a page the rules keep us from
    return {}


def ssrf_link(host: Host) -> dict[str, Any]:
    """The feed lists the machine's own admin service (another loopback host)."""
    admin = ADMIN.url("/admin")
    return {"items": [("North Korean troops near Kursk: leaked admin page", admin)]}


def dead(host: Host) -> dict[str, Any]:
    return {"only_endpoints": [{"kind": "rss", "url": f"http://{host.address}:9/feed.xml"}]}


def legacy(text_language: str, codec: str, label: str) -> Callable[[Host], dict]:
    def setup(host: Host) -> dict[str, Any]:
        page = article(f"{codec}-desk", text_language).replace('<meta charset="utf-8">', "")
        host.routes["/bad"] = reply(page.encode(codec), content_type=f"text/html; charset={label}")
        return {}

    return setup


def stray_byte(host: Host) -> dict[str, Any]:
    page = article("stray-desk", "ru").encode("utf-8")
    cut = page.index("Эксперты".encode())
    host.routes["/bad"] = reply(page[:cut] + b"\xff" + page[cut:])
    return {}


def truncated_gzip(host: Host) -> dict[str, Any]:
    squeezed = gzip.compress(article("gzip-desk").encode())
    host.routes["/bad"] = reply(squeezed[: len(squeezed) // 2], Content_Encoding="gzip")
    return {}


def short_body(host: Host) -> dict[str, Any]:
    page = article("short-desk").encode()
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(page)}\r\nConnection: close\r\n\r\n"
    ).encode()
    host.routes["/bad"] = raw(head + page[: len(page) // 3])
    return {}


def http10(host: Host) -> dict[str, Any]:
    page = article("http10-desk").encode()
    head = b"HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    host.routes["/bad"] = raw(head + page)  # no Content-Length: the close ends the body
    return {}


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"\x00\x9f" * 200 + b"\n%%EOF\n"
HTML_AS_PDF = article("pdf-desk").encode()

FAULTS = [
    Fault("server_error", "page:status", bad(reply("<h1>Internal error</h1>", 500))),
    Fault("not_found", "page:status", bad(reply("<h1>Not here</h1>", 404))),
    Fault("rate_limited", "page:status", bad(reply("slow down", 429, Retry_After="7200"))),
    Fault(
        "busy_then_ok",
        None,
        bad(in_turn(reply("busy", 503, Retry_After="1"), reply(article("busy-desk")))),
        bad_stored=True,
    ),
    Fault("reset", "page:connect", bad(reset)),
    Fault("timeout", "page:timeout", bad(stall(RELEASE))),
    Fault("slow_drip", "page:timeout", bad(drip(RELEASE))),
    Fault("gzip_bomb", "page:too_large", bad(gzip_bomb())),
    Fault("oversized", "page:too_large", bad(endless(RELEASE))),
    Fault("redirect_loop", "page:redirects", loop),
    Fault("redirect_chain", "page:redirects", chain),
    Fault("file_redirect", "page:redirects", bad(redirect("file:///etc/passwd"))),
    Fault("gbk_mislabel", None, legacy("zh", "gbk", "utf-8"), "zh", bad_stored=True),
    Fault("cp1251_mislabel", None, legacy("ru", "cp1251", "iso-8859-1"), "ru", bad_stored=True),
    Fault("stray_byte", None, stray_byte, "ru", bad_stored=True),
    Fault("truncated_gzip", "page:truncated", truncated_gzip),
    Fault("short_body", "page:truncated", short_body),
    Fault("http10_close", None, http10, bad_stored=True),
    Fault("empty_page", "page:empty", bad(reply(b""))),
    Fault("pdf", "page:content_type", bad(reply(PDF, content_type="application/pdf"))),
    Fault(
        "html_as_pdf", "page:content_type", bad(reply(HTML_AS_PDF, content_type="application/pdf"))
    ),
    Fault(
        "html_as_pdf_opted_in",
        None,
        bad(reply(HTML_AS_PDF, content_type="application/pdf")),
        bad_stored=True,
        source={"read_mislabelled_html": True},
    ),
    Fault(
        "json_page", "page:content_type", bad(reply('{"a": 1}', content_type="application/json"))
    ),
    Fault("ssrf_link", "page:internal_address", ssrf_link),
    Fault(
        "ssrf_redirect",
        "page:internal_address",
        bad(redirect("http://169.254.169.254/latest/meta-data/iam/security-credentials/")),
    ),
    Fault("robots", None, robots),
    Fault(
        "malformed_feed",
        "endpoint:malformed_feed",
        broken_endpoint("rss", b"<rss><channel><item><title>North Korea", "application/rss+xml"),
    ),
    Fault(
        "entity_feed",
        "endpoint:malformed_feed",  # its entities are never expanded: the feed is unreadable
        broken_endpoint("rss", BILLION_LAUGHS, "application/rss+xml"),
    ),
    Fault(
        "malformed_sitemap",
        "endpoint:malformed_xml",
        broken_endpoint("sitemap", b"<urlset><url><loc>http://x", "application/xml"),
    ),
    Fault(
        "entity_sitemap",
        "endpoint:unsafe_xml",
        broken_endpoint("sitemap", BILLION_LAUGHS.replace(b"rss", b"urlset"), "application/xml"),
    ),
    Fault("empty_feed", "endpoint:not_a_feed", broken_endpoint("rss", b"", "application/rss+xml")),
    Fault("dead_endpoint", "endpoint:connect", dead),
]
ADMIN = Host("127.0.0.2")
#: sources whose feed has no ETag, so the second visit sees the same links again
RELISTED = ("robots", "server_error", "ssrf_link", "pdf")
SECRET = "ASIA-not-for-the-digest"


def sources_yaml(hosts: dict[str, Host], extras: dict[str, dict[str, Any]]) -> str:
    sources = []
    for fault in FAULTS:
        host, extra = hosts[fault.kind], extras[fault.kind]
        endpoints = extra.get("only_endpoints") or [
            {"kind": "rss", "url": host.url("/feed.xml")},
            *extra.get("endpoints", []),
        ]
        sources.append(
            {
                "id": fault.kind,
                "name": fault.kind.replace("_", " ").title(),
                "camp": "west",
                "language": fault.language,
                "homepage": host.url("/"),
                "allow_private_addresses": True,
                "discovery": endpoints,
                **fault.source,
            }
        )
    config = {
        "version": 1,
        "defaults": {
            "per_host_delay_seconds": 0,
            "jitter_seconds": 0,
            "max_retries": 1,
            "timeout_seconds": 1,
            "max_body_bytes": 2_000_000,
        },
        "topic": yaml.safe_load((REPO / "sources.yaml").read_text(encoding="utf-8"))["topic"],
        "sources": sources,
    }
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


@dataclass
class Outcome:
    hosts: dict[str, Host]
    status: dict[str, dict[str, Any]]  # source id → its `monitor status --format json` row
    stored: dict[str, set[str]]  # source id → paths of its stored articles
    settled: set[str]  # URLs of bad pages the store will not fetch again
    visits: list[str]  # the CLI's output of each visit


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    root = tmp_path_factory.mktemp("hostile")
    hosts = {f.kind: Host(f"127.0.0.{10 + i}") for i, f in enumerate(FAULTS)}
    ADMIN.routes["/admin"] = reply(SECRET, content_type="text/html")
    ADMIN.start()
    extras: dict[str, dict[str, Any]] = {}
    try:
        for fault in FAULTS:
            host = hosts[fault.kind]
            host.start()
            host.routes["/robots.txt"] = reply(
                "User-agent: *\nAllow: /\n", content_type="text/plain"
            )
            host.routes["/good"] = reply(article(f"{fault.kind}-good", fault.language))
            extras[fault.kind] = fault.setup(host)
            items = [(article_title(fault, "good"), host.url("/good"))]
            if "/bad" in host.routes:  # faults of endpoints have no bad page
                items.append((article_title(fault, "bad"), host.url("/bad")))
            items += extras[fault.kind].get("items", [])
            feed = rss(host.base, items)
            host.routes["/feed.xml"] = (
                reply(feed, content_type="application/rss+xml")  # lists its links again
                if fault.kind in RELISTED
                else with_etag(feed, "application/rss+xml")  # answers the second visit 304
            )
        sources = root / "sources.yaml"
        sources.write_text(sources_yaml(hosts, extras), encoding="utf-8")
        cli = [
            "--storage", str(root / "storage"), "--sources", str(sources),
            "--positions", str(REPO / "positions.yaml"),
        ]  # fmt: skip
        runner = CliRunner()
        visits = []
        for _ in range(2):  # the second visit: 304s, settled links, a failing streak
            result = runner.invoke(main, [*cli, "crawl", "--once"], catch_exceptions=False)
            assert result.exit_code in (0, 1), result.output
            visits.append(result.output)
        shown = runner.invoke(main, [*cli, "status", "--format", "json"], catch_exceptions=False)
        assert shown.exit_code == 0, shown.output
        status = {row["source_id"]: row for row in json.loads(shown.stdout)["sources"]}
        store = open_store(f"sqlite:///{root / 'storage' / 'monitor.db'}")
        try:
            stored: dict[str, set[str]] = {f.kind: set() for f in FAULTS}
            for piece in store.iter_articles():
                stored[piece.source_id].add("/" + piece.url.split("/", 3)[3])
            bad_urls = [h.url("/bad") for h in hosts.values()] + [ADMIN.url("/admin")]
            settled = set(store.seen_links(bad_urls))
        finally:
            store.close()
        yield Outcome(hosts, status, stored, settled, visits)
    finally:
        RELEASE.set()
        for host in [*hosts.values(), ADMIN]:
            host.stop()


def article_title(fault: Fault, which: str) -> str:
    titles = {"en": "North Korean troops near Kursk", "ru": "Войска КНДР под Курском"}
    return f"{titles.get(fault.language, '朝鲜军队抵达库尔斯克')}: {fault.kind} {which}"


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.kind)
def test_each_fault_is_a_typed_count_in_status_and_the_good_article_is_stored(
    crawled: Outcome, fault: Fault
) -> None:
    row = crawled.status[fault.kind]
    if fault.failure is None:
        assert row["failures"] == {}, row
    else:
        assert row["failures"].get(fault.failure, 0) >= 1, row
        assert row["last_error"], row
    if fault.kind == "dead_endpoint":
        return  # nothing of it can be read; its flag is checked below
    assert "/good" in crawled.stored[fault.kind], (fault.kind, row)
    assert ("/bad" in crawled.stored[fault.kind]) == fault.bad_stored, row


def test_no_internal_address_was_fetched(crawled: Outcome) -> None:
    assert ADMIN.hits == {}
    for host in crawled.hosts.values():
        assert "/latest/meta-data/iam/security-credentials/" not in host.hits


def test_a_source_whose_every_endpoint_fails_is_flagged(crawled: Outcome) -> None:
    row = crawled.status["dead_endpoint"]
    assert row["all_endpoints_failing"] is True
    assert row["state"] == "blind"
    assert row["failing_visits"] == 2
    others = [r for sid, r in crawled.status.items() if sid != "dead_endpoint"]
    assert not any(r["all_endpoints_failing"] for r in others)


def test_an_endpoint_error_shows_even_when_another_endpoint_worked(crawled: Outcome) -> None:
    row = crawled.status["malformed_feed"]
    assert row["state"] == "ok" and "broken" in row["last_error"]


def test_robots_refused_links_are_settled_and_never_requested(crawled: Outcome) -> None:
    host = crawled.hosts["robots"]
    assert host.hits["/feed.xml"] == 2  # the second visit saw the link listed again…
    assert host.url("/bad") in crawled.settled  # …and left it alone
    assert host.hits["/bad"] == 0
    assert crawled.status["robots"]["failing_visits"] == 0
    assert crawled.status["robots"]["failures"] == {}  # our rule, not the site's fault
    requests = [t for path, t in host.times if path != "/robots.txt"]
    gaps = [b - a for a, b in zip(requests, requests[1:], strict=False)]
    assert gaps and min(gaps) >= 0.9  # Crawl-delay: 1 is honoured


def test_a_stray_byte_costs_one_character_not_the_article(crawled: Outcome) -> None:
    assert "/bad" in crawled.stored["stray_byte"]


def test_refusals_are_settled_and_transient_failures_tried_again(crawled: Outcome) -> None:
    hosts = crawled.hosts
    for kind in RELISTED:
        assert hosts[kind].hits["/feed.xml"] == 2
        assert hosts[kind].hits["/good"] == 1  # stored: never fetched again
    assert hosts["pdf"].hits["/bad"] == 1 and hosts["pdf"].url("/bad") in crawled.settled
    assert ADMIN.url("/admin") in crawled.settled
    assert hosts["server_error"].hits["/bad"] == 4  # two tries on each of the two visits
    assert hosts["server_error"].url("/bad") not in crawled.settled


def test_the_second_visit_asks_conditionally(crawled: Outcome) -> None:
    assert crawled.hosts["timeout"].hits["/feed.xml"] == 2
    assert crawled.hosts["timeout"].hits["/bad"] == 2  # the 304 listed nothing new
