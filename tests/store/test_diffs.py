"""Differ results: one stance per position and one framing per piece, replaced (never
appended) when the differ runs again, and read back as the models they were saved as."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from monitor.errors import StoreError
from monitor.models import DiffResult, Evidence, Framing, PositionResult
from monitor.store.schema import stances

T0 = datetime(2024, 11, 1, 12, 0, tzinfo=UTC)

EVIDENCE = Evidence(
    sentence="The treaty obliges each side to help the other if it is attacked.",
    stance="echo",
    score=0.625,
    cues=("mutual assistance",),
    index=3,
)
FRAMING = Framing(
    troop_labels=("North Korean soldiers", "mercenaries"),
    troop_count=12000,
    epistemic="attributed",
    sources_cited=("South Korean intelligence",),
    loaded_terms=("cannon fodder",),
    subtopics={"troops": 4, "treaty": 1},
)


def _diff(version: str = "v1", *, p1: str = "echo", method: str = "lexical") -> DiffResult:
    positions = {f"P{i}": PositionResult(f"P{i}", "absent", 0.0) for i in range(1, 11)}
    positions["P1"] = PositionResult("P1", p1, 0.625 if p1 == "echo" else -0.5, (EVIDENCE,))
    return DiffResult(
        positions=positions,
        framing=FRAMING,
        language="en",
        method=method,
        positions_version=version,
    )


@pytest.fixture
def article_id(store, piece) -> int:
    return store.upsert_article(
        piece(), source_id="wire", camp="west", capture_id=None, seen_at=T0
    )[0]


def _stance_rows(store) -> int:
    with store._engine.connect() as conn:  # count the rows themselves, not the API's view
        return conn.execute(select(func.count()).select_from(stances)).scalar_one()


def test_saving_results_twice_keeps_ten_stances(store, article_id) -> None:
    store.save_diff(article_id, _diff())
    store.save_diff(article_id, _diff(p1="contest"))
    assert _stance_rows(store) == 10
    saved = store.stances_for([article_id])[article_id]
    assert [s.position_id for s in saved] == [f"P{i}" for i in range(1, 11)]
    assert saved[0].stance == "contest"


def test_stances_and_framing_come_back_as_saved(store, article_id) -> None:
    store.save_diff(article_id, _diff("abc123"))
    p1 = store.stances_for([article_id])[article_id][0]
    assert (p1.article_id, p1.position_id, p1.stance, p1.score) == (article_id, "P1", "echo", 0.625)
    assert p1.evidence == (EVIDENCE,)
    assert p1.positions_version == "abc123"
    assert store.framings_for([article_id]) == {article_id: FRAMING}


def test_pieces_not_yet_analysed_are_absent_from_the_maps(store, article_id, piece) -> None:
    other, _ = store.upsert_article(
        piece("https://x.example/other"), source_id="wire", camp="west", capture_id=None, seen_at=T0
    )
    store.save_diff(article_id, _diff())
    assert set(store.stances_for([article_id, other])) == {article_id}
    assert set(store.framings_for([article_id, other])) == {article_id}
    assert store.stances_for([]) == {}


def test_results_for_many_pieces_are_read_in_one_call(store, piece) -> None:
    ids = [
        store.upsert_article(
            piece(f"https://x.example/{i}"),
            source_id="wire",
            camp="west",
            capture_id=None,
            seen_at=T0,
        )[0]
        for i in range(3)
    ]
    for i in ids:
        store.save_diff(i, _diff())
    assert sorted(store.stances_for(ids)) == ids
    assert all(len(v) == 10 for v in store.stances_for(ids).values())


def test_results_for_a_missing_piece_are_refused(store) -> None:
    with pytest.raises(StoreError, match="no article with id 999"):
        store.save_diff(999, _diff())
    assert _stance_rows(store) == 0
