"""The URL fetched for a feed, sitemap or listing endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from monitor.config import Endpoint
from monitor.discover import endpoint_url


def test_feed_urls_are_fetched_as_configured() -> None:
    endpoint = Endpoint(kind="rss", url="https://rss.dw.com/rdf/rss-en-world")
    assert endpoint_url(endpoint, now=datetime(2024, 10, 24, tzinfo=UTC)) == endpoint.url


def test_monthly_sitemaps_get_the_current_year_and_month_in_utc() -> None:
    endpoint = Endpoint(
        kind="sitemap", url="https://edition.cnn.com/sitemaps/article-{YYYY}-{MM}.xml"
    )
    # 00:30 on 1 November in Seoul is still October in UTC
    seoul_now = datetime(2024, 11, 1, 0, 30, tzinfo=timezone(timedelta(hours=9)))
    assert endpoint_url(endpoint, now=seoul_now) == (
        "https://edition.cnn.com/sitemaps/article-2024-10.xml"
    )
