"""Whatever arrives, the extractor answers with an article or a typed reason, fast."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.errors import ExtractError
from monitor.extract import extract

SENTENCE = "North Korean units were reported near Kursk, officials in Seoul said on Monday. "


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"  \r\n\t ", "empty"),
        ("", "empty"),
        (b"%PDF-1.4\n1 0 obj", "not_html"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not_html"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "not_html"),
        (b'{"items": [{"title": "<b>North Korea</b>"}]}', "not_html"),
        (b"[1, 2, 3]", "not_html"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
         "not_html"),
        (b"just some plain text without any markup at all", "not_html"),
        (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no_text"),
        (b"<html><head><title>Only a title</title></head><body></body></html>", "no_text"),
        (b"<html><body><script>var article = 'not text';</script></body></html>", "no_text"),
    ],
)  # fmt: skip
def test_pages_without_an_article_are_refused_with_a_reason(body: bytes | str, reason: str) -> None:
    with pytest.raises(ExtractError) as caught:
        extract(body, "https://news.example.com/x")
    assert caught.value.reason == reason
    assert caught.value.url == "https://news.example.com/x"


def test_ten_thousand_unclosed_divs_do_not_exhaust_the_stack() -> None:
    html = "<html><body>" + "<div>" * 10_000 + f"<p>{SENTENCE * 8}</p>"
    assert SENTENCE.strip() in extract(html, "https://news.example.com/x").text


def test_a_huge_page_is_read_whole() -> None:
    paragraphs = "".join(f"<p>{i}: {SENTENCE * 3}</p>" for i in range(5_000))
    links = "".join(f"<li><a href='/{i}'>Link {i}</a></li>" for i in range(5_000))
    html = f"<html><body><ul class='menu'>{links}</ul><div class='story'>{paragraphs}</div></body>"
    text = extract(html.encode(), "https://news.example.com/x").text
    assert text.count("\n\n") == 4_999 and "Link 42" not in text


def test_a_page_of_one_enormous_paragraph() -> None:
    html = f"<html><body><p>{SENTENCE * 20_000}</p></body></html>"
    assert len(extract(html, "https://news.example.com/x").text) > 1_000_000


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3_000))
def test_any_bytes_give_an_article_or_an_extract_error(data: bytes) -> None:
    try:
        article = extract(data, "https://news.example.com/x")
    except ExtractError as exc:
        assert exc.reason in ("empty", "not_html", "no_text")
    else:
        assert article.text.strip()


_TAGS = st.sampled_from(
    ["<p>", "</p>", "<div class='story'>", "</div>", "<br>", "<script>", "</script>",
     "<table><tr><td>", "<a href='#'>", "</a>", "<!--", "-->", "<h2>", "&amp;", "&#x0;",
     "<ul><li>", "<nav>", "<article>", "<<", ">", "<html lang='xx'>", "<meta charset=koi8-r>",
     '<script type="application/ld+json">{"@type":"NewsArticle","headline":', "}</script>"]
)  # fmt: skip
_WORDS = st.sampled_from([SENTENCE, "Пхеньян и Москва. ", "俄朝条约。", "북한 ", "Kim ", "  "])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_TAGS, _WORDS, st.text(max_size=20)), max_size=80))
def test_any_tag_soup_gives_an_article_or_an_extract_error(parts: list[str]) -> None:
    html = "".join(parts)
    try:
        article = extract(html, "https://news.example.com/x", default_language="en")
    except ExtractError as exc:
        assert exc.reason in ("empty", "not_html", "no_text")
    else:
        assert article.text and article.language
        assert article.published is None or article.published.tzinfo is not None
