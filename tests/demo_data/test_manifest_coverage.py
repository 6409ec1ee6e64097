"""The manifest promises a demo worth reading: every camp and language, both weeks, every
baseline position both echoed and contested, and off-topic pieces for the filter to drop."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

CAMPS = {"ru", "cn", "west", "kr", "ua", "other"}
POSITIONS = [f"P{i}" for i in range(1, 11)]


def _on_topic(articles: list[dict]) -> list[dict]:
    return [a for a in articles if a["relevant"] and a["expect"] in ("stored", "feed_only")]


def test_every_entry_is_complete_and_dated_inside_the_two_weeks(articles) -> None:
    urls = [a["url"] for a in articles]
    assert len(urls) == len(set(urls)), "one entry per article URL"
    for a in articles:
        assert set(a["intended"]) == set(POSITIONS)
        assert set(a["intended"].values()) <= {"echo", "contest", "mixed", "absent"}
        published = datetime.fromisoformat(a["published"])
        assert published.tzinfo is not None, a["url"]
        assert date(2024, 10, 21) <= published.date() <= date(2024, 11, 3), a["url"]
        assert a["camp"] in CAMPS and a["language"] in {"en", "ru", "zh"}
        if not a["relevant"]:
            assert set(a["intended"].values()) == {"absent"}, "off-topic pieces take no side"
    weeks = Counter(datetime.fromisoformat(a["published"]).isocalendar()[1] for a in articles)
    assert set(weeks) == {43, 44} and min(weeks.values()) >= 15


def test_there_are_32_to_40_on_topic_pieces_from_every_camp(articles) -> None:
    on_topic = _on_topic(articles)
    assert 32 <= len(on_topic) <= 40
    per_camp = Counter(a["camp"] for a in on_topic)
    assert set(per_camp) == CAMPS and min(per_camp.values()) >= 3, per_camp


def test_russian_and_chinese_pieces_are_in_their_own_languages(articles) -> None:
    langs = Counter(a["language"] for a in _on_topic(articles))
    assert langs["ru"] >= 3 and langs["zh"] >= 4 and langs["en"] >= 25


def test_each_position_is_both_echoed_and_contested(articles) -> None:
    for p in POSITIONS:
        stances = Counter(a["intended"][p] for a in _on_topic(articles))
        assert stances["echo"] >= 1 and stances["contest"] >= 1, f"{p}: {stances}"
    mixed = sum(v == "mixed" for a in articles for v in a["intended"].values())
    assert mixed >= 2


def test_most_pieces_take_a_side_on_few_positions(articles) -> None:
    taken = [sum(v != "absent" for v in a["intended"].values()) for a in _on_topic(articles)]
    assert max(taken) <= 4 and sum(taken) / len(taken) < 3


def test_enough_off_topic_pieces_reach_the_relevance_filter(articles) -> None:
    off = [a for a in articles if not a["relevant"]]
    reach_filter = [a for a in off if a["expect"] in ("dropped_irrelevant", "feed_only")]
    assert len(off) >= 8 and len(reach_filter) >= 8


def test_the_hostile_cases_are_each_present(articles) -> None:
    cases = Counter(a["expect"] for a in articles)
    assert cases["http_404"] == 1 and cases["robots_disallowed"] == 1
    modes = Counter(a.get("feed_mode") for a in articles)
    assert modes["redirect"] == 1 and modes["alias"] >= 2
    assert any("utm_source=rss" in a.get("feed_url", "") for a in articles)
    assert any(a.get("charset") == "windows-1251" for a in articles)
