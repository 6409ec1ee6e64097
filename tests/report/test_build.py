"""The numbers in the digest: what an analyst reads off it must match the week's pieces."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from monitor.errors import ReportError
from monitor.models import DigestInput, Evidence, StoredStance
from monitor.report import Digest, build_digest
from monitor.report.model import CampCoverage, PositionDigest

from .conftest import END, START, STRONGEST_P4, WeekBuilder


def _camp(digest: Digest, camp: str) -> CampCoverage:
    return next(c for c in digest.camps if c.camp == camp)


def _position(digest: Digest, pid: str) -> PositionDigest:
    return next(p for p in digest.positions if p.id == pid)


def test_pieces_are_counted_per_camp_with_last_weeks_change(week: DigestInput) -> None:
    digest = build_digest(week)
    assert digest.articles == 10 and digest.outlets == 8
    assert [(c.name, c.count, c.previous, c.change) for c in digest.camps] == [
        ("Russian", 3, 1, 2),
        ("Chinese", 2, 0, 2),
        ("Western", 3, 5, -2),
        ("Korean", 1, 0, 1),
        ("Ukrainian", 1, 0, 1),
    ]
    assert digest.not_compared == 1
    assert _camp(digest, "ru").compared == 2


def test_every_outlet_is_listed_even_a_silent_one(week: DigestInput) -> None:
    counts = {s.name: (s.camp, s.count) for s in build_digest(week).sources}
    assert counts["Wire Service"] == ("west", 2)
    assert counts["RIA Novosti"] == ("ru", 2)
    assert counts["新华社 Xinhua"] == ("cn", 1)
    assert counts["Quiet Weekly"] == ("west", 0)
    assert len(counts) == 9


def test_stance_table_counts_each_camps_pieces_per_position(week: DigestInput) -> None:
    digest = build_digest(week)
    table = {row.camp: row for row in digest.stance_table}
    p4 = [p.id for p in digest.positions].index("P4")
    assert (table["west"].cells[p4].contest, table["west"].cells[p4].echo) == (3, 0)
    assert (table["ru"].cells[p4].echo, table["ru"].cells[p4].contest) == (2, 0)
    assert table["cn"].cells[p4].total == 0
    assert all(len(row.cells) == 10 for row in digest.stance_table)


def test_all_ten_positions_are_listed_and_unaddressed_ones_say_so(week: DigestInput) -> None:
    digest = build_digest(week)
    assert [p.id for p in digest.positions] == [f"P{i}" for i in range(1, 11)]
    silent = {p.id for p in digest.positions if not p.addressed}
    assert silent == {"P1", "P7", "P8"}
    p7 = _position(digest, "P7")
    assert p7.strongest == () and p7.by_camp == ()
    assert p7.claim.startswith("Avoiding a clash")


def test_strongest_pieces_keep_both_directions(week: DigestInput) -> None:
    p4 = _position(build_digest(week), "P4")
    scores = [piece.score for piece in p4.strongest]
    assert scores == [-0.9, 0.8, -0.8]  # the echo makes the cut though two contests are stronger
    top = p4.strongest[0]
    assert top.quotes[0].sentence == STRONGEST_P4
    assert (top.outlet, top.camp_name, top.language) == ("Wire Service", "Western", "en")
    assert p4.strongest[1].language == "ru"


def test_the_echo_side_is_kept_even_when_it_is_the_weakest(builder: WeekBuilder) -> None:
    for i, score in enumerate((-0.9, -0.8, -0.7, -0.6)):
        builder.piece("wire_en", f"Contest {i}", stances={"P4": ("contest", score, ("c",))})
    builder.piece("tass_en", "Faint echo", stances={"P4": ("echo", 0.1, ("e",))})
    p4 = _position(build_digest(builder.build()), "P4")
    assert [p.title for p in p4.strongest] == ["Contest 0", "Contest 1", "Faint echo"]


def test_framing_gives_labels_troop_figures_and_epistemic_shares(week: DigestInput) -> None:
    west = next(f for f in build_digest(week).framing if f.camp == "west")
    assert west.pieces == 3
    assert [(t.label, t.count) for t in west.labels][:1] == [("troops", 3)]  # "Troops" folded in
    assert west.troops is not None
    assert (west.troops.low, west.troops.median, west.troops.high) == (10000, 11000.0, 12000)
    shares = {s.label: round(s.share, 2) for s in west.epistemic}
    assert shares == {"asserted": 0.33, "attributed": 0.67}
    assert [t.label for t in west.cited][0] == "Pentagon"


def test_crawl_health_puts_the_failing_source_first(week: DigestInput) -> None:
    crawl = build_digest(week).crawl
    assert (crawl[0].name, crawl[0].state) == ("Yonhap", "failing")
    assert crawl[0].last_error == "HTTP 503 Service Unavailable"
    states = {r.name: r.state for r in crawl}
    assert states["Wire Service"] == "ok" and states["Kyiv Independent"] == "never"


def test_the_summary_reads_off_the_same_numbers(week: DigestInput) -> None:
    summary = build_digest(week).summary
    assert summary.startswith("Volume: 10 pieces from 8 outlets")
    assert "Western, Korean and Ukrainian contest it (5 of 5 calls)" in summary
    assert "Russian echoes it (2 of 2 calls)" in summary
    assert "1 piece not yet compared" in summary
    assert "Blind spots: 1 source failing at the last run (Yonhap)" in summary


def test_an_empty_week_still_makes_a_digest_that_says_so(builder: WeekBuilder) -> None:
    builder.previous = {"west": 4}
    digest = build_digest(builder.build())
    assert digest.empty and digest.articles == 0
    assert digest.summary.startswith("Volume: No pieces on the story were collected in 2024-W44")
    assert "last week there were 4" in digest.summary
    assert len(digest.positions) == 10 and not any(p.addressed for p in digest.positions)
    assert [c.count for c in digest.camps] == [0, 0, 0, 0, 0]


def test_stances_of_another_version_and_unknown_positions_are_reported(
    builder: WeekBuilder,
) -> None:
    a = builder.piece("wire_en", "One", stances={"P4": ("contest", -0.5, ("x",))})
    b = builder.piece("bbc_en", "Two")
    builder.stances[b] = (
        StoredStance(b, "P4", "echo", 0.4, (Evidence("y", "echo", 0.4),), "pos-v2"),
        StoredStance(b, "P99", "echo", 0.9, (), "pos-v2"),
    )
    digest = build_digest(builder.build())
    assert digest.positions_versions == ("pos-v1-3f2a", "pos-v2")
    assert _position(digest, "P4").totals.total == 2
    assert a in {p.article_id for p in _position(digest, "P4").strongest}


def test_text_is_tamed_when_the_digest_is_built(builder: WeekBuilder) -> None:
    builder.piece(
        "wire_en",
        "Line one\nline\u202e two\x00" + "x" * 1000,
        stances={"P4": ("contest", -0.5, ("A\x07 sentence\r\nsplit",))},
    )
    piece = _position(build_digest(builder.build()), "P4").strongest[0]
    assert piece.title.startswith("Line one line two")
    assert len(piece.title) <= 300 and piece.title.endswith("…")
    assert piece.quotes[0].sentence == "A sentence split"


def test_an_input_whose_bounds_are_not_its_week_is_refused(builder: WeekBuilder) -> None:
    with pytest.raises(ReportError, match="2024-W44 runs from 2024-10-28"):
        build_digest(builder.build(start=START + timedelta(days=1)))
    with pytest.raises(ReportError, match="naive"):
        build_digest(builder.build(generated_at=datetime(2024, 11, 4)))
    with pytest.raises(ReportError, match="not an ISO week"):
        build_digest(builder.build(week="2024-44", start=START, end=END))


def test_a_piece_from_an_unconfigured_outlet_still_counts(builder: WeekBuilder) -> None:
    builder.piece("wire_en", "Kept")
    data = builder.build()
    orphan = replace(data.articles[0], id=99, source_id="gone_en")
    digest = build_digest(replace(data, articles=(*data.articles, orphan)))
    assert {s.source_id: s.count for s in digest.sources}["gone_en"] == 1
    assert _camp(digest, "west").count == 2
