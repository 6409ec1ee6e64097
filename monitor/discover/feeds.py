"""RSS 0.9x/2.0, RSS 1.0 (RDF, as DW writes it) and Atom, read with feedparser.

feedparser is lenient on purpose, and so is this module: a feed that is not well-formed
("bozo") but still yields items is used, and the damage is counted. What is refused is a
body that is no feed at all — an HTML error page, a consent wall, an empty body — because
treating it as "no new items" would hide a broken source for weeks.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser

from monitor.config import Endpoint
from monitor.errors import DiscoverError
from monitor.models import Response

from .body import looks_like_html, read_payload, valid_char_refs, xml_to_utf8
from .collect import Collector, Discovery
from .dates import parse_date
from .text import clean_summary, clean_title
from .xmlscan import cut_feed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedItem:
    """One feed entry, cleaned but not yet checked as a link."""

    link: str | None
    title: str | None
    published: datetime | None
    summary: str | None
    source_name: str | None = None  # RSS <source>: the original publisher (Google News)
    source_url: str | None = None


def items_to_read(max_items: int) -> int:
    """How many items of a huge feed are parsed at all: twice ``max_items`` (at least a
    hundred), so a feed that is not in date order still yields its newest pieces."""
    return max(2 * max_items, 100)


def parse_feed(
    endpoint: Endpoint, response: Response, *, source_id: str, now: datetime
) -> Discovery:
    collector = Collector.for_endpoint(endpoint, response, source_id)
    for item in read_items(response, collector, now=now, keep=items_to_read(endpoint.max_items)):
        if not item.link:
            collector.skip("no_link")
            continue
        collector.add(item.link, title=item.title, published=item.published, summary=item.summary)
    found = collector.result(endpoint.max_items)
    if not found.links and found.skipped.get("bozo"):
        # a broken feed that yields nothing usable is a fault to show in the source's
        # status, not a quiet day
        raise DiscoverError(
            response.final_url,
            "the feed is broken (not well-formed) and gave no usable item",
            reason="malformed_feed",
        )
    return found


def read_items(
    response: Response, collector: Collector, *, now: datetime, keep: int
) -> Iterator[FeedItem]:
    """The entries of the feed in ``response``, at most ``keep`` of them; damage and
    refused dates are counted on ``collector``. Raises DiscoverError (``not_a_feed``,
    ``malformed_feed``) when the body yields no entries and is not a well-formed feed."""
    url = response.final_url
    data = read_payload(response, what="feed", empty_reason="not_a_feed")
    utf8, repaired = xml_to_utf8(data, response.charset)
    if repaired:
        log.warning("%s: feed has bytes that are not UTF-8; they were replaced", url)
        collector.skip("bad_bytes")
    headers = {"content-location": url}
    if utf8 is not data:
        headers["content-type"] = "application/xml; charset=utf-8"
    elif "content-type" in response.headers:
        headers["content-type"] = response.headers["content-type"]
    utf8, cut, broken = cut_feed(utf8, keep)
    collector.skip("over_limit", cut)
    if broken:
        log.warning("%s: feed breaks off after its first %d items; read those", url, keep)
        collector.skip("bozo")
    parsed = _feedparser(url, valid_char_refs(utf8), headers)
    entries = parsed.get("entries") or []
    if not entries:
        _refuse_empty(url, parsed, data)
        return
    if parsed.get("bozo"):
        log.warning(
            "%s: feed is not well-formed (%s); read leniently", url, parsed.get("bozo_exception")
        )
        collector.skip("bozo")
    host = urlsplit(url).hostname or ""
    collector.skip("over_limit", max(0, len(entries) - keep))  # when the pre-cut could not cut
    for entry in entries[:keep]:
        yield _item(entry, host=host, now=now, collector=collector)


def _feedparser(url: str, data: bytes, headers: dict[str, str]) -> Any:
    """feedparser on ``data``. Its lenient parser has crashed on hostile documents
    (KeyError, UnicodeEncodeError deep inside it); such a body is a broken feed to report,
    not a defect of ours, so the crash becomes a DiscoverError naming it."""
    try:
        # Wrapped in BytesIO: feedparser treats a bare string as a possible URL or path.
        return feedparser.parse(
            io.BytesIO(data),
            response_headers=headers,
            sanitize_html=False,  # summaries are reduced to plain text here anyway
            resolve_relative_uris=False,
        )
    except Exception as exc:  # any crash inside the third-party parser
        log.warning("%s: feedparser failed on this body", url, exc_info=True)
        raise DiscoverError(
            url, f"feed cannot be parsed ({type(exc).__name__}: {exc})", reason="malformed_feed"
        ) from exc


def _refuse_empty(url: str, parsed: Any, data: bytes) -> None:
    """No entries: fine for a well-formed, quiet feed; an error for anything else."""
    version = parsed.get("version") or ""
    if version and not parsed.get("bozo"):
        return
    if looks_like_html(data):
        raise DiscoverError(url, "the body is an HTML page, not a feed", reason="not_a_feed")
    if not version:
        problem = parsed.get("bozo_exception") or "no RSS/RDF/Atom root element"
        raise DiscoverError(url, f"not a feed ({problem})", reason="not_a_feed")
    raise DiscoverError(
        url, f"{version} feed is broken before its first item ({parsed.get('bozo_exception')})",
        reason="malformed_feed",
    )  # fmt: skip


def _item(entry: Any, *, host: str, now: datetime, collector: Collector) -> FeedItem:
    title_detail = entry.get("title_detail") or {}
    title = clean_title(entry.get("title"), is_html="html" in (title_detail.get("type") or ""))
    raw_date, parsed_date = _date_fields(entry)
    published, reason = parse_date(raw_date, host=host, now=now, fallback=parsed_date)
    if reason:
        collector.skip(reason)
    summary = entry.get("summary")
    if not summary and entry.get("content"):
        summary = entry["content"][0].get("value")
    source = entry.get("source") or {}
    return FeedItem(
        link=_link(entry),
        title=title,
        published=published,
        summary=clean_summary(summary),
        source_name=clean_title(source.get("title"), is_html=False),
        source_url=source.get("href") or None,
    )


def _link(entry: Any) -> str | None:
    """The page the entry is about: FeedBurner's original link, the alternate link, a
    permalink guid (feedparser copies it to ``link``), or any HTML link of the entry."""
    for candidate in (entry.get("feedburner_origlink"), entry.get("link")):
        if candidate and candidate.strip():
            return str(candidate)
    for link in entry.get("links") or []:
        if link.get("href") and link.get("rel") in (None, "alternate", "related"):
            return str(link["href"])
    return None


def _date_fields(entry: Any) -> tuple[str | None, Any]:
    for key in ("published", "updated", "created"):
        if entry.get(key):
            return str(entry[key]), entry.get(f"{key}_parsed")
    return None, None
