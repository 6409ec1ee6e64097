"""Listing pages: the headline anchors of a section page (or a JSON list API) become links;
navigation, scripts, mail links and other sites' pages do not."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from monitor.discover import Discovery
from monitor.errors import DiscoverError

Discover = Callable[..., Discovery]
PAGE_URL = "https://russiancouncil.ru/en/analytics-and-comments/"


def listing(discover: Discover, body: bytes | str, **kwargs: object) -> Discovery:
    kwargs.setdefault("url", PAGE_URL)
    kwargs.setdefault("content_type", "text/html; charset=utf-8")
    return discover(body, kind="listing", **kwargs)


SECTION_PAGE = """<!DOCTYPE html><html><head><title>Analytics and Comments</title></head><body>
<header><a href="/en/">RIAC</a> <a href="/en/projects/">Projects</a>
  <a href="javascript:void(0)">Search</a> <a href="#main">Skip to content</a></header>
<main id="main">
  <div class="item"><a href="analytics/the-treaty-one-year-on/"><img src="/upload/cover.jpg"></a>
    <h3><a href="analytics/the-treaty-one-year-on/">The Treaty,
       One Year On</a></h3></div>
  <div class="item"><h3>
    <a href="/en/analytics-and-comments/comments/kursk-and-the-korean-factor/">Kursk and the
       Korean Factor</a></h3></div>
  <div class="item"><a href="/upload/reports/report-96.pdf">Report 96 (PDF)</a></div>
  <div class="item"><a href="/upload/images/map.png">Map</a></div>
</main>
<footer><a href="mailto:welcome@example.org">Write to us</a>
  <a href="https://twitter.com/russian_council">Twitter</a>
  <a href="https://en.example-partner.org/news/">Partner</a></footer>
</body></html>"""


def test_without_a_selector_every_same_site_link_is_a_candidate(discover: Discover) -> None:
    found = listing(discover, SECTION_PAGE)
    assert [(lk.url, lk.title) for lk in found.links] == [
        ("https://russiancouncil.ru/en/projects/", "Projects"),
        (PAGE_URL + "analytics/the-treaty-one-year-on/", "The Treaty, One Year On"),
        (PAGE_URL + "comments/kursk-and-the-korean-factor/", "Kursk and the Korean Factor"),
        ("https://russiancouncil.ru/upload/reports/report-96.pdf", "Report 96 (PDF)"),
    ]
    assert all(lk.published is None for lk in found.links)
    assert dict(found.skipped) == {
        "not_http": 3,  # javascript:, #main, mailto:
        "home_page": 1,
        "off_site": 2,
        "asset": 1,
        "duplicate": 1,  # picture link, then headline link: the headline's title is kept
    }


def test_the_endpoint_pattern_picks_the_articles(discover: Discover) -> None:
    pattern = r"^https://russiancouncil\.ru/en/analytics-and-comments/(analytics|comments)/[^/]+/$"
    found = listing(discover, SECTION_PAGE, link_pattern=pattern)
    assert [lk.title for lk in found.links] == [
        "The Treaty, One Year On",
        "Kursk and the Korean Factor",
    ]


def test_a_pattern_may_reach_beyond_the_site(discover: Discover) -> None:
    found = listing(discover, SECTION_PAGE, link_pattern=r"example-partner\.org/news/")
    assert [lk.url for lk in found.links] == ["https://en.example-partner.org/news/"]


def test_subdomains_of_the_same_outlet_count_as_the_same_site(discover: Discover) -> None:
    page = """<html><body>
      <h4 class="module-title"><a href="https://user.guancha.cn/main/content?id=1234">风闻</a></h4>
      <h4 class="module-title"><a href="https://www.guancha.com.example/fake">假</a></h4>
    </body></html>"""
    found = listing(
        discover, page, url="https://www.guancha.cn/internation/list_1.shtml",
        link_selector="h4.module-title",
    )  # fmt: skip
    assert [lk.url for lk in found.links] == ["https://user.guancha.cn/main/content?id=1234"]
    assert found.skipped == {"off_site": 1}


def test_a_selector_that_matches_nothing_means_the_page_changed(discover: Discover) -> None:
    with pytest.raises(DiscoverError) as err:
        listing(discover, SECTION_PAGE, link_selector=".PagePromo-content bsp-custom-headline a")
    assert err.value.reason == "no_links"
    assert "bsp-custom-headline" in err.value.message


def test_a_broken_selector_is_reported(discover: Discover) -> None:
    with pytest.raises(DiscoverError) as err:
        listing(discover, SECTION_PAGE, link_selector="h4.module-title a[")
    assert err.value.reason == "bad_selector"


def test_a_page_in_a_legacy_encoding_is_read_by_its_meta_charset(discover: Discover) -> None:
    page = (
        '<html><head><meta charset="gb2312"></head><body>'
        '<h4 class="module-title"><a href="/internation/2024_10_24_1.shtml">'
        "朝鲜士兵抵达前线</a></h4>"
        "</body></html>"
    ).encode("gb2312")
    found = listing(
        discover, page, url="https://www.guancha.cn/internation/list_1.shtml",
        content_type="text/html", link_selector="h4.module-title a",
    )  # fmt: skip
    assert found.links[0].title == "朝鲜士兵抵达前线"


def test_an_empty_listing_body_is_an_error(discover: Discover) -> None:
    with pytest.raises(DiscoverError) as err:
        listing(discover, b"")
    assert err.value.reason == "empty"


# ── JSON listings ───────────────────────────────────────────────────────────────────


def test_a_section_json_api_is_walked_for_records_with_urls(discover: Discover) -> None:
    body = {
        "statusCode": 200,
        "result": {
            "articles": [
                {
                    "title": "Seoul says troops moved closer to the front",
                    "canonical_url": "/world/asia-pacific/seoul-troops-front-2024-10-24/",
                    "published_time": "2024-10-24T05:12:31Z",
                    "description": "<p>Officials briefed lawmakers.</p>",
                    "thumbnail": {"url": "https://www.reuters.com/resizer/v2/abc", "width": 1920},
                    "authors": [{"name": "A Reporter", "url": "/authors/a-reporter/"}],
                },
                {
                    "title": "Kremlin points to the treaty",
                    "canonical_url": "/world/europe/kremlin-treaty-2024-10-23/",
                    "published_time": 1729674300,
                },
            ],
            "pagination": {"size": 2, "next": "/pf/api/next"},
        },
    }
    found = listing(
        discover, json.dumps(body),
        url="https://www.reuters.com/pf/api/v3/content/fetch/articles-by-section-alias-or-id-v1",
        content_type="application/json",
    )  # fmt: skip
    assert [(lk.url, lk.title, lk.summary) for lk in found.links] == [
        ("https://www.reuters.com/world/asia-pacific/seoul-troops-front-2024-10-24/",
         "Seoul says troops moved closer to the front", "Officials briefed lawmakers."),
        ("https://www.reuters.com/world/europe/kremlin-treaty-2024-10-23/",
         "Kremlin points to the treaty", None),
    ]  # fmt: skip
    assert [lk.published.isoformat() for lk in found.links if lk.published] == [
        "2024-10-24T05:12:31+00:00",
        "2024-10-23T09:05:00+00:00",
    ]


def test_malformed_json_is_an_error(discover: Discover) -> None:
    with pytest.raises(DiscoverError) as err:
        listing(discover, '{"items": [{"TITLE": "x", "HTTP_URL": ', content_type="application/json")
    assert err.value.reason == "bad_json"


def test_an_unparseable_base_href_falls_back_to_the_page_url(discover: Discover) -> None:
    page = (
        '<html><head><base href="http://["></head><body><a href="comments/a/">A</a></body></html>'
    )
    found = listing(discover, page)
    assert [lk.url for lk in found.links] == [PAGE_URL + "comments/a/"]
