"""XML sitemaps: a ``<sitemapindex>`` names child sitemaps, a ``<urlset>`` names pages.

News sitemaps (Reuters, AP) carry ``news:publication_date`` and ``news:title`` per URL;
plain ones only ``lastmod``. Elements are matched by local name and position, never by
namespace URI, so un-namespaced files, odd prefixes and undeclared prefixes all read the
same; an ``image:loc`` inside ``image:image`` is not mistaken for the page's ``loc``.
Parsing streams through expat with entity declarations refused (see ``xmlscan``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit
from xml.parsers import expat

from monitor.config import Endpoint
from monitor.errors import DiscoverError
from monitor.models import Response

from .body import looks_like_html, read_payload, xml_to_utf8
from .collect import Collector, Discovery
from .dates import parse_date
from .text import clean_title
from .xmlscan import UnsafeXML, local, new_parser, refuse_unsafe

log = logging.getLogger(__name__)

MAX_CHILDREN = 5  # child sitemaps handed back per index, newest first
MAX_ENTRIES = 50_000  # the sitemap protocol's limit per file; more are not read


@dataclass
class _Entry:
    loc: str = ""
    lastmod: str = ""
    published: str = ""
    title: str = ""


@dataclass
class _Scan:
    root: str | None = None
    entries: list[_Entry] = field(default_factory=list)
    dropped: int = 0
    error: str | None = None


def parse_sitemap(
    endpoint: Endpoint, response: Response, *, source_id: str, now: datetime
) -> Discovery:
    url = response.final_url
    data = read_payload(response, what="sitemap", empty_reason="not_a_sitemap")
    if looks_like_html(data):
        raise DiscoverError(url, "the body is an HTML page, not a sitemap", reason="not_a_sitemap")
    data, repaired = xml_to_utf8(data, response.charset)
    try:
        scan = _scan(data)
    except UnsafeXML as exc:
        raise refuse_unsafe(url, exc) from None
    if scan.root not in ("urlset", "sitemapindex"):
        found = f"<{scan.root}>" if scan.root else f"no XML root ({scan.error})"
        raise DiscoverError(
            url, f"not a sitemap: found {found}, expected <urlset> or <sitemapindex>",
            reason="not_a_sitemap",
        )  # fmt: skip
    if scan.error and not scan.entries:
        raise DiscoverError(url, f"sitemap is malformed: {scan.error}", reason="malformed_xml")
    collector = Collector.for_endpoint(endpoint, response, source_id)
    if repaired:
        collector.skip("bad_bytes")
    if scan.error:
        log.warning("%s: sitemap breaks off (%s); kept the entries before it", url, scan.error)
        collector.skip("xml_error")
    collector.skip("over_limit", scan.dropped)
    host = urlsplit(url).hostname or ""
    if scan.root == "sitemapindex":
        return _index(scan.entries, collector, host=host, now=now)
    for entry in scan.entries:
        if not entry.loc.strip():
            collector.skip("no_link")
            continue
        published, reason = parse_date(entry.published or entry.lastmod, host=host, now=now)
        collector.skip(reason or "")
        collector.add(entry.loc, title=clean_title(entry.title, is_html=True), published=published)
    return collector.result(endpoint.max_items)


def _index(entries: list[_Entry], collector: Collector, *, host: str, now: datetime) -> Discovery:
    """The child sitemaps, newest ``lastmod`` first (undated ones after), at most five:
    an index lists every month back to the site's launch, and only the latest matter."""
    dated: list[tuple[datetime, str]] = []
    undated: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        child = collector.url(entry.loc)
        if child is None or child in seen:
            continue
        seen.add(child)
        when, _ = parse_date(entry.lastmod, host=host, now=now)
        if when is None:
            undated.append(child)
        else:
            dated.append((when, child))
    dated.sort(key=lambda pair: pair[0], reverse=True)
    children = [c for _, c in dated] + undated
    if len(children) > MAX_CHILDREN:
        collector.skip("over_limit", len(children) - MAX_CHILDREN)
    return collector.result(0, children=tuple(children[:MAX_CHILDREN]))


def _scan(data: bytes) -> _Scan:
    """Stream the document once, collecting ``<url>``/``<sitemap>`` entries. An XML error
    ends the scan and is recorded, keeping the entries completed before it."""
    scan = _Scan()
    parser = new_parser()
    path: list[str] = []
    current: _Entry | None = None
    text: list[str] = []

    def start(name: str, _attrs: dict[str, str]) -> None:
        nonlocal current
        tag = local(name)
        if scan.root is None:
            scan.root = tag
            if tag not in ("urlset", "sitemapindex"):
                raise _NotSitemap
        if len(path) == 1 and tag in ("url", "sitemap"):
            current = _Entry()
        path.append(tag)
        text.clear()

    def end(name: str) -> None:
        nonlocal current
        tag = path.pop()
        if current is not None:
            parent = path[-1] if path else ""
            value = "".join(text).strip()
            if len(path) == 1 and tag in ("url", "sitemap"):
                if len(scan.entries) < MAX_ENTRIES:
                    scan.entries.append(current)
                else:
                    scan.dropped += 1
                current = None
            elif parent in ("url", "sitemap") and tag == "loc":
                current.loc = value
            elif parent in ("url", "sitemap") and tag == "lastmod":
                current.lastmod = value
            elif parent == "news" and tag == "publication_date":
                current.published = value
            elif parent == "news" and tag == "title":
                current.title = value
        text.clear()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    try:
        parser.Parse(data, True)
    except _NotSitemap:
        pass
    except (expat.ExpatError, LookupError, ValueError) as exc:  # unknown or multi-byte codec
        scan.error = str(exc)
    return scan


class _NotSitemap(Exception):
    """The root element is something else; stop reading."""
