"""The HTML digest: one file an analyst opens offline, that shows everything and that
scraped text cannot turn against them."""

from __future__ import annotations

import re

import pytest
from selectolax.lexbor import LexborHTMLParser

from monitor.models import DigestInput
from monitor.report import build_digest, render_html

from .conftest import HOSTILE_SENTENCE, STRONGEST_P4, WeekBuilder


@pytest.fixture
def page(week: DigestInput) -> str:
    return render_html(build_digest(week))


def test_the_page_is_utf8_and_shows_russian_and_chinese_text(page: str) -> None:
    tree = LexborHTMLParser(page)
    assert tree.css_first("meta[charset]").attributes["charset"].lower() == "utf-8"
    assert "Слухи о северокорейских войсках под Курском" in page
    assert "中俄双方就半岛问题保持密切沟通。" in page
    assert "Noto Sans CJK SC" in page  # a font stack that has the glyphs


def test_sections_come_in_the_order_an_analyst_reads_them(page: str) -> None:
    ids = [n.attributes["id"] for n in LexborHTMLParser(page).css("main > section")]
    assert ids == [
        "coverage",
        "stories",
        "stances",
        "trends",
        "positions",
        "pieces",
        "framing",
        "crawl",
    ]
    tree = LexborHTMLParser(page)
    assert "At a glance" in tree.css_first("header .glance").text()
    assert "lexical" in tree.css_first("footer").text()
    assert "pos-v1-3f2a" in tree.css_first("footer").text()


def test_every_camp_and_all_ten_positions_appear(page: str) -> None:
    tree = LexborHTMLParser(page)
    camps = [n.text().split(" (")[0] for n in tree.css("table.matrix tbody th")]
    assert camps == ["Russian", "Chinese", "Western", "Korean", "Ukrainian"]
    articles = [n.attributes["id"] for n in tree.css("section#positions article")]
    assert articles == [f"P{i}" for i in range(1, 11)]
    assert "Not addressed this week." in tree.css_first("article#P7").text()


def test_coverage_table_shows_counts_per_camp_and_outlet(page: str) -> None:
    tree = LexborHTMLParser(page)
    rows = {
        cells[0].text(): [c.text() for c in cells[1:]]
        for tr in tree.css("section#coverage table:first-of-type tbody tr")
        if (cells := tr.css("td, th"))
    }
    assert rows["Western"][:3] == ["3", "5", "−2"]
    assert rows["All"][0] == "10"
    outlets = {
        tr.css("td")[0].text(): tr.css("td")[2].text()
        for tr in tree.css("section#coverage table")[1].css("tbody tr")
    }
    assert outlets["Wire Service"] == "2" and outlets["Quiet Weekly"] == "0"


def test_stance_cells_carry_symbols_and_an_accessible_bar(page: str) -> None:
    tree = LexborHTMLParser(page)
    western = next(r for r in tree.css("table.matrix tbody tr") if "Western" in r.text())
    p4 = western.css("td")[3]
    assert p4.css_first(".sym").text() == "−3"
    svg = p4.css_first("svg")
    assert svg.attributes["role"] == "img"
    assert svg.css_first("title").text() == "Western, P4: 0 echo, 3 contest, 0 mixed"
    assert western.css("td")[0].text() == "·"


def test_strongest_evidence_is_quoted_under_its_position_in_its_language(page: str) -> None:
    tree = LexborHTMLParser(page)
    p4 = tree.css_first("article#P4")
    first = p4.css_first("ol.pieces li")
    assert first.css_first("blockquote").text() == STRONGEST_P4
    link = first.css_first("a")
    assert link.attributes["href"] == "https://wire_en.example/news/5"
    assert link.text() == "Thousands of North Korean soldiers reach Kursk"
    russian = [q for q in p4.css("blockquote") if q.attributes.get("lang") == "ru"]
    assert russian and "КНДР" in russian[0].text()
    assert STRONGEST_P4 not in tree.css_first("article#P5").text()


def test_hostile_title_and_sentence_stay_inert(page: str) -> None:
    tree = LexborHTMLParser(page)
    assert "<script" not in page.lower()
    assert not tree.css("script")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    hrefs = [a.attributes.get("href") or "" for a in tree.css("a")]
    assert not [h for h in hrefs if not h.startswith(("https://", "http://", "#"))]
    p3 = tree.css_first("article#P3")
    assert "link withheld: javascript:alert(1)" in p3.text()
    assert HOSTILE_SENTENCE in p3.text()  # shown, as text
    assert not p3.css("blockquote a")


def test_the_page_needs_nothing_from_the_network(page: str) -> None:
    tree = LexborHTMLParser(page)
    assert not tree.css("link[rel=stylesheet], img, iframe, object, embed, script")
    for node in tree.css("[src]"):
        pytest.fail(f"external resource: {node.html}")
    assert not re.search(r"@import|url\(", page)
    assert "Content-Security-Policy" in page


def test_an_empty_week_renders_and_says_so(builder: WeekBuilder) -> None:
    page = render_html(build_digest(builder.build()))
    tree = LexborHTMLParser(page)
    assert "No pieces were collected this week." in tree.css_first("section#coverage").text()
    assert len(tree.css("section#positions article")) == 10
    assert page.count("Not addressed this week.") == 10
    assert "No framing recorded this week." in page


def test_framing_compares_the_camps_side_by_side(page: str) -> None:
    tree = LexborHTMLParser(page)
    rows = {
        r.css_first("th").text(deep=False).strip(): [c.text() for c in r.css("td")]
        for r in tree.css("section#framing tbody tr")
    }
    assert list(rows) == ["Russian", "Chinese", "Western", "Korean", "Ukrainian"]
    assert rows["Western"][0] == "troops (3), soldiers (1)"
    assert rows["Western"][1].startswith("10\u202f000 · 11\u202f000 · 12\u202f000")
    assert "attributed 67%" in rows["Western"][2]
    assert rows["Ukrainian"][0] == "mercenaries (1)"
    assert "cannon fodder (1)" in rows["Ukrainian"][4]
    assert rows["Chinese"][1] == "none claimed"


def test_a_failing_source_heads_the_crawl_table(page: str) -> None:
    first = LexborHTMLParser(page).css_first("section#crawl tbody tr")
    cells = [c.text() for c in first.css("td")]
    assert cells[:2] == ["Yonhap", "FAILING"]
    assert cells[4] == "HTTP 503 Service Unavailable"
    assert cells[5] == "fetched 2, skipped:status 5"


def test_a_temporary_directory_that_cannot_hold_a_cache_costs_nothing_but_a_compile(
    week: DigestInput, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compiled-template cache is a speed-up only: no temporary directory, or one
    that refuses writes, must not stop a digest."""
    import tempfile

    from jinja2 import Environment, PackageLoader

    from monitor.report import templating

    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_directory))
    assert templating.bytecode_cache() is None
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir(mode=0o700)
    cache = templating._SpeedUpOnly(str(cache_dir))
    cache_dir.rmdir()  # gone by the time a compiled template is written (even for root)
    env = Environment(
        loader=PackageLoader("monitor.report", "templates"), bytecode_cache=cache, autoescape=True
    )
    env.filters.update(templating.html_environment().filters)
    env.globals.update(templating.html_environment().globals)
    html = env.get_template("digest.html").render(d=build_digest(week))
    assert "At a glance" in html
