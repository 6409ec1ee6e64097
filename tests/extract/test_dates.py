"""Dates in every form outlets print them, as UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from monitor.extract import extract
from monitor.extract.dates import date_from_url, local_zone, parse_date

MOSCOW_PAGE = "https://russiancouncil.ru/analytics-and-comments/analytics/x/"
UNKNOWN_PAGE = "https://news.example.com/x"
TEN_UTC = datetime(2024, 10, 23, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "url", "expected"),
    [
        ("2024-10-23T10:00:00Z", UNKNOWN_PAGE, datetime(2024, 10, 23, 10, 0, tzinfo=UTC)),
        ("2024-10-23T13:00:00+03:00", UNKNOWN_PAGE, datetime(2024, 10, 23, 10, 0, tzinfo=UTC)),
        ("2024-10-23T10:00:00.000Z", UNKNOWN_PAGE, datetime(2024, 10, 23, 10, 0, tzinfo=UTC)),
        ("Wed, 23 Oct 2024 19:00:00 +0900", UNKNOWN_PAGE, TEN_UTC),
        ("October 23, 2024 6:00 AM EDT", UNKNOWN_PAGE, datetime(2024, 10, 23, 10, 0, tzinfo=UTC)),
        # naive: the outlet's zone when known (RIAC: Moscow) …
        ("23.10.2024 13:00", MOSCOW_PAGE, datetime(2024, 10, 23, 10, 0, tzinfo=UTC)),
        ("23 октября 2024, 13:00", MOSCOW_PAGE, datetime(2024, 10, 23, 10, 0, tzinfo=UTC)),
        ("23 жовтня 2024 13:00", MOSCOW_PAGE, datetime(2024, 10, 23, 10, 0, tzinfo=UTC)),
        ("1 мая 2024", MOSCOW_PAGE, datetime(2024, 5, 1, 9, 0, tzinfo=UTC)),  # noon Moscow
        # … else UTC
        ("23.10.2024 13:00", UNKNOWN_PAGE, datetime(2024, 10, 23, 13, 0, tzinfo=UTC)),
        ("2024年10月28日 18:00", "https://www.guancha.cn/a.shtml",
         datetime(2024, 10, 28, 10, 0, tzinfo=UTC)),
        ("2024-10-28 18:00:00", "https://www.globaltimes.cn/page/202410/1.shtml",
         datetime(2024, 10, 28, 10, 0, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_dates_become_utc(value: str, url: str, expected: datetime) -> None:
    assert parse_date(value, local_zone(url)) == expected


@pytest.mark.parametrize(
    "value", ["", "yesterday", "3 hours ago", "0000-00-00", "31.02.2024", "1850-01-01", "12345"]
)
def test_what_is_not_a_believable_date_gives_none(value: str) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.guancha.cn/KortunovAndrey/2024_10_28_753123.shtml",
         datetime(2024, 10, 28, 4, 0, tzinfo=UTC)),  # 12:00 Beijing
        ("https://en.yna.co.kr/view/AEN20241023003151315",
         datetime(2024, 10, 23, 3, 0, tzinfo=UTC)),  # 12:00 Seoul
        ("https://www.reuters.com/world/europe/pact-north-korea-2024-11-09/",
         datetime(2024, 11, 9, 12, tzinfo=UTC)),
        ("https://www.38north.org/2024/10/24/russia-dprk/", datetime(2024, 10, 24, 12, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_a_date_in_the_url_is_read_as_noon_local_time(url: str, expected: datetime) -> None:
    assert date_from_url(url, local_zone(url)) == expected


def test_urls_without_a_day_give_none() -> None:
    assert date_from_url("https://tass.com/politics/1862345") is None
    assert date_from_url("https://www.globaltimes.cn/page/202410/1321852.shtml") is None


@pytest.mark.parametrize(
    "value", ["2024T10:00+09:002024", "2024-10-23 10:00 XYZT", "23 Oct 2024 25:61", "2024 C MH"]
)
def test_odd_strings_never_raise_and_never_give_a_naive_date(value: str) -> None:
    parsed = parse_date(value)
    assert parsed is None or parsed.utcoffset() is not None


# ── the crawl date never passes for the publication date ─────────────────────────────

_STORY = (
    "<p>Officials in Seoul said North Korean units had reached the Kursk region, where "
    "Russian officers were training them, and that more were expected within weeks.</p>"
) * 3


def _page(site_header: str, article_head: str = "") -> str:
    return (
        f"<html><head><title>Units reach Kursk</title></head><body>{site_header}"
        f"<main><article><h1>Units reach Kursk</h1>{article_head}{_STORY}</article></main>"
        "</body></html>"
    )


TODAY_IN_HEADER = [
    "<header class='site'><span class='header-date'>Sunday, 6 December 2026</span></header>",
    "<div class='masthead'><time datetime='2026-12-06'>6 December 2026</time></div>",
    "<div class='topbar'><span class='current-date'>06.12.2026</span></div>",
]


@pytest.mark.parametrize("site_header", TODAY_IN_HEADER)
def test_the_site_headers_date_of_today_is_not_the_pieces_date(site_header: str) -> None:
    article = extract(
        _page(site_header, "<span class='article-date'>23 October 2024</span>"),
        "https://news.example.com/world/units",
    )
    assert article.published is not None and article.published.date() == date(2024, 10, 23)


@pytest.mark.parametrize("site_header", TODAY_IN_HEADER)
def test_a_page_dated_only_by_its_site_header_has_no_date(site_header: str) -> None:
    article = extract(_page(site_header), "https://news.example.com/world/units")
    assert article.published is None


def test_a_date_in_the_articles_own_header_is_read() -> None:
    head = "<header><time datetime='2024-10-23T08:15:00Z'>23 October 2024</time></header>"
    article = extract(_page("", head), "https://news.example.com/world/units")
    assert article.published == datetime(2024, 10, 23, 8, 15, tzinfo=UTC)
