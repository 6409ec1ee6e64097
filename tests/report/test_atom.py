"""The Atom feed: a feed reader announces each weekly digest with its summary."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from monitor.errors import ReportError
from monitor.models import DigestInput
from monitor.report import build_digest, render_atom, week_bounds

from .conftest import HOSTILE_TITLE, WeekBuilder

NS = {"a": "http://www.w3.org/2005/Atom"}
FEED = "https://digests.example.org/feed.xml"
NOW = datetime(2024, 11, 4, 7, 0, tzinfo=UTC)


def _week(label: str) -> DigestInput:
    start, end = week_bounds(label)
    builder = WeekBuilder(week=label, start=start, end=end)
    builder.piece("wire_en", HOSTILE_TITLE, stances={"P4": ("contest", -0.5, ("\x0bodd",))})
    return builder.build(generated_at=end + timedelta(hours=6))


def test_the_feed_is_well_formed_with_one_entry_per_week_newest_first() -> None:
    digests = [build_digest(_week(w)) for w in ("2024-W43", "2024-W44", "2024-W45")]
    root = ET.fromstring(render_atom(digests, feed_url=FEED, now=NOW))
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert root.findtext("a:id", namespaces=NS) == "tag:monitor,2024:digests"
    assert root.findtext("a:updated", namespaces=NS) == "2024-11-04T07:00:00Z"
    entries = root.findall("a:entry", NS)
    assert len(entries) == 3
    ids = [e.findtext("a:id", namespaces=NS) for e in entries]
    assert ids == [f"tag:monitor,2024:digest/2024-W{n}" for n in (45, 44, 43)]
    first = entries[0]
    assert first.find("a:link", NS).attrib["href"] == "https://digests.example.org/2024-W45.html"
    assert first.findtext("a:updated", namespaces=NS) == "2024-11-11T06:00:00Z"
    summary = first.findtext("a:summary", namespaces=NS)
    assert summary.startswith("Volume: 1 piece from 1 outlet")


def test_entry_ids_stay_the_same_when_the_digests_move_to_another_url() -> None:
    digests = [build_digest(_week(w)) for w in ("2024-W43", "2024-W44")]
    local = ET.fromstring(render_atom(digests, feed_url="file:///srv/d/digests.atom", now=NOW))
    public = ET.fromstring(render_atom(digests, feed_url=FEED, now=NOW))

    def ids(root: ET.Element) -> list[str | None]:
        return [root.findtext("a:id", namespaces=NS)] + [
            e.findtext("a:id", namespaces=NS) for e in root.findall("a:entry", NS)
        ]

    assert ids(local) == ids(public)
    links = [e.find("a:link", NS).attrib["href"] for e in public.findall("a:entry", NS)]
    assert links[0] == "https://digests.example.org/2024-W44.html"


def test_an_entry_carries_the_grouped_lead_as_escaped_html_content() -> None:
    digest = build_digest(_week("2024-W44"))
    entry = ET.fromstring(render_atom([digest], feed_url=FEED, now=NOW)).find("a:entry", NS)
    content = entry.find("a:content", NS)
    assert content.attrib["type"] == "html"
    assert "<h3>Volume</h3>" in content.text
    assert "<script>" not in content.text  # the hostile title never appears unescaped


def test_a_week_digested_twice_appears_once_with_the_latest_summary() -> None:
    old = build_digest(_week("2024-W44"))
    new = replace(old, generated_at=old.generated_at + timedelta(days=1), summary="Revised.")
    root = ET.fromstring(render_atom([new, old], feed_url=FEED, now=NOW))
    entries = root.findall("a:entry", NS)
    assert len(entries) == 1 and entries[0].findtext("a:summary", namespaces=NS) == "Revised."


def test_an_empty_feed_is_still_a_valid_feed() -> None:
    root = ET.fromstring(render_atom([], feed_url=FEED, now=NOW))
    assert root.findall("a:entry", NS) == []


def test_scraped_text_in_a_summary_cannot_break_the_xml() -> None:
    digest = build_digest(_week("2024-W44"))
    hostile = replace(digest, summary="Fish & <chips> \x01 ]]> \ufffe end")
    xml = render_atom([hostile], feed_url=FEED, now=NOW)
    entry = ET.fromstring(xml).find("a:entry", NS)
    assert entry.findtext("a:summary", namespaces=NS) == "Fish & <chips> ]]> end"


def test_a_relative_feed_url_or_naive_clock_is_refused() -> None:
    with pytest.raises(ReportError, match="absolute"):
        render_atom([], feed_url="feed.xml", now=NOW)
    with pytest.raises(ReportError, match="timezone-aware"):
        render_atom([], feed_url=FEED, now=datetime(2024, 11, 4))


def test_earlier_entries_are_read_back_from_the_feed_as_published(tmp_path) -> None:
    from monitor.report.atom import published_entries

    digests = [build_digest(_week(w)) for w in ("2024-W43", "2024-W44")]
    feed = tmp_path / "digests.atom"
    feed.write_text(render_atom(digests, feed_url=FEED, now=NOW), encoding="utf-8")
    kept = published_entries(feed)
    assert sorted(kept) == ["2024-W43", "2024-W44"]
    assert kept["2024-W44"].articles == 1
    assert kept["2024-W44"].summary == digests[1].summary
    again = ET.fromstring(render_atom([*kept.values()], feed_url=FEED, now=NOW))
    first = ET.fromstring(feed.read_text(encoding="utf-8"))
    for old, new in zip(first.findall("a:entry", NS), again.findall("a:entry", NS), strict=True):
        for tag in ("a:id", "a:title", "a:updated", "a:summary", "a:content"):
            assert old.findtext(tag, namespaces=NS) == new.findtext(tag, namespaces=NS)


def test_a_feed_that_is_not_ours_or_broken_gives_no_entries(tmp_path) -> None:
    from monitor.report.atom import published_entries

    broken = tmp_path / "broken.atom"
    broken.write_text("<feed", encoding="utf-8")
    assert published_entries(broken) == {}
    assert published_entries(tmp_path / "missing.atom") == {}
    old_ids = tmp_path / "old.atom"
    old_ids.write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>file:///d/2024-W43.html</id>'
        "<title>Digest 2024-W43: 3 pieces</title><updated>2024-10-28T06:00:00Z</updated>"
        "</entry></feed>",
        encoding="utf-8",
    )
    assert published_entries(old_ids) == {}
