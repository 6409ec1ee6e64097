"""A Xinhua dispatch re-run by mainland portals and by a Hong Kong paper in Traditional
characters: one story, apart from three other Chinese stories on the topic."""

from __future__ import annotations

from typing import Any

from monitor.models import StoryMember
from monitor.stories import StoryIndex, fingerprint
from monitor.stories.normalise import fold


def _group(pieces: list[Any]) -> dict[str, int]:
    index, story_of = StoryIndex(), {}
    for article_id, piece in enumerate(pieces, 1):
        fp = fingerprint(piece.text)
        story = index.place(fp) or 1000 + article_id
        index.add(StoryMember(article_id, story, fp.exact, fp.signature_bytes(), fp.size), fp)
        story_of[piece.name] = story
    return story_of


def test_traditional_characters_read_as_simplified() -> None:
    assert fold("俄羅斯與朝鮮簽署條約") == fold("俄罗斯与朝鲜签署条约")
    assert fold("綫") == fold("線") == fold("线")  # a Hong Kong variant, then Simplified


def test_a_dispatch_rerun_in_traditional_characters_joins_its_story(
    wire_zh: list[Any], distinct_zh: list[Any]
) -> None:
    story_of = _group(distinct_zh[:2] + wire_zh + distinct_zh[2:])
    wire = {story_of[p.name] for p in wire_zh}
    assert len(wire) == 1
    others = [story_of[p.name] for p in distinct_zh]
    assert len(set(others)) == len(others) and not wire & set(others)
