"""Stance confidence and analyst corrections in the store.

The differ's confidence travels with each stance row. An analyst's label lives in its own
table: re-analysis replaces the differ's rows and never touches it, and every read of
stances lets the label win while keeping what the differ had said beside it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from monitor.errors import StoreError
from monitor.models import DiffResult, Evidence, Framing, PositionResult
from monitor.store.schema import corrections, stances

T0 = datetime(2024, 11, 1, 12, 0, tzinfo=UTC)
ECHO = Evidence("Nobody has confirmed the reports of troops.", "echo", 0.5, ("unconfirmed",), 1)
CONTEST = Evidence("Satellite images show the units at the front.", "contest", -0.7, (), 2)


def _diff(
    version: str = "v1",
    *,
    p4: str = "mixed",
    p4_score: float = 0.1,
    p4_confidence: float = 0.52,
    count: int = 10,
) -> DiffResult:
    positions = {
        f"P{i}": PositionResult(f"P{i}", "absent", 0.0, confidence=0.9) for i in range(1, count + 1)
    }
    positions["P4"] = PositionResult("P4", p4, p4_score, (ECHO, CONTEST), p4_confidence)
    return DiffResult(positions, Framing(), "en", "lexical", version)


@pytest.fixture
def article_id(store, piece) -> int:
    return store.upsert_article(
        piece(), source_id="wire", camp="west", capture_id=None, seen_at=T0
    )[0]


def _p(store, article_id: int, position_id: str):
    return next(
        s for s in store.stances_for([article_id])[article_id] if s.position_id == position_id
    )


def _rows(store, table) -> int:
    with store._engine.connect() as conn:  # the rows themselves, not the API's view
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


# ── confidence ──────────────────────────────────────────────────────────────────────


def test_each_stance_keeps_the_differs_confidence(store, article_id) -> None:
    store.save_diff(article_id, _diff(p4_confidence=0.52))
    p4 = _p(store, article_id, "P4")
    assert p4.confidence == pytest.approx(0.52)
    assert p4.weak and p4.correction is None
    assert _p(store, article_id, "P1").confidence == pytest.approx(0.9)
    assert not _p(store, article_id, "P1").weak


def test_a_new_analysis_replaces_the_confidence(store, article_id) -> None:
    store.save_diff(article_id, _diff(p4_confidence=0.52))
    store.save_diff(article_id, _diff(p4_confidence=0.97))
    assert _p(store, article_id, "P4").confidence == pytest.approx(0.97)


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_a_confidence_outside_zero_to_one_is_refused(store, article_id, bad) -> None:
    with pytest.raises(StoreError, match="confidence must lie in"):
        store.save_diff(article_id, _diff(p4_confidence=bad))
    assert _rows(store, stances) == 0  # nothing half-written


# ── corrections ─────────────────────────────────────────────────────────────────────


def test_a_correction_wins_and_keeps_what_the_differ_said(store, article_id) -> None:
    store.save_diff(article_id, _diff(p4="mixed", p4_score=0.1, p4_confidence=0.52))
    saved = store.set_correction(
        article_id, "P4", "contest", note="The troops are confirmed.", labelled_by="jdoe"
    )
    assert (saved.labelled_by, saved.labelled_at, saved.note) == (
        "jdoe",
        datetime(2024, 11, 4, 9, 0, tzinfo=UTC),  # the store's clock (tests/store/conftest)
        "The troops are confirmed.",
    )
    p4 = _p(store, article_id, "P4")
    assert (p4.stance, p4.confidence, p4.weak) == ("contest", 1.0, False)
    assert p4.correction == saved
    assert (p4.differ_stance, p4.differ_confidence) == ("mixed", pytest.approx(0.52))
    assert p4.score == -1.0  # the differ's +0.1 points the other way
    assert p4.evidence == (CONTEST,)  # only the sentences that back the label
    assert p4.positions_version == "v1"
    assert _p(store, article_id, "P5").correction is None  # other positions: the differ's


def test_a_correction_that_agrees_in_direction_keeps_the_differs_score(store, article_id) -> None:
    store.save_diff(article_id, _diff(p4="contest", p4_score=-0.4))
    store.set_correction(article_id, "P4", "contest", labelled_by="jdoe")
    assert _p(store, article_id, "P4").score == pytest.approx(-0.4)


def test_re_analysis_never_touches_a_correction(store, article_id) -> None:
    store.save_diff(article_id, _diff("v1"))
    store.set_correction(article_id, "P4", "echo", note="Doubt is the point.", labelled_by="jdoe")
    store.save_diff(article_id, _diff("v2", p4="contest", p4_score=-0.8, p4_confidence=0.81))
    assert _rows(store, corrections) == 1
    assert _rows(store, stances) == 10
    p4 = _p(store, article_id, "P4")
    assert (p4.stance, p4.correction.note) == ("echo", "Doubt is the point.")
    assert (p4.differ_stance, p4.differ_confidence) == ("contest", pytest.approx(0.81))
    assert p4.positions_version == "v2"


def test_a_changed_text_drops_the_differs_stances_but_not_the_label(
    store, article_id, piece
) -> None:
    store.save_diff(article_id, _diff())
    store.set_correction(article_id, "P4", "echo", labelled_by="jdoe")
    store.upsert_article(
        piece(text="A rewritten piece about the troops."),
        source_id="wire",
        camp="west",
        capture_id=None,
        seen_at=T0 + timedelta(hours=1),
    )
    assert _rows(store, stances) == 0
    only = store.stances_for([article_id])[article_id]
    assert [(s.position_id, s.stance, s.differ_stance) for s in only] == [("P4", "echo", None)]
    assert only[0].positions_version == ""  # the differ has not analysed it again yet


def test_relabelling_replaces_the_label(store, article_id) -> None:
    store.save_diff(article_id, _diff())
    store.set_correction(article_id, "P4", "echo", note="first", labelled_by="jdoe")
    later = T0 + timedelta(days=3)
    store.set_correction(article_id, "P4", "absent", labelled_by="mkim", at=later)
    assert _rows(store, corrections) == 1
    [label] = store.corrections()
    assert (label.stance, label.note, label.labelled_by, label.labelled_at) == (
        "absent",
        None,
        "mkim",
        later,
    )
    p4 = _p(store, article_id, "P4")
    assert (p4.stance, p4.score, p4.evidence) == ("absent", 0.0, ())


def test_clearing_brings_the_differs_stance_back(store, article_id) -> None:
    store.save_diff(article_id, _diff(p4="mixed", p4_confidence=0.52))
    store.set_correction(article_id, "P4", "echo", labelled_by="jdoe")
    assert store.clear_correction(article_id, "P4") is True
    p4 = _p(store, article_id, "P4")
    assert (p4.stance, p4.confidence, p4.correction) == ("mixed", pytest.approx(0.52), None)
    assert store.clear_correction(article_id, "P4") is False
    assert _rows(store, corrections) == 0


def test_a_label_on_a_piece_the_differ_has_not_seen_is_read_alone(store, article_id) -> None:
    store.set_correction(article_id, "P11", "contest", labelled_by="jdoe")
    [only] = store.stances_for([article_id])[article_id]
    assert (only.position_id, only.stance, only.score, only.confidence) == (
        "P11",
        "contest",
        -1.0,
        1.0,
    )
    assert (only.differ_stance, only.differ_confidence, only.evidence) == (None, None, ())


def test_labels_are_listed_by_article_then_position_in_natural_order(store, piece) -> None:
    ids = [
        store.upsert_article(
            piece(f"https://x.example/{i}"),
            source_id="wire",
            camp="west",
            capture_id=None,
            seen_at=T0,
        )[0]
        for i in range(2)
    ]
    for pid in ("P11", "P2", "P10"):
        store.set_correction(ids[1], pid, "echo", labelled_by="jdoe")
    store.set_correction(ids[0], "P12", "mixed", labelled_by="jdoe")
    assert [(c.article_id, c.position_id) for c in store.corrections()] == [
        (ids[0], "P12"),
        (ids[1], "P2"),
        (ids[1], "P10"),
        (ids[1], "P11"),
    ]
    assert [c.position_id for c in store.corrections([ids[1]])] == ["P2", "P10", "P11"]
    assert store.corrections([]) == []


def test_stances_come_in_natural_position_order_beyond_ten(store, article_id) -> None:
    store.save_diff(article_id, _diff(count=12))
    order = [s.position_id for s in store.stances_for([article_id])[article_id]]
    assert order == [f"P{i}" for i in range(1, 13)]


def test_a_label_for_a_missing_piece_or_a_bad_stance_is_refused(store, article_id) -> None:
    with pytest.raises(StoreError, match="no article with id 999"):
        store.set_correction(999, "P4", "echo", labelled_by="jdoe")
    with pytest.raises(StoreError, match="unknown stance 'agree'"):
        store.set_correction(article_id, "P4", "agree", labelled_by="jdoe")
    with pytest.raises(StoreError, match="labelled_by"):
        store.set_correction(article_id, "P4", "echo", labelled_by="  ")
    assert _rows(store, corrections) == 0


def test_scraped_junk_in_a_note_is_stored_cleanly(store, article_id) -> None:
    store.set_correction(article_id, "P4", "echo", note="  bad\x00 byte  ", labelled_by="jdoe")
    assert store.corrections()[0].note == "bad byte"
