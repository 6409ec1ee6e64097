"""Global search services: GDELT DOC 2.0 (artlist JSON) and Google News RSS search.

GDELT's ``seendate`` is when GDELT's crawler saw a page, not when it was published: it
can lag by days for a re-crawled piece. A wrong date is worse than none (the digest
buckets pieces by week), so GDELT links carry ``published=None`` and the extractor finds
the real date on the page. The API's rate limiter answers "Please limit requests to one
every 5 seconds…" — sometimes with HTTP 200 — which becomes ``DiscoverError(reason=
"rate_limited")`` so the pipeline backs off instead of recording "no results".

Google News links are ``news.google.com/rss/articles/…`` redirect tokens; the outlet that
published the piece is in ``<source url="…">Name</source>`` and, again, at the end of the
title (" - Reuters"). That suffix is cut off the title and both go to ``Link.publisher`` /
``Link.publisher_url``, which is what the pipeline credits the link to.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime

from monitor.config import Endpoint
from monitor.errors import DiscoverError
from monitor.models import Response

from .body import payload
from .collect import Collector, Discovery
from .feeds import items_to_read, read_items
from .text import clean_title

log = logging.getLogger(__name__)

_RATE_LIMITED = re.compile(r"limit requests|rate limit|too many requests", re.I)
_BAD_ESCAPE = re.compile(r"\\(?![\"\\/bfnrtu])")
_PUBLISHER_SUFFIX = re.compile(r"\s+[-–—|]\s+([^-–—|]{1,80})$")


def parse_gdelt(
    endpoint: Endpoint, response: Response, *, source_id: str, now: datetime
) -> Discovery:
    url = response.final_url
    text = payload(response.body, url).decode("utf-8", errors="replace").strip().lstrip("\ufeff")
    if response.status == 429 or (_RATE_LIMITED.search(text[:300]) and not text.startswith("{")):
        raise DiscoverError(url, f"GDELT rate limit: {text[:120]!r}", reason="rate_limited")
    if not text:
        raise DiscoverError(url, "GDELT answered with an empty body", reason="empty")
    if not text.startswith("{"):
        # GDELT explains a rejected query in plain text ("keyword too short", …).
        raise DiscoverError(url, f"GDELT did not answer JSON: {text[:200]!r}", reason="not_json")
    document = _loads_lenient(text, url)
    articles = document.get("articles") if isinstance(document, dict) else None
    collector = Collector.for_endpoint(endpoint, response, source_id)
    if articles is None:  # "{}" is GDELT's way of saying "nothing matched"
        return collector.result(endpoint.max_items)
    if not isinstance(articles, list):
        raise DiscoverError(url, "GDELT 'articles' is not a list", reason="bad_json")
    for article in articles:
        if not isinstance(article, dict) or not isinstance(article.get("url"), str):
            collector.skip("no_link")
            continue
        title = article.get("title")
        collector.add(article["url"], title=clean_title(title if isinstance(title, str) else None))
    return collector.result(endpoint.max_items)


def _loads_lenient(text: str, url: str) -> object:
    """GDELT's JSON is known to carry raw control characters and stray backslashes from
    scraped titles; accept both before giving up."""
    for candidate in (text, _BAD_ESCAPE.sub(r"\\\\", text)):
        try:
            return json.loads(candidate, strict=False)
        except json.JSONDecodeError as exc:
            error = exc
    raise DiscoverError(url, f"GDELT JSON is malformed ({error})", reason="bad_json")


def parse_google_news(
    endpoint: Endpoint, response: Response, *, source_id: str, now: datetime
) -> Discovery:
    collector = Collector.for_endpoint(endpoint, response, source_id)
    keep = items_to_read(endpoint.max_items)
    for item in read_items(response, collector, now=now, keep=keep):
        if not item.link:
            collector.skip("no_link")
            continue
        title, publisher = split_publisher(item.title, item.source_name)
        collector.add(
            item.link,
            title=title,
            published=item.published,
            summary=_useful_summary(item.summary, (item.title, title, publisher)),
            publisher=publisher,
            publisher_url=collector.url(item.source_url) if item.source_url else None,
        )
    return collector.result(endpoint.max_items)


def split_publisher(title: str | None, source_name: str | None) -> tuple[str | None, str | None]:
    """``"Headline - Reuters"`` → ``("Headline", "Reuters")``. The ``<source>`` name wins
    when present; without it a short trailing " - Name" is taken as the publisher."""
    if not title:
        return title, source_name
    if source_name:
        for sep in (" - ", " – ", " — ", " | "):
            suffix = sep + source_name
            if title.endswith(suffix) and len(title) > len(suffix):
                return title[: -len(suffix)].rstrip(), source_name
        return title, source_name
    match = _PUBLISHER_SUFFIX.search(title)
    if match and match.start() > 0:
        return title[: match.start()].rstrip(), match.group(1).strip()
    return title, None


def _useful_summary(summary: str | None, known: tuple[str | None, ...]) -> str | None:
    """Google's description is usually the title again plus the publisher's name; such
    a "summary" would only mislead the keyword prefilter, so it is dropped."""
    if not summary:
        return None
    rest = summary
    for part in known:
        if part:
            rest = rest.replace(part, " ")
    return summary if len(rest.strip(" \xa0-–—|")) > 20 else None
