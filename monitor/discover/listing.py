"""Listing pages: a section or hub page whose anchors are the newest pieces.

The endpoint's ``link_selector`` picks the headline anchors (or elements that contain
them); without one every ``a[href]`` is a candidate and the same-site rule plus the
endpoint's ``link_pattern`` do the sorting. A configured selector that matches nothing is
an error, not an empty result: it almost always means the outlet redesigned its page (or
served a captcha), and the analyst should see that in the source's status row.

Some outlets' "listing" is a JSON API (Guancha's ``/api/gundong.htm``:
``{"items":[{"TITLE":…,"HTTP_URL":…}]}``); such bodies are walked for objects that carry
a URL-ish field and, optionally, a title, a teaser and a date.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from monitor.config import Endpoint
from monitor.errors import DiscoverError
from monitor.models import Response

from .body import html_text, looks_like_json, read_payload
from .collect import Collector, Discovery
from .dates import parse_date
from .text import clean_href, clean_summary, clean_title, collapse

log = logging.getLogger(__name__)

DEFAULT_SELECTOR = "a[href]"

# JSON field names, compared case-insensitively, in order of preference.
URL_KEYS = ("canonical_url", "http_url", "url", "link", "href", "web_url", "share_url")
TITLE_KEYS = ("title", "headline", "name")
SUMMARY_KEYS = ("description", "summary", "lead", "abstract", "intro")
DATE_KEYS = ("published_time", "publishedat", "published", "pubdate", "datepublished",
             "publish_time", "date")  # fmt: skip
_MAX_JSON_NODES = 200_000


def parse_listing(
    endpoint: Endpoint, response: Response, *, source_id: str, now: datetime
) -> Discovery:
    url = response.final_url
    data = read_payload(response, what="listing", empty_reason="empty")
    if looks_like_json(data, response.content_type):
        return _json_listing(endpoint, response, data, source_id=source_id, now=now)
    tree = LexborHTMLParser(html_text(data, response.charset))
    collector = Collector(
        base_url=_base_href(tree, url),
        source_id=source_id,
        via=endpoint.url,
        pattern=endpoint.link_pattern,
        same_site_as=url,
    )
    selector = endpoint.link_selector or DEFAULT_SELECTOR
    try:
        matched = tree.css(selector)
    except SelectolaxError as exc:
        raise DiscoverError(
            url, f"bad link_selector {selector!r}: {exc}", reason="bad_selector"
        ) from None
    anchors = [a for node in matched for a in _anchors(node)]
    if not anchors:
        what = (
            f"link_selector {selector!r} matches nothing"
            if endpoint.link_selector
            else "the page has no links"
        )
        raise DiscoverError(url, f"{what}; has the page changed?", reason="no_links")
    for anchor in anchors:
        title = collapse(anchor.text(separator=" ")) or anchor.attributes.get("title") or ""
        collector.add(anchor.attributes.get("href"), title=clean_title(title, is_html=False))
    return collector.result(endpoint.max_items)


def _anchors(node: LexborNode) -> list[LexborNode]:
    """The anchor itself, or the anchors inside an element the selector picked."""
    if node.tag == "a":
        return [node] if node.attributes.get("href") is not None else []
    return node.css("a[href]")


def _base_href(tree: LexborHTMLParser, page_url: str) -> str:
    """The page's ``<base href>`` resolved against its URL, else the URL itself."""
    base = tree.css_first("base[href]")
    href = clean_href(base.attributes.get("href")) if base is not None else ""
    if not href:
        return page_url
    try:
        resolved = urljoin(page_url, href)
        return resolved if urlsplit(resolved).scheme in ("http", "https") else page_url
    except ValueError:  # "http://[" and other unparseable hosts
        return page_url


# ── JSON listings ───────────────────────────────────────────────────────────────────


def _json_listing(
    endpoint: Endpoint, response: Response, data: bytes, *, source_id: str, now: datetime
) -> Discovery:
    url = response.final_url
    try:
        document = json.loads(data.decode("utf-8", errors="replace").lstrip("\ufeff"), strict=False)
    except json.JSONDecodeError as exc:
        raise DiscoverError(url, f"listing is not valid JSON ({exc})", reason="bad_json") from None
    collector = Collector.for_endpoint(endpoint, response, source_id, same_site=True)
    host = urlsplit(url).hostname or ""
    found = 0
    for record in _records(document):
        found += 1
        href = _first_str(record, URL_KEYS)
        published, reason = _json_date(_first(record, DATE_KEYS), host=host, now=now)
        collector.skip(reason or "")
        collector.add(
            href,
            title=clean_title(_first_str(record, TITLE_KEYS), is_html=True),
            summary=clean_summary(_first_str(record, SUMMARY_KEYS)),
            published=published,
        )
    if not found:
        log.info("%s: JSON listing holds no object with a URL field", url)
    return collector.result(endpoint.max_items)


def _records(document: Any) -> Iterator[Mapping[str, Any]]:
    """Objects with a string URL field, in document order. An object that is a record is
    not searched further (its ``image.url`` is not a piece)."""
    stack: list[Any] = [document]
    visited = 0
    while stack and visited < _MAX_JSON_NODES:
        node = stack.pop()
        visited += 1
        if isinstance(node, dict):
            lowered = {str(k).lower(): v for k, v in node.items()}
            if isinstance(_first_str(lowered, URL_KEYS), str):
                yield lowered
                continue
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def _first(record: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = record.get(key)
        if value not in (None, ""):
            return value
    return None


def _first_str(record: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _json_date(value: Any, *, host: str, now: datetime) -> tuple[datetime | None, str | None]:
    """A JSON date: a string, or Unix seconds/milliseconds (TASS's API writes numbers)."""
    if isinstance(value, bool) or value is None:
        return None, None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        try:
            stamp = datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None, "date_unparsed"
        return parse_date(stamp.isoformat(), host=host, now=now)
    if isinstance(value, str):
        return parse_date(value, host=host, now=now)
    return None, None
