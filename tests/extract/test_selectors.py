"""A source's selectors are used when they work and never lose an article when they don't."""

from __future__ import annotations

import logging

import pytest

from monitor.config import Selectors
from monitor.extract import extract
from monitor.extract.selectors import split_selector_list

PARAS = [
    "Russia and North Korea held talks on expanding cooperation in energy and transport, "
    "officials said after a meeting in the capital on Thursday.",
    "The delegations discussed a new road bridge across the Tumen River and the resumption "
    "of regular flights between Moscow and Pyongyang.",
    "No agreement on the details was announced, but both sides said they would meet again "
    "before the end of the year to review progress.",
]


def page(body_class: str = "story-body", extra: str = "") -> str:
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    return f"""<html><head><title>Talks on cooperation</title></head><body>
    <nav><a href="/">Home</a></nav>
    <div class="page"><h1 class="headline">Moscow and Pyongyang discuss transport links</h1>
    <div class="byline"><span class="name">Lena Hartmann</span></div>
    <div class="lead">Talks focused on energy and transport.</div>
    <div class="{body_class}">{paras}<div class="promo-box">Subscribe to our newsletter</div></div>
    {extra}</div>
    <div class="footer-links"><a href="/about">About</a></div></body></html>"""


def test_selectors_choose_title_and_body_and_drop_removed_boxes() -> None:
    selectors = Selectors(title="h1.headline", body=".lead, .story-body", remove=(".promo-box",))
    article = extract(page(), "https://news.example.com/a", selectors=selectors)
    assert article.title == "Moscow and Pyongyang discuss transport links"
    assert article.text.split("\n\n") == ["Talks focused on energy and transport.", *PARAS]


def test_author_selectors_are_a_fallback_chain_not_a_union() -> None:
    extra = '<div class="editor"><a>Tom Brandt</a></div>'
    selectors = Selectors(body=".story-body", authors=".byline .name, .editor a")
    article = extract(page(extra=extra), "https://news.example.com/a", selectors=selectors)
    assert article.authors == ("Lena Hartmann",)
    selectors = Selectors(body=".story-body", authors=".no-such-byline, .editor a")
    article = extract(page(extra=extra), "https://news.example.com/a", selectors=selectors)
    assert article.authors == ("Tom Brandt",)


def test_a_body_selector_that_no_longer_matches_falls_back_to_the_generic_extractor(
    caplog: pytest.LogCaptureFixture,
) -> None:
    selectors = Selectors(body=".text-block")
    with caplog.at_level(logging.INFO, logger="monitor.extract"):
        article = extract(page("article__text"), "https://news.example.com/a", selectors=selectors)
    assert all(p in article.text for p in PARAS)
    assert "Subscribe" not in article.text
    assert any(".text-block" in r.getMessage() for r in caplog.records)


def test_a_body_selector_that_now_finds_only_the_lead_loses_nothing() -> None:
    selectors = Selectors(body=".lead, .text-block")
    article = extract(page("article__text"), "https://news.example.com/a", selectors=selectors)
    assert all(p in article.text for p in PARAS)


def test_an_invalid_selector_is_ignored_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    selectors = Selectors(title="h1[", body="div >>> p")
    with caplog.at_level(logging.WARNING, logger="monitor.extract"):
        article = extract(page(), "https://news.example.com/a", selectors=selectors)
    assert article.title == "Talks on cooperation"
    assert all(p in article.text for p in PARAS)
    assert any("cannot be parsed" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("selector", "parts"),
    [
        (".a, .b", [".a", ".b"]),
        ("div[data-testid^='paragraph'], p", ["div[data-testid^='paragraph']", "p"]),
        (":is(h1, h2).title, .x", [":is(h1, h2).title", ".x"]),
        ('a[title="x, y"]', ['a[title="x, y"]']),
        ("", []),
    ],
)
def test_selector_lists_split_at_top_level_commas(selector: str, parts: list[str]) -> None:
    assert split_selector_list(selector) == parts
