"""Daemons sharing one database agree on whose turn a visit is and who writes a week's
digest: every claim is handed out once, however many daemons ask at the same moment, and a
claim a dead daemon left behind is claimed again once its lease has run out."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

T0 = datetime(2024, 11, 4, 9, 0, tzinfo=UTC)
SOURCES = [f"outlet_{i}" for i in range(12)]
LEASE = timedelta(minutes=1)


def _claim(store, now: datetime, *, holder: str) -> dict[str, datetime]:
    return store.claim_due_sources(
        SOURCES, now=now, first={s: T0 for s in SOURCES}, stale_before=now - LEASE, holder=holder
    )


def _hand_over(store, due, now: datetime, *, holder: str) -> None:
    store.hand_over_sources({s: now + timedelta(hours=2) for s in due}, holder=holder)


def test_a_due_source_is_claimed_once_and_due_again_after_its_interval(store) -> None:
    due = _claim(store, T0, holder="a")
    assert sorted(due) == sorted(SOURCES) and set(due.values()) == {T0}
    _hand_over(store, due, T0, holder="a")
    assert _claim(store, T0 + timedelta(minutes=5), holder="b") == {}  # moved on by a
    later = T0 + timedelta(hours=2)
    assert sorted(_claim(store, later, holder="b")) == sorted(SOURCES)


def test_a_source_not_yet_due_is_not_claimed(store) -> None:
    first = {s: T0 + timedelta(minutes=i) for i, s in enumerate(SOURCES)}
    now = T0 + timedelta(minutes=3, seconds=30)
    due = store.claim_due_sources(
        SOURCES, now=now, first=first, stale_before=now - LEASE, holder="a"
    )
    assert list(due) == SOURCES[:4]  # oldest first


def test_a_claim_left_by_a_dead_daemon_is_claimed_again_after_the_lease(store) -> None:
    assert len(_claim(store, T0, holder="a")) == len(SOURCES)  # then "a" dies
    assert _claim(store, T0 + timedelta(seconds=30), holder="b") == {}  # a's lease runs
    again = _claim(store, T0 + timedelta(minutes=2), holder="b")
    assert sorted(again) == sorted(SOURCES)
    assert set(again.values()) == {T0}  # still the visit due at T0


def test_daemons_claiming_at_once_never_share_a_visit(database) -> None:
    stores = [database.open() for _ in range(3)]
    try:
        with ThreadPoolExecutor(3) as pool:
            got = list(pool.map(lambda i: _claim(stores[i], T0, holder=f"d{i}"), range(3)))
    finally:
        for s in stores:
            s.close()
    claimed = [source for batch in got for source in batch]
    assert sorted(claimed) == sorted(SOURCES)  # each exactly once, whoever got it


def test_a_visit_recorded_since_its_due_time_is_seen(store) -> None:
    store.record_crawl(
        "outlet_1",
        started=T0 + timedelta(seconds=5),
        finished=T0 + timedelta(seconds=9),
        ok=True,
        error=None,
        counts={},
    )
    assert store.visited_since("outlet_1", T0)
    assert not store.visited_since("outlet_1", T0 + timedelta(minutes=1))
    assert not store.visited_since("outlet_2", T0)


def test_one_daemon_writes_a_weeks_digest(store) -> None:
    until = T0 + timedelta(hours=1)
    assert store.claim_digest("2024-W44", holder="a", now=T0, until=until)
    assert not store.claim_digest("2024-W44", holder="b", now=T0, until=until)
    assert store.claim_digest("2024-W43", holder="b", now=T0, until=until)  # another week


def test_a_dead_reporters_claim_expires_but_a_written_digest_stays_written(store) -> None:
    until = T0 + timedelta(hours=1)
    assert store.claim_digest("2024-W44", holder="a", now=T0, until=until)  # then a dies
    later = T0 + timedelta(hours=2)
    assert store.claim_digest("2024-W44", holder="b", now=later, until=later + timedelta(hours=1))
    store.finish_digest("2024-W44", holder="b", now=later)
    much_later = T0 + timedelta(days=1)
    assert not store.claim_digest("2024-W44", holder="c", now=much_later, until=much_later)


def test_reporters_asking_at_once_get_one_claim(database) -> None:
    stores = [database.open() for _ in range(3)]
    until = T0 + timedelta(hours=1)
    try:
        with ThreadPoolExecutor(3) as pool:
            got = list(
                pool.map(
                    lambda i: stores[i].claim_digest(
                        "2024-W44", holder=f"d{i}", now=T0, until=until
                    ),
                    range(3),
                )
            )
    finally:
        for s in stores:
            s.close()
    assert sorted(got) == [False, False, True]
