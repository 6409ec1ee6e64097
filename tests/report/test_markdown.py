"""The Markdown digest: pasted into a wiki or a mail, it must read the same as the HTML and
scraped text must not turn into links, emphasis, HTML or broken tables.

The Markdown is rendered with markdown-it-py (CommonMark + tables, as GitHub does) to check
what a reader would actually see."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt
from selectolax.lexbor import LexborHTMLParser

from monitor.models import DigestInput
from monitor.report import build_digest, render_markdown

from .conftest import HOSTILE_SENTENCE, HOSTILE_TITLE, STRONGEST_P4, WeekBuilder


@pytest.fixture
def markdown(week: DigestInput) -> str:
    return render_markdown(build_digest(week))


def _as_html(markdown: str) -> LexborHTMLParser:
    return LexborHTMLParser(MarkdownIt("commonmark").enable("table").render(markdown))


def _section(markdown: str, heading: str) -> str:
    """The text from ``heading`` to the next heading of the same or a higher level."""
    level = heading.split(" ")[0]
    rest = markdown.split(heading + "\n", 1)[1]
    ends = [rest.find("\n" + "#" * n + " ") for n in range(1, len(level) + 1)]
    ends = [e for e in ends if e >= 0]
    return rest[: min(ends)] if ends else rest


def test_every_camp_and_all_ten_positions_appear(markdown: str) -> None:
    table = _section(markdown, "## Camp × position")
    for camp in ("Russian", "Chinese", "Western", "Korean", "Ukrainian"):
        assert f"| {camp} (" in table
    for i in range(1, 11):
        assert f"\n### P{i} · " in markdown
    assert "_Not addressed this week._" in _section(markdown, "### P7 · peace first")


def test_tables_stay_tables_with_the_right_counts(markdown: str) -> None:
    tree = _as_html(markdown)
    tables = tree.css("table")
    coverage = {
        r.css("td")[0].text(): [c.text() for c in r.css("td")[1:]]
        for r in tables[0].css("tbody tr")
    }
    assert coverage["Western"][:3] == ["3", "5", "−2"]
    assert coverage["All"][0] == "10"
    matrix = tables[2]
    assert len(matrix.css("thead th")) == 11
    western = next(r for r in matrix.css("tbody tr") if "Western" in r.text())
    assert [c.text() for c in western.css("td")][1:6] == ["·", "·", "−2", "−3", "−1"]
    for row in matrix.css("tbody tr"):
        assert len(row.css("td")) == 11  # no stray "|" split a row


def test_strongest_evidence_is_quoted_under_its_position(markdown: str) -> None:
    p4 = _section(markdown, "### P4 · troops unconfirmed")
    assert f"> {STRONGEST_P4}" in p4
    assert "[Thousands of North Korean soldiers reach Kursk](https://wire_en.example/news/5)" in p4
    assert "Сообщения о военных КНДР" in p4
    assert STRONGEST_P4 not in _section(markdown, "### P5 · treaty defensive")


def test_two_quotes_of_one_piece_stay_two_paragraphs(markdown: str) -> None:
    tree = _as_html(_section(markdown, "### P4 · troops unconfirmed"))
    quote = tree.css_first("blockquote")
    assert [p.text() for p in quote.css("p")] == [
        STRONGEST_P4,
        "Satellite images showed the units arriving.",
    ]


def test_hostile_title_and_sentence_are_shown_as_text(markdown: str) -> None:
    # Not every Markdown renderer refuses javascript: links as markdown-it does: the source
    # itself must hold no link syntax around one.
    assert not re.search(r"(?<!\\)\]\(javascript:", markdown)
    assert "\\](javascript:alert(1))" in markdown
    tree = _as_html(markdown)
    assert not tree.css("script")
    hrefs = [a.attributes.get("href") or "" for a in tree.css("a")]
    assert hrefs and all(h.startswith(("https://", "#")) for h in hrefs)
    text = tree.body.text()
    assert HOSTILE_TITLE in text
    assert HOSTILE_SENTENCE in text
    assert not [em for em in tree.css("em") if "units" in em.text()]  # "*units*" stays text
    assert not tree.css("b")  # "<b>" in the title is not bold
    assert "(link withheld: javascript:alert(1))" in text


def test_markdown_specials_in_outlet_names_do_not_break_rows(builder: WeekBuilder) -> None:
    builder.sources["wire_en"] = builder.sources["wire_en"].__class__(
        "wire_en", "Wire | Service_*Daily*", "west", "en"
    )
    builder.piece("wire_en", "1. A numbered title", stances={"P4": ("contest", -0.5, ("- a",))})
    md = render_markdown(build_digest(builder.build()))
    tree = _as_html(md)
    outlets = tree.css("table")[1]
    assert "Wire | Service_*Daily*" in [r.css("td")[0].text() for r in outlets.css("tbody tr")]
    assert "- a" in tree.css_first("blockquote").text()
    assert not tree.css("blockquote ul")


def test_an_empty_week_renders_and_says_so(builder: WeekBuilder) -> None:
    md = render_markdown(build_digest(builder.build()))
    assert "**No pieces were collected this week.**" in md
    assert md.count("_Not addressed this week._") == 10


def test_framing_table_has_a_row_per_camp(markdown: str) -> None:
    table = _as_html(_section(markdown, "## Framing")).css_first("table")
    rows = {
        r.css("td")[0].text(): [c.text() for c in r.css("td")[1:]] for r in table.css("tbody tr")
    }
    assert list(rows) == [
        "Russian (2)",
        "Chinese (1)",
        "Western (3)",
        "Korean (1)",
        "Ukrainian (1)",
    ]
    assert rows["Western (3)"][1] == "10\u202f000 · 11\u202f000 · 12\u202f000 (in 3)"
    assert rows["Russian (2)"][0] == "военные (1)"
