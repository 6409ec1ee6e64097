"""Every piece of the week is reachable — not only the strongest three per position —
and each count in the digest links to the pieces behind it."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from monitor.models import DigestInput
from monitor.report import build_digest, render_html, render_json, render_markdown

from .conftest import WeekBuilder


@pytest.fixture
def crowded(builder: WeekBuilder, week: DigestInput) -> DigestInput:
    """The busy week plus six more Western pieces contesting P4: far more than the three
    "strongest pieces" a position shows."""
    for n in range(6):
        builder.piece(
            "bbc_en",
            f"Briefing {n}: troops seen near Kursk",
            stances={"P4": ("contest", -0.2 - n / 100, (f"Seoul said units moved ({n}).",))},
            day=n,
        )
    return builder.build()


def test_every_piece_is_in_the_html_json_and_markdown(crowded: DigestInput) -> None:
    digest = build_digest(crowded)
    titles = {a.title for a in crowded.articles}
    doc = render_json(digest)
    assert {p["title"] for p in doc["pieces"]} == {t for t in titles if "<script>" not in t} | {
        next(p["title"] for p in doc["pieces"] if "<script>" in p["title"])
    }
    assert len(doc["pieces"]) == len(crowded.articles) == 16
    rows = LexborHTMLParser(render_html(digest)).css("table.every tbody tr[id]")
    assert len(rows) == 16
    markdown = render_markdown(digest)
    assert all(f"Briefing {n}: troops seen near Kursk" in markdown for n in range(6))


def test_the_list_is_grouped_by_camp_in_the_digest_order(crowded: DigestInput) -> None:
    doc = render_json(build_digest(crowded))
    camps = [p["camp"] for p in doc["pieces"]]
    assert camps == sorted(camps, key=["ru", "cn", "west", "kr", "ua"].index)
    tree = LexborHTMLParser(render_html(build_digest(crowded)))
    groups = [t.attributes["id"] for t in tree.css("table.every tbody.camp")]
    assert groups == ["pieces-ru", "pieces-cn", "pieces-west", "pieces-kr", "pieces-ua"]


def test_each_piece_shows_its_mark_on_every_position(crowded: DigestInput) -> None:
    doc = render_json(build_digest(crowded))
    kyiv = next(p for p in doc["pieces"] if p["outlet"] == "Kyiv Independent")
    assert kyiv["stances"]["P4"]["stance"] == "contest"
    assert kyiv["stances"]["P1"]["stance"] == "absent"
    unread = next(p for p in doc["pieces"] if p["title"] == "Пхеньян и Москва обсудили торговлю")
    assert unread["stances"]["P4"] is None  # not compared yet: no mark, not "absent"
    tree = LexborHTMLParser(render_html(build_digest(crowded)))
    row = tree.css_first(f"tr#a{kyiv['article_id']}")
    marks = [td.text() for td in row.css("td.mk")]
    assert marks[3] == "−" and marks[0] == "·" and len(marks) == 10
    assert row.css("td.mk")[3].attributes["title"].startswith("P4: contest (confidence")


def test_camp_counts_link_to_the_camps_pieces(crowded: DigestInput) -> None:
    tree = LexborHTMLParser(render_html(build_digest(crowded)))
    western = next(
        tr for tr in tree.css("section#coverage tbody tr") if tr.css_first("td").text() == "Western"
    )
    link = western.css("td")[1].css_first("a")
    assert link.attributes["href"] == "#pieces-west" and link.text() == "9"
    assert len(tree.css("tbody#pieces-west tr[id]")) == 9


def test_a_camp_by_position_cell_links_to_exactly_the_pieces_behind_it(
    crowded: DigestInput,
) -> None:
    digest = build_digest(crowded)
    tree = LexborHTMLParser(render_html(digest))
    western = next(r for r in tree.css("table.matrix tbody tr") if "Western" in r.text())
    cell = western.css("td")[3]
    assert cell.css_first("a").attributes["href"] == "#P4-west"
    assert cell.css_first(".sym").text() == "−9"
    behind = tree.css_first("li#P4-west")
    assert len(behind.css_first("ul").css("li")) == 9
    assert "Briefing 5" in behind.text()
    doc = render_json(digest)
    p4 = next(p for p in doc["positions"] if p["id"] == "P4")
    assert len(p4["pieces"]["west"]) == 9 and len(p4["strongest"]) == 3
    assert {p["stance"] for p in p4["pieces"]["ru"]} == {"echo"}


def test_an_analysts_label_wins_in_the_list_of_every_piece(
    builder: WeekBuilder, week: DigestInput
) -> None:
    builder.correct(1, "P4", "contest", note="the doubt is the reporter's")
    digest = build_digest(builder.build())
    doc = render_json(digest)
    first = next(p for p in doc["pieces"] if p["article_id"] == 1)
    assert first["stances"]["P4"] == {
        "stance": "contest",
        "score": 0.0,
        "confidence": 1.0,
        "weak": False,
        "corrected": True,
    }
    row = LexborHTMLParser(render_html(digest)).css_first("tr#a1")
    assert row.css("td.mk")[3].text() == "−✎"
    p4 = next(p for p in doc["positions"] if p["id"] == "P4")
    # echo first: TASS still echoes; the labelled RIA piece now counts as contesting
    assert [(p["article_id"], p["stance"]) for p in p4["pieces"]["ru"]] == [
        (2, "echo"),
        (1, "contest"),
    ]


def test_a_weak_call_is_marked_in_the_list(builder: WeekBuilder, week: DigestInput) -> None:
    builder.weaken(5, "P4", 0.41)
    digest = build_digest(builder.build())
    row = LexborHTMLParser(render_html(digest)).css_first("tr#a5")
    assert row.css("td.mk")[3].text() == "−?"
    assert "| −? |" in render_markdown(digest)
