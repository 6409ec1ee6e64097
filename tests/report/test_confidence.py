"""How sure each call is, in every output: the differ's confidence beside each quoted
piece, weak calls marked as weak and counted per cell, an analyst's correction shown as
such with its note, and as many positions as positions.yaml holds (P11, P12…)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from markdown_it import MarkdownIt
from selectolax.lexbor import LexborHTMLParser

from monitor.models import PositionInfo
from monitor.report import build_digest, render_html, render_json, render_markdown

from .conftest import POSITIONS, WeekBuilder

NOTE = "Seoul's figures are <b>confirmed</b> [here](javascript:alert(1)) | by the Pentagon."


@pytest.fixture
def unsure(builder: WeekBuilder) -> WeekBuilder:
    """Three Western P4 calls: one weak, one sure, one an analyst overruled."""
    weak = builder.piece(
        "wire_en", "Weak call", stances={"P4": ("contest", -0.9, ("Units were seen.",))}
    )
    sure = builder.piece(
        "bbc_en", "Sure call", stances={"P4": ("contest", -0.5, ("Seoul confirmed it.",))}
    )
    fixed = builder.piece(
        "quiet_en", "Fixed call", stances={"P4": ("echo", 0.3, ("Nobody confirmed it.",))}
    )
    builder.weaken(weak, "P4", 0.52)
    builder.weaken(sure, "P4", 0.6)  # at the threshold: not weak
    builder.weaken(fixed, "P4", 0.41)
    builder.correct(fixed, "P4", "contest", note=NOTE, by="jdoe", score=-1.0)
    return builder


def _li(page: LexborHTMLParser, title: str):
    return next(li for li in page.css("article#P4 ol.pieces li") if title in li.text())


def test_html_marks_a_weak_call_weak_and_shows_every_calls_confidence(unsure) -> None:
    page = LexborHTMLParser(render_html(build_digest(unsure.build())))
    weak, sure = _li(page, "Weak call"), _li(page, "Sure call")
    assert "weak" in weak.attributes["class"].split()
    assert weak.css_first(".tag.weak").text() == "weak"
    assert "confidence 0.52" in weak.text()
    assert "weak" not in sure.attributes["class"].split() and not sure.css(".tag.weak")
    assert "confidence 0.60" in sure.text()


def test_markdown_and_json_mark_the_same_call_weak(unsure) -> None:
    digest = build_digest(unsure.build())
    md = render_markdown(digest)
    assert "**− contest −0.90** (weak, 0.52) [Weak call]" in md
    assert "**− contest −0.50** (confidence 0.60) [Sure call]" in md
    p4 = next(p for p in render_json(digest)["positions"] if p["id"] == "P4")
    calls = {c["title"]: c for c in p4["strongest"]}
    assert (calls["Weak call"]["confidence"], calls["Weak call"]["weak"]) == (0.52, True)
    assert (calls["Sure call"]["confidence"], calls["Sure call"]["weak"]) == (0.6, False)
    assert calls["Sure call"]["correction"] is None


def test_weak_calls_still_count_and_each_cell_says_how_many(unsure) -> None:
    digest = build_digest(unsure.build())
    west = next(r for r in digest.stance_table if r.camp == "west")
    p4 = west.cells[[p.id for p in digest.positions].index("P4")]
    assert (p4.contest, p4.weak, p4.corrected) == (3, 1, 1)
    assert (digest.calls.total, digest.calls.weak, digest.calls.corrected) == (3, 1, 1)
    assert "1 of 3 stance calls counted is weak (differ confidence under 0.60)" in digest.summary
    assert "1 was set by an analyst" in digest.summary

    page = LexborHTMLParser(render_html(digest))
    row = next(r for r in page.css("table.matrix tbody tr") if "Western" in r.text())
    cell = row.css("td")[3]
    assert cell.css_first(".sym").text() == "−3"
    assert cell.css_first(".calls").text() == "1 weak, 1 by analyst"
    assert "3 calls counted, 1 weak, 1 set by an analyst" in page.css_first("#stances").text()

    md = render_markdown(digest)
    assert "| Western (3) | · | · | · | −3 (1 weak, 1 by analyst) |" in md
    assert "- Western: −3 (1 weak, 1 by analyst)" in md

    doc = render_json(digest)
    cell_json = next(r for r in doc["stance_table"] if r["camp"] == "west")["positions"]["P4"]
    assert cell_json == {"echo": 0, "contest": 3, "mixed": 0, "weak": 1, "corrected": 1}
    assert doc["calls"] == {
        "echo": 0,
        "contest": 3,
        "mixed": 0,
        "weak": 1,
        "corrected": 1,
        "total": 3,
    }
    assert doc["weak_below"] == 0.6


def test_a_week_without_doubt_says_nothing_about_it(week) -> None:
    digest = build_digest(week)
    assert digest.calls.weak == digest.calls.corrected == 0
    assert "weak" not in digest.summary and "analyst" not in digest.summary
    assert "analyst corrections" not in render_html(digest).lower()


def test_an_analysts_call_is_marked_with_its_note_everywhere(unsure) -> None:
    digest = build_digest(unsure.build())
    page = LexborHTMLParser(render_html(digest))
    fixed = _li(page, "Fixed call")
    assert fixed.css_first(".badge").text() == "− contest −1.00"
    assert fixed.css_first(".tag.analyst").text() == "analyst-corrected"
    assert "differ said echo, 0.41" in fixed.text()
    assert not fixed.css(".tag.weak")  # the differ was unsure; the analyst is not
    assert NOTE in fixed.css_first(".analyst-note").text()
    assert "jdoe" in fixed.css_first(".analyst-note").text()
    # the week's corrections, listed whether or not the piece made "strongest"
    rows = page.css("section#corrections tbody tr")
    assert len(rows) == 1
    cells = [c.text() for c in rows[0].css("td")]
    assert cells[0].startswith("P4") and "Fixed call" in cells[1]
    assert (cells[2], cells[3], cells[4]) == ("− contest", "echo 0.41", NOTE)

    md = render_markdown(digest)
    assert "**− contest −1.00** (analyst-corrected; differ said echo, 0.41) [Fixed call]" in md
    assert "## Analyst corrections" in md

    doc = render_json(digest)
    [correction] = doc["corrections"]
    assert (correction["position"], correction["title"], correction["stance"]) == (
        "P4",
        "Fixed call",
        "contest",
    )
    assert (correction["confidence"], correction["weak"], correction["corrected"]) == (
        1.0,
        False,
        True,
    )
    assert correction["correction"]["note"] == NOTE
    assert correction["correction"]["differ_stance"] == "echo"
    assert correction["correction"]["differ_confidence"] == 0.41
    assert correction["correction"]["labelled_by"] == "jdoe"


def test_a_hostile_note_stays_text(unsure) -> None:
    digest = build_digest(unsure.build())
    html = render_html(digest)
    page = LexborHTMLParser(html)
    assert not page.css(".analyst-note b, section#corrections b")
    assert "&lt;b&gt;confirmed&lt;/b&gt;" in html
    hrefs = [a.attributes.get("href") or "" for a in page.css("a")]
    assert not [h for h in hrefs if h.startswith("javascript")]

    rendered = LexborHTMLParser(
        MarkdownIt("commonmark").enable("table").render(render_markdown(digest))
    )
    assert not rendered.css("b")
    assert all(
        (a.attributes.get("href") or "").startswith(("https://", "#")) for a in rendered.css("a")
    )
    table = next(t for t in rendered.css("table") if "Differ said" in t.text())
    [row] = table.css("tbody tr")
    assert len(row.css("td")) == 6  # the "|" in the note did not split the row
    assert NOTE in row.text()


def test_twelve_positions_are_all_shown_in_natural_order(builder: WeekBuilder) -> None:
    extra = (
        PositionInfo("P12", "twelfth", "A twelfth claim."),
        PositionInfo("P11", "eleventh", "An eleventh claim."),
    )
    # positions.yaml order need not be natural: the digest shows P1, P2, …, P10, P11, P12
    builder.positions = (*extra, *reversed(POSITIONS))
    builder.piece(
        "wire_en",
        "Beyond ten",
        stances={
            "P11": ("contest", -0.7, ("An eleventh sentence.",)),
            "P12": ("echo", 0.6, ("A twelfth sentence.",)),
        },
    )
    digest = build_digest(builder.build())
    ids = [f"P{i}" for i in range(1, 13)]
    assert [p.id for p in digest.positions] == ids

    page = LexborHTMLParser(render_html(digest))
    assert [th.text() for th in page.css("table.matrix thead th")][1:] == ids
    assert [a.attributes["id"] for a in page.css("section#positions article")] == ids
    assert "Positions P1–P12" in page.css_first("nav").text()
    assert page.css_first("section#positions h2").text() == "Positions P1–P12"
    west = next(r for r in page.css("table.matrix tbody tr") if "Western" in r.text())
    assert [c.css_first(".sym").text() for c in west.css("td")[10:]] == ["−1", "+1"]
    assert "An eleventh sentence." in page.css_first("article#P11").text()
    assert "12 positions" in page.css_first("footer").text()

    md = render_markdown(digest)
    assert "## Positions P1–P12" in md
    assert md.index("### P10 · ") < md.index("### P11 · eleventh") < md.index("### P12 · twelfth")
    assert "| Camp | P1 | P2 | P3 | P4 | P5 | P6 | P7 | P8 | P9 | P10 | P11 | P12 |" in md

    doc = render_json(digest)
    assert [p["id"] for p in doc["positions"]] == ids
    west_json = next(r for r in doc["stance_table"] if r["camp"] == "west")
    assert list(west_json["positions"]) == ids
    assert west_json["positions"]["P11"]["contest"] == 1


def test_a_correction_on_an_unanalysed_position_adds_no_version(builder: WeekBuilder) -> None:
    a = builder.piece("wire_en", "Labelled only", stances={"P4": ("echo", 0.4, ("x",))})
    builder.stances[a] = tuple(
        replace(s, positions_version="") if s.position_id == "P4" else s for s in builder.stances[a]
    )
    builder.correct(a, "P4", "contest")
    assert build_digest(builder.build()).positions_versions == ("pos-v1-3f2a",)
