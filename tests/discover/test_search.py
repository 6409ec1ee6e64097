"""GDELT and Google News: the request the pipeline sends, and what the answers mean."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from monitor.config import Endpoint
from monitor.discover import Discovery, endpoint_url
from monitor.discover.search import split_publisher
from monitor.errors import DiscoverError

Discover = Callable[..., Discovery]
GDELT = "https://api.gdeltproject.org/api/v2/doc/doc"
QUERY = '("north korea" OR dprk OR pyongyang) (russia OR kursk OR moscow)'
RATE_TEXT = (
    "Please limit requests to one every 5 seconds or contact kalev.leetaru5@gmail.com "
    "for larger queries."
)


def gdelt(discover: Discover, body: str, **kwargs: object) -> Discovery:
    kwargs.setdefault("content_type", "application/json")
    return discover(body, kind="gdelt", url=GDELT, query=QUERY, **kwargs)


def test_gdelt_request_carries_the_query_and_artlist_parameters(now: datetime) -> None:
    url = endpoint_url(Endpoint(kind="gdelt", url=GDELT, query=QUERY, max_items=100), now=now)
    params = parse_qs(urlsplit(url).query)
    assert params == {
        "query": [QUERY],
        "mode": ["artlist"],
        "format": ["json"],
        "maxrecords": ["100"],
        "sort": ["DateDesc"],
        "timespan": ["1d"],
    }
    assert " " not in url and '"' not in url


def test_gdelt_never_asks_for_more_than_250_and_keeps_pinned_parameters(now: datetime) -> None:
    endpoint = Endpoint(kind="gdelt", url=GDELT + "?timespan=3h&sort=HybridRel", query=QUERY,
                        max_items=1000)  # fmt: skip
    params = parse_qs(urlsplit(endpoint_url(endpoint, now=now)).query)
    assert params["maxrecords"] == ["250"]
    assert params["timespan"] == ["3h"] and params["sort"] == ["HybridRel"]


@pytest.mark.parametrize("status", [200, 429])
def test_gdelt_rate_limit_text_is_an_error_to_back_off_from(
    discover: Discover, status: int
) -> None:
    with pytest.raises(DiscoverError) as err:
        gdelt(discover, RATE_TEXT, content_type="text/html", status=status)
    assert err.value.reason == "rate_limited"


def test_gdelt_empty_object_means_no_results(discover: Discover) -> None:
    found = gdelt(discover, "{}")
    assert found.links == () and dict(found.skipped) == {}


def test_gdelt_plain_text_complaint_about_the_query_is_an_error(discover: Discover) -> None:
    with pytest.raises(DiscoverError) as err:
        gdelt(discover, "The specified phrase is too short.", content_type="text/html")
    assert err.value.reason == "not_json"
    assert "too short" in err.value.message


def test_gdelt_json_with_raw_control_characters_and_bad_escapes_is_still_read(
    discover: Discover,
) -> None:
    body = (
        '{"articles": [{"url": "https://www.example.org/a", '
        '"title": "Line\tbreak and a \\\' quote", "seendate": "20241024T051500Z"}]}'
    )
    found = gdelt(discover, body)
    assert [lk.url for lk in found.links] == ["https://www.example.org/a"]
    assert found.links[0].published is None  # seendate is not a publication date


def test_gdelt_records_without_a_url_are_counted(discover: Discover) -> None:
    found = gdelt(
        discover, '{"articles": [{"title": "no url"}, "junk", {"url": "https://x.org/a"}]}'
    )
    assert [lk.url for lk in found.links] == ["https://x.org/a"]
    assert found.skipped == {"no_link": 2}


def test_google_news_request_adds_the_query_to_the_edition_parameters(now: datetime) -> None:
    endpoint = Endpoint(
        kind="google_news",
        url="https://news.google.com/rss/search?hl=ru&gl=RU&ceid=RU:ru",
        query="КНДР (Россия OR Курск) when:1d",
    )
    url = endpoint_url(endpoint, now=now)
    assert url.startswith("https://news.google.com/rss/search?q=%D0%9A%D0%9D%D0%94%D0%A0%20%28")
    assert parse_qs(urlsplit(url).query) == {
        "q": ["КНДР (Россия OR Курск) when:1d"],
        "hl": ["ru"],
        "gl": ["RU"],
        "ceid": ["RU:ru"],
    }


def test_google_news_query_replaces_one_written_in_the_url(now: datetime) -> None:
    endpoint = Endpoint(
        kind="google_news",
        url="https://news.google.com/rss/search?q=old&hl=en-US&gl=US&ceid=US:en",
        query="site:kyivindependent.com",
    )
    params = parse_qs(urlsplit(endpoint_url(endpoint, now=now)).query)
    assert params["q"] == ["site:kyivindependent.com"]


@pytest.mark.parametrize(
    ("title", "source", "expected"),
    [
        ("Troops reach Kursk - Reuters", "Reuters", ("Troops reach Kursk", "Reuters")),
        ("A - B - The Herald", "The Herald", ("A - B", "The Herald")),
        ("Troops reach Kursk - Reuters", None, ("Troops reach Kursk", "Reuters")),
        ("No suffix here", "Reuters", ("No suffix here", "Reuters")),
        ("Plain title", None, ("Plain title", None)),
        (None, "TASS", (None, "TASS")),
    ],
)
def test_the_publisher_suffix_is_cut_off_google_news_titles(
    title: str | None, source: str | None, expected: tuple[str | None, str | None]
) -> None:
    assert split_publisher(title, source) == expected
