"""What every discoverer does with a candidate link, whatever the endpoint's kind.

A feed item, a sitemap ``<url>``, a listing anchor and a GDELT article all become a
``Link`` through one ``Collector``: the URL is cleaned and made absolute, checked against
the endpoint's pattern (and, for listings, the site), deduplicated by its canonical form,
and finally the newest ``max_items`` are kept. Every refusal is counted under a reason, so
the per-source status row can say *why* a feed of 40 items gave 12 links.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlsplit

from monitor.config import Endpoint
from monitor.models import Link, Response
from monitor.urls import canonical_url

from .text import absolute_url, clean_href, is_asset, is_home_page, site_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Discovery:
    """What one discovery response yielded.

    ``children`` are more URLs of the same endpoint to fetch and parse the same way (a
    sitemap index's sitemaps). ``skipped`` counts, per reason, candidates refused or
    details dropped: ``no_link``, ``not_http``, ``off_pattern``, ``off_site``, ``asset``,
    ``home_page``, ``duplicate``, ``over_limit`` drop a candidate; ``date_unparsed``,
    ``date_future``, ``date_too_old`` drop only its date; ``bozo``, ``bad_bytes``,
    ``xml_error`` note a damaged document that was still read.
    """

    links: tuple[Link, ...]
    children: tuple[str, ...] = ()
    skipped: Mapping[str, int] = field(default_factory=dict)


class Collector:
    """Accumulates links for one parse; ``result()`` turns them into a ``Discovery``."""

    def __init__(
        self,
        *,
        base_url: str,
        source_id: str,
        via: str,
        pattern: str | None = None,
        same_site_as: str | None = None,
    ) -> None:
        self.base_url = base_url
        self.source_id = source_id
        self.via = via
        self.pattern = re.compile(pattern) if pattern else None
        # Listings keep links on the page's own site (unless a pattern says otherwise).
        self._site = site_of(urlsplit(same_site_as).hostname or "") if same_site_as else None
        self.skipped: Counter[str] = Counter()
        self._links: dict[str, Link] = {}  # canonical URL -> link, in document order

    @classmethod
    def for_endpoint(
        cls, endpoint: Endpoint, response: Response, source_id: str, *, same_site: bool = False
    ) -> Collector:
        """The usual collector: links resolved against where the response came from,
        credited to ``source_id`` and to the endpoint's configured URL."""
        return cls(
            base_url=response.final_url,
            source_id=source_id,
            via=endpoint.url,
            pattern=endpoint.link_pattern,
            same_site_as=response.final_url if same_site else None,
        )

    def skip(self, reason: str, count: int = 1) -> None:
        if reason and count:
            self.skipped[reason] += count

    def url(self, raw: str | None) -> str | None:
        """``raw`` cleaned and made absolute, or None (the refusal counted)."""
        href = clean_href(raw)
        if not href:
            self.skip("no_link")
            return None
        url = absolute_url(href, self.base_url)
        if url is None:
            self.skip("not_http")
            return None
        return url

    def add(
        self,
        raw_url: str | None,
        *,
        title: str | None = None,
        published: datetime | None = None,
        summary: str | None = None,
        publisher: str | None = None,
        publisher_url: str | None = None,
    ) -> bool:
        """Offer one candidate; True when it was taken (new or merged into a duplicate)."""
        url = self.url(raw_url)
        if url is None:
            return False
        if not self._wanted(url):
            return False
        link = Link(
            url=url,
            source_id=self.source_id,
            title=title,
            published=published,
            summary=summary,
            via=self.via,
            publisher=publisher,
            publisher_url=publisher_url,
        )
        key = canonical_url(url)
        seen = self._links.get(key)
        if seen is None:
            self._links[key] = link
            return True
        self.skip("duplicate")
        # A listing often links a piece twice (picture, then headline): keep the first
        # position but fill in what the first mention lacked.
        self._links[key] = replace(
            seen,
            title=seen.title or title,
            published=seen.published or published,
            summary=seen.summary or summary,
            publisher=seen.publisher or publisher,
            publisher_url=seen.publisher_url or publisher_url,
        )
        return True

    def _wanted(self, url: str) -> bool:
        if is_asset(url):
            self.skip("asset")
            return False
        if self.pattern is not None:
            parts = urlsplit(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if not (self.pattern.search(url) or self.pattern.search(path)):
                self.skip("off_pattern")
                return False
            return True  # an explicit pattern decides, even across sites
        if self._site is not None:
            if is_home_page(url):
                self.skip("home_page")
                return False
            if site_of(urlsplit(url).hostname or "") != self._site:
                self.skip("off_site")
                return False
        return True

    def result(self, max_items: int, children: tuple[str, ...] = ()) -> Discovery:
        """The kept links, newest first where dates are known (undated ones after them, in
        document order), at most ``max_items``."""
        links = list(self._links.values())
        dated = sorted((lk for lk in links if lk.published), key=_newest_first)
        ordered = dated + [lk for lk in links if lk.published is None]
        if len(ordered) > max_items:
            self.skip("over_limit", len(ordered) - max_items)
            ordered = ordered[:max_items]
        if self.skipped:
            log.debug("%s: skipped %s", self.via, dict(self.skipped))
        return Discovery(links=tuple(ordered), children=children, skipped=dict(self.skipped))


def _newest_first(link: Link) -> float:
    assert link.published is not None
    return -link.published.timestamp()
