"""The discover stage's entry point: one response in, candidate links out.

The stage does no I/O. The pipeline asks ``endpoint_url`` what to fetch, fetches it with
the fetch stage, and hands the ``Response`` to ``parse``, which dispatches on the
endpoint's kind. ``Discovery.children`` (a sitemap index's sitemaps) are fetched and
parsed the same way, with the same endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from monitor.config import Endpoint
from monitor.errors import DiscoverError
from monitor.models import Response

from .collect import Discovery
from .feeds import parse_feed
from .listing import parse_listing
from .search import parse_gdelt, parse_google_news
from .sitemaps import parse_sitemap

Parser = Callable[..., Discovery]

PARSERS: dict[str, Parser] = {
    "rss": parse_feed,
    "atom": parse_feed,  # feedparser reads either; a mislabelled endpoint still works
    "sitemap": parse_sitemap,
    "listing": parse_listing,
    "gdelt": parse_gdelt,
    "google_news": parse_google_news,
}


def parse(endpoint: Endpoint, response: Response, *, source_id: str, now: datetime) -> Discovery:
    """Candidate links in ``response``, fetched from ``endpoint``.

    A 304 answer to a conditional GET means nothing changed: no links, no error. Raises
    ``DiscoverError`` (with a ``reason``) when the body is not what the kind promises at
    all; damage short of that is counted in ``Discovery.skipped``.
    """
    if response.not_modified:
        return Discovery(links=())
    if response.status >= 400 and endpoint.kind != "gdelt":  # GDELT explains its 429s
        raise DiscoverError(
            response.final_url, f"HTTP {response.status} is not a {endpoint.kind}", reason="status"
        )
    return PARSERS[endpoint.kind](endpoint, response, source_id=source_id, now=now)
