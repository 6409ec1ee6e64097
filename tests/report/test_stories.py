"""The digest counts stories beside pieces: a wire story re-run by several outlets is one
story, listed with its origin and every carrier, the camps that re-ran it are summed, and
the camp × position table can be read counted by story as well as by piece."""

from __future__ import annotations

from datetime import timedelta

from monitor.models import Story, StoryPiece
from monitor.report import build_digest, render_html, render_json, render_markdown

HOSTILE = "<script>alert(1)</script> Seoul: *troops* [moved](javascript:x)"


def _stories(builder, groups: list[list[int]], earlier: StoryPiece | None = None) -> dict:
    """Story records as the store hands them over: every piece of each group."""
    by_id = {a.id: a for a in builder.articles}
    found = {}
    for n, group in enumerate(groups, 1):
        pieces = [
            StoryPiece(a.id, a.source_id, a.camp, a.published_at, a.title, a.url)
            for a in (by_id[i] for i in group)
        ]
        if earlier is not None and n == 1:
            pieces.insert(0, earlier)
        story = Story(id=100 + n, pieces=tuple(sorted(pieces, key=lambda p: p.dated_at)))
        found.update({i: story for i in group})
    return found


def _wire_week(builder):
    echo = {"P4": ("echo", 0.6, ("Thousands of troops reached Kursk, Seoul said.",))}
    contest = {"P4": ("contest", -0.5, ("Moscow called the reports fake.",))}
    wire = builder.piece("wire_en", HOSTILE, stances=echo, day=0)
    reruns = [
        builder.piece("bbc_en", "Troops reach Kursk", stances=echo, day=1),
        builder.piece("tass_en", "Seoul repeats claims", stances=contest, day=1),
        builder.piece("ria_ru", "Сеул повторяет", stances=echo, day=2),
        builder.piece("yonhap_en", "NIS: troops at front", stances=echo, day=2),
    ]
    alone = builder.piece("gt_en", "Beijing unaware of troops", stances=contest, day=3)
    return wire, reruns, alone


def test_a_wire_story_rerun_by_four_outlets_counts_once(builder) -> None:
    wire, reruns, alone = _wire_week(builder)
    digest = build_digest(builder.build(stories=_stories(builder, [[wire, *reruns], [alone]])))

    assert (digest.articles, digest.stories, digest.outlets) == (6, 2, 6)
    camps = {c.camp: (c.count, c.stories, c.outlets) for c in digest.camps}
    assert camps["west"] == (2, 1, 2) and camps["ru"] == (2, 1, 2)
    [story, single] = digest.story_list
    assert story.origin.outlet == "Wire Service" and story.outlets == 5
    assert [c.outlet for c in story.carriers[1:]] == [
        "BBC News",
        "TASS (English)",
        "RIA Novosti",
        "Yonhap",
    ]
    assert single.outlets == 1
    flows = {(f.origin_camp, f.rerun_camp): (f.stories, f.pieces) for f in digest.wire_flows}
    assert flows == {("west", "west"): (1, 1), ("west", "ru"): (1, 2), ("west", "kr"): (1, 1)}


def test_the_camp_table_by_story_weighs_a_rerun_once(builder) -> None:
    wire, reruns, alone = _wire_week(builder)
    digest = build_digest(builder.build(stories=_stories(builder, [[wire, *reruns], [alone]])))
    p4 = [p.id for p in digest.positions].index("P4")
    by_piece = {row.camp: row.cells[p4] for row in digest.stance_table}
    by_story = {row.camp: row.cells[p4] for row in digest.story_table}
    assert (by_piece["west"].echo, by_story["west"].echo) == (2, 1)
    # the Russian camp's two pieces of one story split echo/contest: one mixed story
    assert (by_piece["ru"].echo, by_piece["ru"].contest) == (1, 1)
    assert (by_story["ru"].mixed, by_story["ru"].total) == (1, 1)
    data = render_json(digest)
    assert data["totals"]["stories"] == 2
    assert data["story_table"][0].keys() == data["stance_table"][0].keys()
    balance = data["stories"][0]["balance"]["P4"]
    assert balance["ru"]["echo"] == 1 and balance["ru"]["contest"] == 1
    assert balance["west"]["echo"] == 2


def test_an_origin_from_an_earlier_week_is_named(builder) -> None:
    wire, reruns, _ = _wire_week(builder)
    earlier = StoryPiece(
        999, "xinhua_zh", "cn", builder.start - timedelta(days=2), "新华社电", "https://x.example/1"
    )
    digest = build_digest(builder.build(stories=_stories(builder, [reruns], earlier=earlier)))
    story = digest.story_list[0]
    assert story.origin.outlet == "新华社 Xinhua" and not story.origin.this_week
    assert story.pieces == 4 and story.outlets == 5
    assert "another week" in render_markdown(digest)


def test_ungrouped_pieces_count_as_their_own_stories(builder) -> None:
    _wire_week(builder)
    digest = build_digest(builder.build())
    assert digest.stories == digest.articles == 6
    assert digest.story_list == () and digest.wire_flows == ()


def test_scraped_headlines_in_the_story_list_are_escaped(builder) -> None:
    wire, reruns, alone = _wire_week(builder)
    digest = build_digest(builder.build(stories=_stories(builder, [[wire, *reruns], [alone]])))
    html = render_html(digest)
    assert 'id="stories"' in html and "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html
    md = render_markdown(digest)
    assert "## Stories and wire copy" in md and "[moved](javascript:" not in md
