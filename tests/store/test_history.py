"""Earlier weeks summed in the database, for the digest's trends and "what moved": the
camp × position balance per week and the troop figures each outlet claimed. An analyst's
label wins here as everywhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from monitor.models import (
    BalanceCount,
    DiffResult,
    ExtractedArticle,
    Framing,
    PositionResult,
    TroopClaim,
)
from monitor.store import Store

W43 = ("2024-W43", datetime(2024, 10, 21, tzinfo=UTC), datetime(2024, 10, 28, tzinfo=UTC))
W44 = ("2024-W44", datetime(2024, 10, 28, tzinfo=UTC), datetime(2024, 11, 4, tzinfo=UTC))


def _add(
    store: Store,
    piece: Callable[..., ExtractedArticle],
    blank: DiffResult,
    n: int,
    *,
    source: str,
    camp: str,
    day: datetime,
    p4: str = "absent",
    troops: int | None = None,
) -> int:
    article_id, _ = store.upsert_article(
        piece(f"https://{source}.example/{n}", published=day),
        source_id=source,
        camp=camp,
        capture_id=None,
        seen_at=day,
    )
    positions = dict(blank.positions)
    positions["P4"] = PositionResult("P4", p4, -0.5 if p4 == "contest" else 0.5)
    store.save_diff(
        article_id,
        replace(blank, positions=positions, framing=Framing(troop_count=troops)),
    )
    return article_id


def test_each_week_sums_its_own_pieces_by_camp_and_position(
    store: Store, piece: Callable[..., ExtractedArticle], blank_diff: Callable[[str], DiffResult]
) -> None:
    blank = blank_diff("v1")
    monday43, monday44 = W43[1], W44[1]
    _add(
        store,
        piece,
        blank,
        1,
        source="tass",
        camp="ru",
        day=monday43 + timedelta(days=2),
        p4="echo",
    )
    _add(
        store,
        piece,
        blank,
        2,
        source="tass",
        camp="ru",
        day=monday43 + timedelta(days=3),
        p4="echo",
    )
    _add(store, piece, blank, 3, source="bbc", camp="west", day=monday43, p4="contest")
    # the last second of W43 and the first of W44 fall on their own sides
    _add(
        store,
        piece,
        blank,
        4,
        source="bbc",
        camp="west",
        day=monday44 - timedelta(seconds=1),
        p4="mixed",
    )
    _add(store, piece, blank, 5, source="bbc", camp="west", day=monday44, p4="contest")
    _add(
        store,
        piece,
        blank,
        6,
        source="bbc",
        camp="west",
        day=monday44 + timedelta(days=8),
        p4="echo",
    )

    got = store.balance_history([W43, W44])

    assert got == [
        BalanceCount("2024-W43", "ru", "P4", echo=2),
        BalanceCount("2024-W43", "west", "P4", contest=1, mixed=1),
        BalanceCount("2024-W44", "west", "P4", contest=1),
    ]


def test_an_analysts_label_wins_in_the_history(
    store: Store, piece: Callable[..., ExtractedArticle], blank_diff: Callable[[str], DiffResult]
) -> None:
    blank = blank_diff("v1")
    day = W43[1] + timedelta(days=1)
    first = _add(store, piece, blank, 1, source="tass", camp="ru", day=day, p4="echo")
    _add(store, piece, blank, 2, source="tass", camp="ru", day=day, p4="echo")
    store.set_correction(first, "P4", "contest", labelled_by="ana")
    store.set_correction(first, "P11", "echo", labelled_by="ana")  # no differ row for P11

    got = store.balance_history([W43])

    assert BalanceCount("2024-W43", "ru", "P4", echo=1, contest=1) in got
    assert BalanceCount("2024-W43", "ru", "P11", echo=1) in got


def test_troop_figures_are_gathered_per_outlet_and_week(
    store: Store, piece: Callable[..., ExtractedArticle], blank_diff: Callable[[str], DiffResult]
) -> None:
    blank = blank_diff("v1")
    day43, day44 = W43[1] + timedelta(days=1), W44[1] + timedelta(days=1)
    _add(store, piece, blank, 1, source="yonhap", camp="kr", day=day43, troops=10000)
    _add(store, piece, blank, 2, source="yonhap", camp="kr", day=day43, troops=12000)
    _add(store, piece, blank, 3, source="yonhap", camp="kr", day=day44, troops=11000)
    _add(store, piece, blank, 4, source="tass", camp="ru", day=day44)  # no figure

    assert store.troop_history([W43, W44]) == [
        TroopClaim("2024-W43", "yonhap", pieces=2, low=10000, high=12000),
        TroopClaim("2024-W44", "yonhap", pieces=1, low=11000, high=11000),
    ]
    assert store.camp_counts(W44[1], W44[2]) == {"kr": 1, "ru": 1}
