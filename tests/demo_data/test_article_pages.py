"""Each article URL in the manifest is answered as documented, in its outlet's structure,
and its text agrees with the writer's relevance intent under sources.yaml's topic rule."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from protego import Protego
from selectolax.lexbor import LexborHTMLParser

from monitor.urls import canonical_url

from .conftest import article_text, count_hits


def _served(articles: list[dict]) -> list[dict]:
    return [a for a in articles if a["served"]]


def test_every_manifest_url_is_answered_as_the_manifest_says(captures, articles) -> None:
    for a in articles:
        got = captures.get(a["url"])
        expect = a["expect"]
        if expect in ("stored", "dropped_irrelevant"):
            assert got is not None and got.status == 200, a["url"]
        elif expect == "http_404":
            assert got is not None and got.status == 404, a["url"]
        elif expect in ("robots_disallowed", "feed_only"):
            assert got is None, f"{a['url']} must not be served ({expect})"
        else:
            assert expect == "prefilter_skip"
            assert got is None or got.status == 200
        if a.get("feed_mode") == "alias":
            assert captures[a["feed_url"]].body == captures[a["url"]].body
        if a.get("feed_mode") == "redirect":
            moved = captures[a["feed_url"]]
            assert (moved.status, moved.headers["location"]) == (301, a["url"])


def test_robots_txt_disallows_exactly_the_documented_url(captures, articles, sources) -> None:
    agent = sources.defaults.user_agent
    blocked = []
    for a in articles:
        host = urlsplit(a["url"]).hostname
        robots = captures.get(f"https://{host}/robots.txt")
        assert robots is not None, f"no robots.txt recorded for {host}"
        if robots.status == 404:
            continue
        if not Protego.parse(robots.text).can_fetch(a["url"], agent):
            blocked.append(a)
    assert [a["expect"] for a in blocked] == ["robots_disallowed"]


def test_the_windows_1251_page_declares_and_uses_that_charset(captures, articles) -> None:
    (a,) = [a for a in articles if a.get("charset") == "windows-1251"]
    page = captures[a["url"]]
    assert page.headers["content-type"] == "text/html; charset=windows-1251"
    with pytest.raises(UnicodeDecodeError):
        page.body.decode("utf-8")
    html = page.body.decode("cp1251")
    assert '<meta charset="windows-1251">' in html
    assert "Курской области" in html and "КНДР" in html


def test_pages_carry_the_selectors_sources_yaml_expects(captures, articles, sources) -> None:
    checked = 0
    for a in _served(articles):
        page = captures[a["url"]]
        if page.status != 200:
            continue
        sel = sources.source(a["source_id"]).selectors
        if sel is None or sel.body is None:
            continue
        tree = LexborHTMLParser(page.text)
        if sel.title:
            assert tree.css_first(sel.title).text(strip=True) == a["title"], a["url"]
        text = article_text(page.text, sel.body, sel.remove)
        assert len(text) > 100, f"{a['url']}: body selector finds too little"
        checked += 1
    assert checked >= 20


def test_ap_story_body_has_enhancements_the_remove_selector_strips(captures, articles, sources):
    sel = sources.source("ap").selectors
    for a in (a for a in articles if a["source_id"] == "ap"):
        html = captures[a["url"]].text
        body = LexborHTMLParser(html).css_first(sel.body)
        assert body.css("div.Enhancement"), "AP pages embed Enhancement blocks in the story"
        kept = article_text(html, sel.body, sel.remove)
        assert "AP Photo" not in kept and "Zelenskyy warns" not in kept


def test_pages_name_their_date_the_way_the_outlet_does(captures, articles) -> None:
    guancha = [a for a in articles if a["source_id"] == "guancha" and a["served"]]
    for a in guancha:
        local = a["published"][:19].replace("T", " ")
        assert f'"pubDate": "{local}"' in captures[a["url"]].text  # UTC+8, no zone
    for a in (a for a in articles if a["source_id"].startswith("riac") and a["served"]):
        y, m, d = a["published"][:10].split("-")
        assert f'<div class="article-date">{d}.{m}.{y}</div>' in captures[a["url"]].text


def _page_or_feed_text(a, captures, sources, feed_items) -> str:
    if a["served"] and captures[a["url"]].status == 200:
        sel = sources.source(a["source_id"]).selectors if a["source_id"] != "gdelt" else None
        if sel is not None and sel.body:
            return a["title"] + "\n\n" + article_text(captures[a["url"]].text, sel.body, sel.remove)
        return a["title"] + "\n\n" + article_text(captures[a["url"]].text, None)
    item = feed_items.get(canonical_url(a["url"]))
    if item is None:  # a sitemap entry: its title is all there is
        return a["title"]
    return item["title"] + "\n\n" + item["summary"]


def test_relevance_intent_agrees_with_the_topic_rule_in_sources_yaml(
    captures, articles, sources, feed_items
) -> None:
    topic = sources.topic
    for a in articles:
        if a["expect"] in ("http_404", "robots_disallowed"):
            continue
        text = _page_or_feed_text(a, captures, sources, feed_items)
        lang = a["language"]
        on_topic = (
            count_hits(text, topic.keywords[lang]) >= topic.min_matches
            and count_hits(text, topic.context[lang]) >= 1
        )
        assert on_topic == a["relevant"], (
            f"{a['url']}: relevant={a['relevant']} but text says {on_topic}"
        )


def test_prefilter_passes_on_topic_feed_items_and_skips_the_documented_ones(
    articles, sources, feed_items
) -> None:
    keywords = sources.topic.keywords
    for a in articles:
        item = feed_items.get(canonical_url(a["url"]))
        if item is None:  # listings, sitemaps, GDELT: no summary to judge
            continue
        mentions = count_hits(item["title"] + " " + item["summary"], keywords[a["language"]]) > 0
        if a["expect"] == "prefilter_skip":
            assert not mentions, a["url"]
        elif a["relevant"]:
            assert mentions, f"{a['url']}: on topic but its feed item never names the story"
