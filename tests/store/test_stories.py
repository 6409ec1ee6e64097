"""Stories in the store, on SQLite and PostgreSQL: a piece's place in a story and the
fingerprint that put it there survive re-opening, and a story reads back with every
outlet that carried it, earliest first."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import timedelta

import pytest

from monitor.models import StoryMember
from monitor.store import Store, StoreError
from monitor.stories import StoryGrouper

FP = {"exact": hashlib.sha256(b"words").hexdigest(), "signature": bytes(range(256)) * 2}


def _stored(store: Store, piece, url: str, hours: int = 0, source: str = "wire") -> int:
    article = piece(url)
    article = replace(article, published=article.published + timedelta(hours=hours))
    article_id, _ = store.upsert_article(
        article, source_id=source, camp="west", capture_id=None, seen_at=article.published
    )
    return article_id


def test_a_story_lists_its_carriers_earliest_first_and_survives_reopening(database, piece) -> None:
    with database.open() as store:
        late = _stored(store, piece, "https://a.example/1", hours=5, source="rerun")
        early = _stored(store, piece, "https://b.example/1", hours=0, source="wire")
        other = _stored(store, piece, "https://c.example/1")
        story = store.save_story_member(late, None, shingles=300, **FP).story_id
        store.save_story_member(early, story, shingles=280, **FP)
        store.save_story_member(other, None, exact="0" * 64, signature=None, shingles=3)
    with database.open() as store:
        found = store.stories_for([late, early, other])
        assert found[late] == found[early]
        assert [p.source_id for p in found[late].pieces] == ["wire", "rerun"]
        assert found[late].origin.article_id == early
        assert found[other].id != story and len(found[other].pieces) == 1
        members = list(store.story_members(batch=1))
        assert [(m.article_id, m.story_id) for m in members] == sorted(
            [(late, story), (early, story), (other, found[other].id)]
        )
        assert members[0].signature == FP["signature"] or members[0].signature is None
        assert list(store.story_members(after_article_id=max(late, early, other))) == []


def test_a_piece_moved_to_another_story_leaves_the_first(store: Store, piece) -> None:
    a = _stored(store, piece, "https://a.example/1")
    b = _stored(store, piece, "https://b.example/1")
    first = store.save_story_member(a, None, shingles=10, **FP).story_id
    store.save_story_member(b, first, shingles=10, **FP)
    moved = store.save_story_member(b, None, shingles=10, **FP).story_id
    found = store.stories_for([a, b])
    assert moved != first
    assert [p.article_id for p in found[a].pieces] == [a]
    assert [p.article_id for p in found[b].pieces] == [b]


def test_pieces_without_a_story_are_listed_for_grouping(store: Store, piece) -> None:
    a = _stored(store, piece, "https://a.example/1")
    b = _stored(store, piece, "https://b.example/1")
    store.save_story_member(a, None, shingles=10, **FP)
    assert [article_id for article_id, _ in store.ungrouped_articles(batch=1)] == [b]
    assert store.stories_for([b]) == {}


def test_a_story_for_a_missing_piece_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="no article with id 99"):
        store.save_story_member(99, None, shingles=10, **FP)


class _Hesitant:
    """A daemon's view of the store that, having looked for pieces grouped elsewhere,
    waits (up to a second) for the other daemon to have looked too: the worst moment for
    two daemons placing copies of one story."""

    def __init__(self, store: Store, looked: threading.Barrier) -> None:
        self.store, self.looked = store, looked

    def story_turn(self) -> AbstractContextManager[None]:
        return self.store.story_turn()

    def story_member_count(self, *, after_article_id: int = 0) -> int:
        count = self.store.story_member_count(after_article_id=after_article_id)
        try:
            self.looked.wait(timeout=1.0)
        except threading.BrokenBarrierError:
            pass  # the other daemon waits for its turn: it cannot look before we save
        return count

    def story_members(self, *, after_article_id: int = 0) -> Iterator[StoryMember]:
        return self.store.story_members(after_article_id=after_article_id)

    def save_story_member(self, article_id: int, story_id: int | None, **fp) -> StoryMember:
        return self.store.save_story_member(article_id, story_id, **fp)


def test_two_daemons_grouping_copies_of_one_story_at_once_make_one_story(database, piece) -> None:
    with database.open() as one, database.open() as two:
        wire = _stored(one, piece, "https://wire.example/1", source="wire")
        rerun = _stored(one, piece, "https://rerun.example/1", hours=1, source="rerun")
        text = piece("https://wire.example/1").text
        looked = threading.Barrier(2)
        daemons = [
            StoryGrouper(_Hesitant(store, looked), monotonic=lambda: 0.0) for store in (one, two)
        ]
        for daemon in daemons:
            daemon.load()  # both have just looked at the store
        threads = [
            threading.Thread(target=daemon.assign, args=(article_id, text))
            for daemon, article_id in zip(daemons, (wire, rerun), strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        found = one.stories_for([wire, rerun])
        assert found[wire].id == found[rerun].id
        assert [p.source_id for p in found[wire].pieces] == ["wire", "rerun"]


class _LostTurn:
    """The store, but the first turn fails as it ends (its commit lost: a full disk, a
    dropped connection), after the piece was placed within it."""

    def __init__(self, store: Store) -> None:
        self.store, self.failed = store, False

    @contextmanager
    def story_turn(self) -> Iterator[None]:
        with self.store.story_turn():
            yield
            if not self.failed:
                self.failed = True
                raise StoreError("the commit was lost", reason="store_full")

    def story_member_count(self, *, after_article_id: int = 0) -> int:
        return self.store.story_member_count(after_article_id=after_article_id)

    def story_members(self, *, after_article_id: int = 0) -> Iterator[StoryMember]:
        return self.store.story_members(after_article_id=after_article_id)

    def save_story_member(self, article_id: int, story_id: int | None, **fp) -> StoryMember:
        return self.store.save_story_member(article_id, story_id, **fp)


def test_a_piece_whose_turn_was_lost_is_grouped_again_and_others_still_join_it(
    store: Store, piece
) -> None:
    """The grouper's index never holds a piece its turn did not commit: the piece is left
    ungrouped (grouped again later) and a copy stored meanwhile is not kept from it."""
    wire = _stored(store, piece, "https://wire.example/1", source="wire")
    rerun = _stored(store, piece, "https://rerun.example/1", hours=1, source="rerun")
    text = piece("https://wire.example/1").text
    grouper = StoryGrouper(_LostTurn(store), monotonic=lambda: 0.0)
    grouper.load()
    with pytest.raises(StoreError):
        grouper.assign(wire, text)
    assert wire not in grouper.index and store.stories_for([wire]) == {}
    grouper.assign(rerun, text)
    grouper.assign(wire, text)
    found = store.stories_for([wire, rerun])
    assert found[wire].id == found[rerun].id
