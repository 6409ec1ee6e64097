"""Discover stage: where a source's new pieces are found (feeds, sitemaps, listing pages,
GDELT, Google News). Pure: it builds URLs and parses responses; the pipeline fetches.

    url = endpoint_url(endpoint, now=now)
    discovery = parse(endpoint, response, source_id=source.id, now=now)
    discovery.links      # tuple[Link, ...], newest first, deduplicated, ≤ max_items
    discovery.children   # more URLs of the same endpoint to fetch and parse
    discovery.skipped    # reason -> count
"""

from .collect import Discovery
from .core import parse
from .endpoints import endpoint_url

__all__ = ["Discovery", "endpoint_url", "parse"]
