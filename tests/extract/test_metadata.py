"""Title, authors, date and language hints come from whatever metadata a page carries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.extract import extract

BODY = "<p>" + "North Korean troops were reported near the front in the Kursk region. " * 8 + "</p>"


def page(head: str, body: str = BODY, lang: str = "en") -> bytes:
    return f'<html lang="{lang}"><head>{head}</head><body>{body}</body></html>'.encode()


def ld(json_text: str) -> str:
    return f'<script type="application/ld+json">{json_text}</script>'


def test_json_ld_news_article_inside_a_graph() -> None:
    head = ld(
        '{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"Example"},'
        '{"@type":"ReportageNewsArticle","headline":"Troops near Kursk","datePublished":'
        '"2024-11-01T09:00:00+09:00","author":{"@type":"Person","name":"Kim Ha-eun"}}]}'
    )
    article = extract(page(head), "https://news.example.com/a")
    assert article.title == "Troops near Kursk"
    assert article.authors == ("Kim Ha-eun",)
    assert article.published == datetime(2024, 11, 1, 0, 0, tzinfo=UTC)


def test_json_ld_in_an_array_with_a_type_list_and_html_entities() -> None:
    head = ld(
        '[{"@type":["NewsArticle"],"headline":"Seoul&#39;s response","datePublished":'
        '"2024-11-02T10:00:00Z","author":[{"@type":"Person","name":"Lee Min-ji"},'
        '{"@type":"Organization","name":"Example Wire"}]}]'
    )
    article = extract(page(head), "https://news.example.com/a")
    assert article.title == "Seoul's response"
    assert article.authors == ("Lee Min-ji",)


def test_broken_json_ld_still_gives_its_headline_and_date() -> None:
    head = ld(
        '{"@type": "NewsArticle", "headline": "Treaty ratified", '
        '"datePublished": "2024-10-24T12:00:00Z", "author": {"name": "Anna Kowalski"'
    )
    article = extract(page(head), "https://news.example.com/a")
    assert article.title == "Treaty ratified"
    assert article.published == datetime(2024, 10, 24, 12, 0, tzinfo=UTC)
    assert article.authors == ("Anna Kowalski",)


def test_two_json_objects_in_one_script() -> None:
    head = ld('{"@type":"BreadcrumbList"}\n{"@type":"NewsArticle","headline":"Second object"}')
    assert extract(page(head), "https://news.example.com/a").title == "Second object"


@pytest.mark.parametrize(
    ("before", "after"),
    [("//<![CDATA[\n", "\n//]]>"), ("<![CDATA[", "]]>"), ("<!--", "-->"), ("", "")],
)
def test_json_ld_wrapped_in_cdata_or_a_comment_is_read(before: str, after: str) -> None:
    head = ld(
        f'{before}{{"@type":"NewsArticle","headline":"Wrapped","datePublished":'
        f'"2024-10-25T08:00:00Z"}}{after}'
    )
    article = extract(page(head), "https://news.example.com/a")
    assert article.title == "Wrapped"
    assert article.published == datetime(2024, 10, 25, 8, 0, tzinfo=UTC)


def test_opengraph_and_meta_tags_when_there_is_no_json_ld() -> None:
    head = (
        '<meta property="og:title" content="Kremlin comments on troop reports">'
        '<meta property="article:published_time" content="2024-10-25T08:00:00+03:00">'
        '<meta name="byl" content="By MARIA SOTO">'
        '<meta property="article:author" content="https://example.com/profile/maria">'
    )
    article = extract(page(head), "https://news.example.com/a")
    assert article.title == "Kremlin comments on troop reports"
    assert article.published == datetime(2024, 10, 25, 5, 0, tzinfo=UTC)
    assert article.authors == ("Maria Soto",)


def test_title_tag_loses_the_site_name() -> None:
    head = ('<title>Putin and Kim exchange letters | Example Daily</title>'
            '<meta property="og:site_name" content="Example Daily">')  # fmt: skip
    assert extract(page(head), "https://news.example.com/a").title == (
        "Putin and Kim exchange letters"
    )


def test_time_element_and_itemprop_dates() -> None:
    body = '<article><time datetime="2024-11-03T07:30:00Z">3 Nov</time>' + BODY + "</article>"
    assert extract(page("", body), "https://news.example.com/a").published == datetime(
        2024, 11, 3, 7, 30, tzinfo=UTC
    )
    body = '<span itemprop="datePublished" content="2024-11-04">Nov 4</span>' + BODY
    assert extract(page("", body), "https://news.example.com/a").published == datetime(
        2024, 11, 4, 12, tzinfo=UTC
    )


def test_guancha_pub_date_in_a_page_script_is_beijing_time() -> None:
    head = '<script>var info = {"title": "x", "pubDate": "2024-10-28 08:30:12"};</script>'
    article = extract(page(head), "https://www.guancha.cn/internation/2024_10_28_1.shtml")
    assert article.published == datetime(2024, 10, 28, 0, 30, 12, tzinfo=UTC)


def test_the_url_date_is_the_last_resort() -> None:
    article = extract(page(""), "https://en.yna.co.kr/view/AEN20241023003151315")
    assert article.published == datetime(2024, 10, 23, 3, 0, tzinfo=UTC)  # 12:00 in Seoul


def test_no_date_anywhere_gives_none_rather_than_a_guess() -> None:
    assert extract(page(""), "https://news.example.com/a").published is None


def test_a_listing_rail_of_times_outside_the_article_is_not_the_date() -> None:
    rail = "".join(
        f'<li><time datetime="2024-09-0{i}T00:00:00Z">x</time></li>' for i in range(1, 6)
    )
    body = f"<ul class='latest'>{rail}</ul>{BODY}"
    assert extract(page("", body), "https://news.example.com/a").published is None


def test_json_ld_name_wins_only_when_the_headline_is_a_description() -> None:
    head = "<title>Hermit crab - Encyclopedia</title>" + ld(
        '{"@type":"Article","name":"Hermit crab","headline":"decapod crustacean of Paguroidea"}'
    )
    assert extract(page(head), "https://example.org/wiki/x").title == "Hermit crab"
    head = "<title>Troops near Kursk | Example Daily</title>" + ld(
        '{"@type":"NewsArticle","name":"Example Daily","headline":"Troops near Kursk"}'
    )
    assert extract(page(head), "https://example.org/x").title == "Troops near Kursk"


def test_title_tag_keeps_the_headline_part_before_section_and_site() -> None:
    head = "<title>Seoul summons Russian envoy - World - Example Daily</title>"
    assert extract(page(head), "https://example.org/x").title == "Seoul summons Russian envoy"
