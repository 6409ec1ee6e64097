"""An analyst's week: one wire story re-run by ten outlets and ten other stories on the same
topic, stored as the crawler stores them. Every re-run lands in the wire story, listing
each outlet and camp with the wire as its origin; no two other stories merge; and a
restarted daemon still places the next re-run in the same story."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import timedelta
from typing import Any

from monitor.models import ExtractedArticle
from monitor.store import Store
from monitor.stories import StoryGrouper


def _store(store: Store, grouper: StoryGrouper, piece: Any) -> int:
    article = ExtractedArticle(
        url=f"https://{piece.outlet}.example/{piece.name}",
        title=piece.title,
        authors=(),
        published=piece.date,
        language="en",
        text=piece.text,
    )
    article_id, _ = store.upsert_article(
        article, source_id=piece.outlet, camp=piece.camp, capture_id=None, seen_at=piece.date
    )
    grouper.assign(article_id, article.text)
    return article_id


def test_every_rerun_joins_the_wire_story_and_no_other_story_merges(
    store: Store, wire: list[Any], distinct: list[Any]
) -> None:
    grouper = StoryGrouper(store)
    # arrival order is not publication order: the wire original comes in fifth
    arrivals = wire[1:5] + [wire[0]] + distinct[:5] + wire[5:] + distinct[5:]
    ids = {p.name: _store(store, grouper, p) for p in arrivals}

    found = store.stories_for(ids.values())
    by_story: dict[int, set[str]] = defaultdict(set)
    for name, article_id in ids.items():
        by_story[found[article_id].id].add(name)

    wire_story = found[ids["00-wire-origin"]]
    assert by_story[wire_story.id] == {p.name for p in wire}
    assert len(by_story) == 1 + len(distinct)  # each other story stands alone
    assert wire_story.origin.source_id == "pacific_wire"
    assert wire_story.origin.dated_at == wire[0].date
    assert {p.source_id for p in wire_story.pieces} == {p.outlet for p in wire}
    assert {p.camp for p in wire_story.pieces} == {"west", "kr", "ua", "ru", "cn", "other"}


def test_a_restarted_daemon_places_the_next_rerun_without_reading_any_text(
    store: Store, wire: list[Any], distinct: list[Any]
) -> None:
    first = StoryGrouper(store)
    ids = [_store(store, first, p) for p in wire[:6] + distinct]
    wire_story = store.stories_for([ids[0]])[ids[0]].id

    restarted = StoryGrouper(store)
    assert restarted.load() == len(ids)  # fingerprints read back from the store
    late = _store(store, restarted, wire[9])
    assert store.stories_for([late])[late].id == wire_story


def test_a_second_daemon_sharing_the_store_sees_what_the_first_grouped(
    store: Store, wire: list[Any]
) -> None:
    clock = [0.0]
    crawler_a = StoryGrouper(store, monotonic=lambda: clock[0])
    crawler_b = StoryGrouper(store, monotonic=lambda: clock[0])
    b_first = _store(store, crawler_b, wire[3])  # b has looked at the store once
    a_first = _store(store, crawler_a, wire[0])  # a stores the wire original later
    clock[0] += 10  # b looks again before placing its next piece
    b_next = _store(store, crawler_b, wire[2])
    found = store.stories_for([a_first, b_first, b_next])
    assert found[a_first].id == found[b_first].id == found[b_next].id


def test_an_earlier_carrier_found_late_becomes_the_origin(store: Store, wire: list[Any]) -> None:
    grouper = StoryGrouper(store)
    rerun = _store(store, grouper, wire[1])
    assert store.stories_for([rerun])[rerun].origin.source_id == wire[1].outlet
    earlier = replace(wire[0], date=wire[1].date - timedelta(hours=3))
    _store(store, grouper, earlier)
    assert store.stories_for([rerun])[rerun].origin.source_id == "pacific_wire"
