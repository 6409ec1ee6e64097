"""No page, however it is built, can make extraction slow or crash it: nesting is cut at a
depth limit, cleaning is linear, and a page over its size or element budget is refused with
a reason the operator sees in ``monitor status``."""

from __future__ import annotations

import gc
import logging

import pytest
from selectolax.lexbor import LexborHTMLParser

from monitor.errors import ExtractError
from monitor.extract import extract
from monitor.extract.budget import (
    MAX_DEPTH,
    MAX_ELEMENTS,
    MAX_HTML_CHARS,
    bound_nesting,
    nests_too_deep,
    parse_first,
)

STORY = (
    "Officials in Seoul said North Korean units had reached the Kursk region, where "
    "Russian officers were training them, and that more were expected within weeks. "
)
URL = "https://news.example.com/deep"


def test_fifty_thousand_nested_divs_give_the_article() -> None:
    """The page that froze the daemon (550 KB, every <div> closed at the end): the story
    at the bottom of the nest comes out, whole."""
    n = 50_000
    page = "<html><body>" + "<div>" * n + f"<p>{STORY * 6}</p>" + "</div>" * n
    assert len(page) > 550_000
    article = extract(page, URL)
    assert article.text == (STORY * 6).strip()


@pytest.mark.parametrize(
    "opening",
    ["<div>", "<section class='article-body'>", "<span>", "<table><tr><td>", "<ul><li>",
     "<h2><span>", "<a href='/x'><div>", "<font>", "<figure><code>"],
)  # fmt: skip
def test_any_deep_nest_keeps_the_text_below_it(opening: str) -> None:
    page = "<html><body>" + opening * 20_000 + f"<p>{STORY * 4}</p>"
    assert STORY.strip() in extract(page, URL).text


def test_a_small_page_nested_past_the_limit_is_cut_as_a_large_one_is(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A page of few tags is parsed before its depth is known; nested past the limit, it
    is still cut there (and the log says so), and its story comes out whole."""
    n = MAX_DEPTH + 50
    page = "<html><body>" + "<div>" * n + f"<p>{STORY * 6}</p>" + "</div>" * n
    assert parse_first(page.count("<"))
    with caplog.at_level(logging.WARNING, logger="monitor.extract"):
        article = extract(page, URL)
    assert article.text == (STORY * 6).strip()
    cuts = [r.getMessage() for r in caplog.records if "nesting cut" in r.getMessage()]
    assert len(cuts) == 1 and "(100 tags left out)" in cuts[0]


def test_a_small_page_nested_to_the_limit_is_not_cut(caplog: pytest.LogCaptureFixture) -> None:
    """Its tree is deeper than the limit (<html> and <body> count there, not in the
    scan), so it is scanned, and the scan finds nothing to cut."""
    page = "<html><body>" + "<div>" * MAX_DEPTH + f"<p>{STORY * 6}</p>" + "</div>" * MAX_DEPTH
    with caplog.at_level(logging.WARNING, logger="monitor.extract"):
        article = extract(page, URL)
    assert article.text == (STORY * 6).strip()
    assert not [r for r in caplog.records if "nesting cut" in r.getMessage()]


@pytest.mark.parametrize(
    ("level", "deeper", "last"),
    [("<div>", 1, 0), ("<div><hr>", 1, 1), ("<ul><li>x", 2, 0), ("<div><i>a</i><b></b>", 1, 1)],
)
def test_the_parsed_tree_says_when_it_nests_past_the_limit(
    level: str, deeper: int, last: int
) -> None:
    """<html> and <body> count among the elements above the deepest one, whether that
    is a nested element or an empty one beside others in the deepest level. ``level``
    nests ``deeper`` elements more each time, and the last adds ``last`` below it."""
    times = (MAX_DEPTH - 2 - last) // deeper
    within = LexborHTMLParser("<html><body>" + level * times)
    past = LexborHTMLParser("<html><body>" + level * (times + 1))
    assert _depth(within) == MAX_DEPTH < _depth(past)
    assert not nests_too_deep(within)
    assert nests_too_deep(past)


def _depth(tree: LexborHTMLParser) -> int:
    """Elements on the longest line down from <html>, <html> included."""
    assert tree.root is not None
    deepest, stack = 0, [(tree.root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.iter())
    return deepest


def test_hundreds_of_nested_inline_wrappers_do_not_exhaust_the_stack() -> None:
    """<del>, <ins> and <a> are phrasing only if their content is; deciding that used to
    recurse once per level and raised RecursionError below 500 levels."""
    page = "<html><body><div>" + "<del>" * (MAX_DEPTH - 10) + STORY * 4
    assert STORY.strip() in extract(page, URL).text


def test_json_ld_authors_nested_in_lists_do_not_exhaust_the_stack() -> None:
    nested = "[" * 900 + '"Jane Roe"' + "]" * 900
    page = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        f'"headline": "Units in Kursk", "author": {nested}}}</script></head>'
        f"<body><p>{STORY * 4}</p></body></html>"
    )
    article = extract(page, URL)
    assert article.title == "Units in Kursk" and article.authors == ()


def test_nested_boilerplate_is_removed_at_every_level() -> None:
    """Cleaning judges each block on what is left inside it after the blocks below it
    went: a nest of link boxes goes, level by level, and the story stays."""
    links = "".join(
        f"<div class='box'><a href='/{i}'>More from the region {i}</a>" for i in range(400)
    )
    page = (
        f"<html><body><article><p>{STORY * 4}</p>{links}{'</div>' * 400}"
        f"<p>{STORY * 3}</p></article></body></html>"
    )
    text = extract(page, URL).text
    assert "More from the region" not in text
    assert text.count("Officials in Seoul") == 7


def test_a_page_over_the_element_budget_is_refused_with_a_reason() -> None:
    page = "<html><body>" + "<b>x</b>" * (MAX_ELEMENTS + 1) + f"<p>{STORY * 4}</p>"
    with pytest.raises(ExtractError) as caught:
        extract(page, URL)
    assert caught.value.reason == "too_complex"
    assert f"{MAX_ELEMENTS:,}" in caught.value.message


def test_a_page_over_the_size_budget_is_refused_with_a_reason() -> None:
    page = f"<html><body><p>{STORY}</p>" + " " * MAX_HTML_CHARS
    with pytest.raises(ExtractError) as caught:
        extract(page.encode(), URL)
    assert caught.value.reason == "too_large"


# ── the nesting bound, as a pure function ────────────────────────────────────────────


def test_a_page_within_the_limit_is_passed_through_untouched() -> None:
    page = "<html><body>" + "<div>" * MAX_DEPTH + "text" + "</div>" * MAX_DEPTH
    assert bound_nesting(page) == (page, 0)


def test_tags_beyond_the_limit_go_with_their_end_tags_and_the_text_stays() -> None:
    depth = MAX_DEPTH + 3
    page = "".join(f"<div id='d{i}'>t{i} " for i in range(depth)) + "</div>" * depth + "after"
    bounded, dropped = bound_nesting(page)
    assert dropped == 6  # three start tags and their three end tags
    assert bounded.count("<div") == bounded.count("</div>") == MAX_DEPTH
    assert f"<div id='d{MAX_DEPTH - 1}'>" in bounded and f"id='d{MAX_DEPTH}'" not in bounded
    assert all(f"t{i} " in bounded for i in range(depth)) and bounded.endswith("after")


def test_markup_inside_scripts_and_self_closing_elements_do_not_count() -> None:
    script = "<script>var t = '" + "<div>" * 2_000 + "';</script>"
    paragraphs = "<p>unclosed paragraph<br><img src=x>" * 2_000
    page = f"<html><body>{script}{paragraphs}</body></html>"
    assert bound_nesting(page) == (page, 0)


def test_stray_end_tags_do_not_hide_a_deep_nest() -> None:
    page = "<div></span>" * (MAX_DEPTH + 100)
    bounded, dropped = bound_nesting(page)
    assert dropped == 100 and bounded.count("<div>") == MAX_DEPTH


@pytest.mark.parametrize("enabled", [True, False])
def test_the_cycle_collector_is_left_as_it_was_found(enabled: bool) -> None:
    """Extraction pauses Python's cycle collector while it reads a page; the process
    gets it back as it was, after a page read and after a page refused."""
    was = gc.isenabled()
    try:
        _set_collector(enabled)
        assert STORY.strip() in extract(f"<html><body><p>{STORY}</p></body></html>", URL).text
        assert gc.isenabled() is enabled
        with pytest.raises(ExtractError):
            extract("<html><body><nav>Home</nav></body></html>", URL)
        assert gc.isenabled() is enabled
    finally:
        _set_collector(was)


def _set_collector(enabled: bool) -> None:
    if enabled:
        gc.enable()
    else:
        gc.disable()
