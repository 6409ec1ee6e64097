"""Feeds that lie, break or overwhelm: the analyst still gets the right links, and is told
(through ``skipped`` or a typed error) whenever something was off."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest

from monitor.discover import Discovery
from monitor.errors import DiscoverError

FIXTURES = Path(__file__).parent / "fixtures"
Discover = Callable[..., Discovery]


def rss(*items: str, encoding: str = "utf-8") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
        "<title>Example</title><link>https://www.example.org/</link>"
        + "".join(items)
        + "</channel></rss>"
    )


def item(title: str, link: str | None, date: str | None = None, extra: str = "") -> str:
    parts = [f"<title>{title}</title>"]
    if link is not None:
        parts.append(f"<link>{link}</link>")
    if date is not None:
        parts.append(f"<pubDate>{date}</pubDate>")
    return "<item>" + "".join(parts) + extra + "</item>"


def test_an_html_error_page_instead_of_a_feed_is_an_error_not_an_empty_feed(
    discover: Discover,
) -> None:
    page = """<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>
    <body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"""
    with pytest.raises(DiscoverError) as err:
        discover(page, content_type="text/html")
    assert err.value.reason == "not_a_feed"
    assert "HTML" in err.value.message


def test_an_empty_body_is_not_a_feed(discover: Discover) -> None:
    with pytest.raises(DiscoverError) as err:
        discover(b"  \n")
    assert err.value.reason == "not_a_feed"


def test_a_quiet_feed_with_no_items_is_simply_empty(discover: Discover) -> None:
    found = discover(rss())
    assert found.links == () and dict(found.skipped) == {}


def test_a_feed_broken_before_its_first_item_is_reported(discover: Discover) -> None:
    with pytest.raises(DiscoverError) as err:
        discover('<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</ti')
    assert err.value.reason in ("malformed_feed", "not_a_feed")


def test_truncated_feed_keeps_the_items_before_the_break(
    discover: Discover, fixture_bytes: Callable[[str], bytes]
) -> None:
    body = fixture_bytes("tass_rss.xml")
    cut = body[: body.index(b"<title>Grain harvest")]  # the connection dropped mid-item
    found = discover(cut, url="https://tass.com/rss/v2.xml")
    assert [lk.url for lk in found.links][:2] == [
        "https://tass.com/politics/1862014",
        "https://tass.com/politics/1861533",
    ]
    assert found.skipped["bozo"] == 1


def test_ten_thousand_items_yield_max_items_newest_and_only_a_slice_is_parsed(
    discover: Discover, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [
        item(
            f"Item {i}",
            f"https://tass.com/world/{100000 - i}",
            f"{datetime.fromtimestamp(1729700000 - 60 * i, UTC):%a, %d %b %Y %H:%M:%S} +0000",
        )
        for i in range(10_000)
    ]
    parsed_entries: list[int] = []
    real_parse = feedparser.parse

    def counting_parse(*args: Any, **kwargs: Any) -> Any:
        result = real_parse(*args, **kwargs)
        parsed_entries.append(len(result.entries))
        return result

    monkeypatch.setattr(feedparser, "parse", counting_parse)
    found = discover(rss(*items), url="https://tass.com/rss/v2.xml", max_items=50)

    assert len(found.links) == 50
    assert found.links[0].url == "https://tass.com/world/100000"  # the newest
    assert found.links[-1].url == "https://tass.com/world/99951"
    assert found.skipped["over_limit"] == 10_000 - 50
    assert parsed_entries == [100]  # feedparser saw a slice, not 10,000 items


def _numbered_items(n: int, *, oldest_first: bool = False) -> list[str]:
    """Items 0..n-1, item i published i minutes before the newest (number 0)."""
    order = range(n - 1, -1, -1) if oldest_first else range(n)
    return [
        item(
            f"Item {i}",
            f"https://www.example.org/world/{i}",
            f"{datetime.fromtimestamp(1729700000 - 60 * i, UTC):%a, %d %b %Y %H:%M:%S} +0000",
        )
        for i in order
    ]


def test_a_huge_feed_in_oldest_first_order_still_yields_its_newest_items(
    discover: Discover,
) -> None:
    found = discover(rss(*_numbered_items(5_000, oldest_first=True)), max_items=20)
    assert [lk.title for lk in found.links] == [f"Item {i}" for i in range(20)]
    assert found.skipped["over_limit"] == 5_000 - 20


def test_a_huge_feed_cut_off_mid_way_keeps_its_first_items(discover: Discover) -> None:
    body = rss(*_numbered_items(5_000))
    broken = body[: len(body) // 2]  # the connection dropped half-way
    found = discover(broken, max_items=20)
    assert [lk.title for lk in found.links] == [f"Item {i}" for i in range(20)]
    assert found.skipped["over_limit"] >= 2_000
    assert found.skipped["bozo"] == 1


def test_relative_and_whitespace_links_are_resolved_and_cleaned(discover: Discover) -> None:
    body = rss(
        item("Relative", "  /world/2024/relative-piece  "),
        item("Wrapped", "\n   https://www.example.org/world/wrapped\n   "),
        item("Inner space", "/world/inner space"),
        item("Script", "javascript:openPopup(1)"),
        item("Mail", "mailto:desk@example.org"),
        item("No link at all", None),
        "<item><title>Guid permalink</title><guid>https://www.example.org/world/guid</guid></item>",
    )
    found = discover(
        body, url="https://feeds.example.org/rss", final_url="https://www.example.org/rss/"
    )
    assert [lk.url for lk in found.links] == [
        "https://www.example.org/world/2024/relative-piece",
        "https://www.example.org/world/wrapped",
        "https://www.example.org/world/inner%20space",
        "https://www.example.org/world/guid",
    ]
    assert found.skipped["not_http"] == 2
    assert found.skipped["no_link"] == 1


def test_dates_in_the_future_or_before_the_web_are_dropped_but_the_link_kept(
    discover: Discover,
) -> None:
    body = rss(
        item("Tomorrow-ish", "https://www.example.org/a", "Thu, 24 Oct 2024 20:00:00 GMT"),
        item("Next month", "https://www.example.org/b", "Sat, 30 Nov 2024 10:00:00 GMT"),
        item("Epoch", "https://www.example.org/c", "Thu, 01 Jan 1970 00:00:00 GMT"),
        item("Nonsense", "https://www.example.org/d", "yesterday-ish"),
    )
    found = discover(body)
    by_url = {lk.url: lk.published for lk in found.links}
    assert by_url["https://www.example.org/a"] == datetime(2024, 10, 24, 20, 0, tzinfo=UTC)
    assert by_url["https://www.example.org/b"] is None
    assert by_url["https://www.example.org/c"] is None
    assert by_url["https://www.example.org/d"] is None
    assert dict(found.skipped) == {"date_future": 1, "date_too_old": 1, "date_unparsed": 1}


def test_duplicate_items_are_listed_once(discover: Discover) -> None:
    ten, nine = "Wed, 23 Oct 2024 10:00:00 GMT", "Wed, 23 Oct 2024 09:00:00 GMT"
    body = rss(
        item("Seoul briefs lawmakers", "https://www.example.org/a?utm_source=rss", ten),
        item("Seoul briefs lawmakers", "https://www.example.org/a", ten),
        item("Seoul briefs lawmakers", "https://WWW.example.org/a#comments"),
        item("Another piece", "https://www.example.org/b", nine),
    )
    found = discover(body)
    assert [lk.url for lk in found.links] == [
        "https://www.example.org/a?utm_source=rss",
        "https://www.example.org/b",
    ]
    assert found.skipped["duplicate"] == 2


def test_a_stray_invalid_byte_does_not_garble_the_other_titles(discover: Discover) -> None:
    body = rss(
        item("Визит в Пхеньян \xff\xfe завершён", "https://www.example.org/ru/1"),
        item("КНДР и Россия подписали договор", "https://www.example.org/ru/2"),
    ).encode("utf-8", errors="surrogateescape")
    body = body.replace("\xff\xfe".encode(), b"\xff\xfe")  # raw bytes that are not UTF-8
    found = discover(body, content_type="application/rss+xml; charset=utf-8")
    titles = [lk.title for lk in found.links]
    assert titles[1] == "КНДР и Россия подписали договор"
    assert titles[0] is not None and titles[0].startswith("Визит в Пхеньян")
    assert found.skipped["bad_bytes"] == 1


def test_a_feed_whose_header_lies_about_its_encoding_is_read_by_its_declaration(
    discover: Discover,
) -> None:
    body = rss(
        item("Лавров прокомментировал договор с КНДР", "https://www.example.org/ru/3"),
        encoding="windows-1251",
    ).encode("cp1251")
    found = discover(body, content_type="text/xml; charset=utf-8")
    assert found.links[0].title == "Лавров прокомментировал договор с КНДР"


def test_a_utf16_feed_with_a_byte_order_mark_is_read(discover: Discover) -> None:
    body = rss(item("朝俄条约生效", "https://www.example.org/zh/1"), encoding="utf-16")
    found = discover(body.encode("utf-16"), content_type="application/xml")
    assert found.links[0].title == "朝俄条约生效"


def test_html_and_double_escaped_entities_in_titles_become_plain_text(discover: Discover) -> None:
    body = rss(
        item("&lt;b&gt;Breaking:&lt;/b&gt; Seoul &amp;amp; Moscow trade\n  accusations", "https://www.example.org/x"),
        item("<![CDATA[Kim <em>meets</em> Shoigu]]>", "https://www.example.org/y"),
    )  # fmt: skip
    found = discover(body)
    assert [lk.title for lk in found.links] == [
        "Breaking: Seoul & Moscow trade accusations",
        "Kim meets Shoigu",
    ]


def test_long_summaries_are_plain_text_trimmed_to_about_a_thousand_characters(
    discover: Discover,
) -> None:
    words = " ".join(f"word{i}" for i in range(600))
    description = f"<description><![CDATA[<p>{words}</p><script>track()</script>]]></description>"
    found = discover(rss(item("Long", "https://www.example.org/long", extra=description)))
    summary = found.links[0].summary
    assert summary is not None and len(summary) <= 1000 and summary.endswith("…")
    assert summary.startswith("word0 word1") and "<p>" not in summary and "track" not in summary


def test_entity_bomb_in_a_feed_is_not_expanded(discover: Discover) -> None:
    bomb = (FIXTURES / "billion_laughs_sitemap.xml").read_text()
    doctype = bomb[bomb.index("<!DOCTYPE") : bomb.index("]>") + 2].replace("urlset", "rss")
    body = rss(item("&lol9;", "https://www.example.org/bomb")).replace(
        "<rss", doctype + "\n<rss", 1
    )
    try:
        found = discover(body)
    except DiscoverError as exc:
        assert exc.reason in ("not_a_feed", "malformed_feed")
    else:
        assert all(len(lk.title or "") < 100 for lk in found.links)


def test_a_gzipped_feed_is_read(discover: Discover, fixture_bytes: Callable[[str], bytes]) -> None:
    found = discover(
        gzip.compress(fixture_bytes("tass_rss.xml")), content_type="application/octet-stream"
    )
    assert len(found.links) == 3


def test_link_pattern_keeps_only_matching_articles(
    discover: Discover, fixture_bytes: Callable[[str], bytes]
) -> None:
    found = discover(
        fixture_bytes("tass_rss.xml"),
        url="https://tass.com/rss/v2.xml",
        link_pattern=r"^https://tass\.com/politics/\d+$",
    )
    assert [lk.url for lk in found.links] == [
        "https://tass.com/politics/1862014",
        "https://tass.com/politics/1861533",
    ]
    assert found.skipped["off_pattern"] == 1


def test_a_feed_out_of_date_order_is_returned_newest_first(discover: Discover) -> None:
    body = rss(
        item("Old", "https://www.example.org/old", "Mon, 21 Oct 2024 10:00:00 GMT"),
        item("Undated", "https://www.example.org/undated"),
        item("New", "https://www.example.org/new", "Wed, 23 Oct 2024 10:00:00 GMT"),
    )
    found = discover(body, max_items=2)
    assert [lk.title for lk in found.links] == ["New", "Old"]
    assert found.skipped["over_limit"] == 1


def test_an_error_status_is_not_parsed_as_a_feed(discover: Discover) -> None:
    with pytest.raises(DiscoverError) as err:
        discover(rss(), status=404)
    assert err.value.reason == "status"


def test_not_modified_means_nothing_new(make_response: Any, now: datetime) -> None:
    from dataclasses import replace

    from monitor.config import Endpoint
    from monitor.discover import parse

    response = replace(
        make_response(b"", "https://tass.com/rss/v2.xml"), status=304, not_modified=True
    )
    found = parse(
        Endpoint(kind="rss", url="https://tass.com/rss/v2.xml"),
        response,
        source_id="tass_en",
        now=now,
    )
    assert found.links == ()


def test_character_references_xml_forbids_do_not_crash_the_parser(discover: Discover) -> None:
    body = rss(item("Lone surrogate &#xD800; and NUL &#0; here", "https://www.example.org/s"))
    found = discover(body)
    assert found.links[0].title == "Lone surrogate \ufffd and NUL \ufffd here"


def test_a_crash_inside_feedparser_becomes_a_typed_error(
    discover: Discover, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crashing_parse(*_args: Any, **_kwargs: Any) -> Any:
        raise KeyError("bozo_exception")  # as feedparser 6 does on some mangled bodies

    monkeypatch.setattr(feedparser, "parse", crashing_parse)
    with pytest.raises(DiscoverError) as err:
        discover(rss(item("x", "https://www.example.org/x")))
    assert err.value.reason == "malformed_feed"
    assert "KeyError" in err.value.message
