"""A replay of the demo finds each source's endpoint and, through it, that source's pieces."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urljoin

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from monitor.urls import canonical_url

# Sources the demo serves (google_news is not served: replay reports it "not in archive").
SERVED_SOURCES = (
    "riac_en",
    "riac_ru",
    "tass_en",
    "guancha",
    "global_times",
    "reuters",
    "ap",
    "bbc",
    "guardian",
    "dw",
    "north38",
    "nknews",
    "yonhap_en",
    "kyiv_independent",
    "gdelt",
)


def _canon(articles: list[dict], source: str) -> set[str]:
    return {canonical_url(a["url"]) for a in articles if a["source_id"] == source}


@pytest.mark.parametrize("source_id", SERVED_SOURCES)
def test_first_endpoint_of_each_source_in_sources_yaml_is_answered(
    source_id, sources, captures, manifest
) -> None:
    endpoint = sources.source(source_id).discovery[0]
    url = manifest["gdelt"]["url"] if endpoint.kind == "gdelt" else endpoint.url
    # the fetcher asks for the URL as httpx serialises it
    assert str(httpx.URL(url)) == url
    assert url in captures, f"{source_id}: {url} is not in the archive"
    assert captures[url].status == 200


def test_gdelt_answer_is_recorded_for_the_query_in_sources_yaml(sources, manifest) -> None:
    endpoint = sources.source("gdelt").discovery[0]
    assert manifest["gdelt"]["query"] == endpoint.query
    assert manifest["gdelt"]["url"].startswith(endpoint.url + "?")
    assert httpx.URL(manifest["gdelt"]["url"]).params["query"] == endpoint.query


def test_feeds_list_every_piece_of_their_source(feed_items, articles) -> None:
    listed = set(feed_items)
    for source in (
        "riac_en",
        "riac_ru",
        "tass_en",
        "global_times",
        "bbc",
        "guardian",
        "north38",
        "nknews",
        "yonhap_en",
        "kyiv_independent",
    ):
        missing = _canon(articles, source) - listed
        assert not missing, f"{source}: not in its feed: {missing}"
    dw_in_feed = {canonical_url(a["url"]) for a in articles if a["source_id"] == "dw"} & listed
    assert len(dw_in_feed) == 2  # the third DW piece is found only through GDELT


def test_a_relative_feed_link_resolves_to_the_served_page(captures, articles) -> None:
    relative = [a for a in articles if a.get("feed_url", "").startswith("/")]
    assert len(relative) == 1
    a = relative[0]
    assert (
        urljoin("https://russiancouncil.ru/rss/analytics-and-comments/", a["feed_url"]) == a["url"]
    )
    assert captures[a["url"]].status == 200


def test_yonhap_feed_dates_are_korean_time_without_a_zone(feed_items, articles) -> None:
    for a in (a for a in articles if a["source_id"] == "yonhap_en"):
        item = feed_items[canonical_url(a["url"])]
        local = datetime.fromisoformat(a["published"]).astimezone(timezone(timedelta(hours=9)))
        assert item["published"] == local.strftime("%a, %d %b %Y %H:%M:%S")  # no zone


def test_reuters_sitemap_index_leads_to_a_news_sitemap_of_its_pieces(captures, articles) -> None:
    index = LexborHTMLParser(
        captures[
            "https://www.reuters.com/arc/outboundfeeds/news-sitemap-index/?outputType=xml"
        ].text
    )
    children = [n.text(strip=True) for n in index.css("loc")]
    assert len(children) == 1 and children[0] in captures
    locs = re.findall(r"<loc>([^<]+)</loc>", captures[children[0]].text)
    assert _canon(articles, "reuters") <= {canonical_url(u.rstrip("/") + "/") for u in locs}
    redirected = [u for u in locs if captures.get(u) and captures[u].status == 301]
    assert len(redirected) == 1, "one sitemap URL answers 301 to its canonical form"
    target = captures[redirected[0]].headers["location"]
    assert captures[target].status == 200


@pytest.mark.parametrize("source_id", ["guancha", "ap"])
def test_listing_pages_yield_the_pieces_with_the_configured_selector(
    source_id, sources, captures, articles
) -> None:
    endpoint = sources.source(source_id).discovery[0]
    tree = LexborHTMLParser(captures[endpoint.url].text)
    links = {
        urljoin(endpoint.url, n.attributes.get("href") or "")
        for n in tree.css(endpoint.link_selector)
    }
    if endpoint.link_pattern:
        links = {u for u in links if re.match(endpoint.link_pattern, u)}
    assert {canonical_url(u) for u in links} == _canon(articles, source_id)


def test_gdelt_artlist_points_at_other_outlets_and_a_known_one(
    captures, manifest, articles
) -> None:
    answer = json.loads(captures[manifest["gdelt"]["url"]].body)
    urls = {a["url"] for a in answer["articles"]}
    others = {a["url"] for a in articles if a["source_id"] == "gdelt"}
    assert others <= urls and len(others) >= 3
    assert any("dw.com" in u for u in urls - others)
    for item in answer["articles"]:
        assert re.fullmatch(r"\d{8}T\d{6}Z", item["seendate"])
        assert item["url"] in captures and captures[item["url"]].status == 200


def test_guardian_lists_one_piece_in_both_of_its_feeds(captures) -> None:
    nk = captures["https://www.theguardian.com/world/north-korea/rss"].text
    ru = captures["https://www.theguardian.com/world/russia/rss"].text
    links = lambda t: set(re.findall(r"<link>([^<]+/\d{4}/[a-z]{3}/\d+/[^<]+)</link>", t))  # noqa: E731
    assert len(links(nk) & links(ru)) == 1


def test_gdelt_answer_sits_at_the_url_the_discover_stage_builds(sources, manifest) -> None:
    from monitor.discover.endpoints import endpoint_url

    built = endpoint_url(
        sources.source("gdelt").discovery[0], now=datetime(2024, 11, 4, tzinfo=UTC)
    )
    assert built == manifest["gdelt"]["url"], "rebuild the demo archive for the new GDELT URL"
