"""Writing in batches and in one transaction: what the crawler's single writer does.

A page is taken in one commit (``Store.transaction``): its capture, its article and its
link's outcome are all stored, or none of them. Many pieces go in through
``save_articles`` / ``save_diffs`` with the same outcome as one call per piece.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from monitor.errors import StoreError
from monitor.models import Response
from monitor.store import NewArticle

T0 = datetime(2024, 11, 1, 12, 0, tzinfo=UTC)


def _new(piece, url: str) -> NewArticle:
    return NewArticle(piece(url), source_id="wire", camp="west", capture_id=None, seen_at=T0)


def _response(url: str) -> Response:
    return Response(
        url=url,
        final_url=url,
        status=200,
        headers={"etag": '"v1"', "content-type": "text/html; charset=utf-8"},
        body=b"<html><body><p>page</p></body></html>",
        fetched_at=T0,
        sha256="ab" * 32,
        warc_path="/tmp/a.warc.gz",
        warc_offset=0,
    )


# ── save_articles ───────────────────────────────────────────────────────────────────


def test_a_batch_of_new_pieces_is_stored_in_order(store, piece) -> None:
    urls = [f"https://news.example.org/world/{i}" for i in range(7)]
    saved = store.save_articles([_new(piece, u) for u in urls])

    assert [created for _, created in saved] == [True] * 7
    assert [store.article(article_id).url for article_id, _ in saved] == urls
    assert store.count_articles() == 7


def test_a_batch_behaves_like_one_upsert_per_piece(store, piece) -> None:
    """A piece stored before, and one given twice in the batch, take the upsert path:
    same id, not created again, newest extraction kept, first sighting kept."""
    old_id, _ = store.upsert_article(piece("https://news.example.org/a"), source_id="wire",
                                     camp="west", capture_id=None, seen_at=T0)  # fmt: skip
    later = T0 + timedelta(hours=3)
    batch = [
        NewArticle(piece("https://news.example.org/a", text="New text about Pyongyang."),
                   "wire", "west", None, later),
        NewArticle(piece("https://news.example.org/b"), "wire", "west", None, later),
        NewArticle(piece("https://news.example.org/b?utm_source=feed", title="Retitled"),
                   "wire", "west", None, later),
    ]  # fmt: skip
    saved = store.save_articles(batch)

    assert saved[0] == (old_id, False)
    assert saved[1][1] is True and saved[2] == (saved[1][0], False)
    a = store.article(old_id)
    assert a.text == "New text about Pyongyang." and a.first_seen == T0 and a.last_seen == later
    assert store.article(saved[1][0]).title == "Retitled"
    assert store.count_articles() == 2


def test_a_bad_piece_in_a_batch_stores_none_of_it(store, piece) -> None:
    naive = NewArticle(piece("https://news.example.org/c"), "wire", "west", None,
                       datetime(2024, 11, 1, 12, 0))  # fmt: skip
    with pytest.raises(StoreError, match="timezone-aware"):
        store.save_articles([_new(piece, "https://news.example.org/d"), naive])
    assert store.count_articles() == 0


# ── save_diffs ──────────────────────────────────────────────────────────────────────


def test_the_results_of_many_pieces_are_saved_at_once(store, piece, blank_diff) -> None:
    saved = store.save_articles([_new(piece, f"https://news.example.org/{i}") for i in range(3)])
    ids = [article_id for article_id, _ in saved]
    store.save_diffs([(i, blank_diff("v1")) for i in ids])
    store.save_diffs([(ids[0], blank_diff("v2"))])  # replaced, the others untouched

    stances = store.stances_for(ids)
    assert {s.positions_version for s in stances[ids[0]]} == {"v2"}
    assert all(len(stances[i]) == 10 for i in ids)
    assert {s.positions_version for s in stances[ids[2]]} == {"v1"}
    assert set(store.framings_for(ids)) == set(ids)


def test_results_for_a_missing_piece_save_nothing_and_name_it(store, piece, blank_diff) -> None:
    (article_id, _), = store.save_articles([_new(piece, "https://news.example.org/x")])
    with pytest.raises(StoreError, match="no article with id 999") as caught:
        store.save_diffs([(article_id, blank_diff("v1")), (999, blank_diff("v1"))])
    assert caught.value.reason == "not_found"
    assert store.stances_for([article_id]) == {}


# ── one transaction per page ────────────────────────────────────────────────────────


def _take_page(store, piece, url: str, *, fail: bool = False) -> int:
    with store.transaction():
        capture_id = store.add_capture(_response(url), "wire")
        article_id, _ = store.upsert_article(piece(url), source_id="wire", camp="west",
                                             capture_id=capture_id, seen_at=T0)  # fmt: skip
        if fail:
            raise RuntimeError("the writer died half-way")
        store.mark_link(url, "wire", "stored", at=T0)
        return article_id


def test_a_page_is_stored_whole(store, piece) -> None:
    url = "https://news.example.org/world/1"
    article_id = _take_page(store, piece, url)
    assert store.article(article_id).url == url
    assert url in store.seen_links([url])
    assert store.validators(url) == ('"v1"', None)


def test_a_page_that_fails_half_way_leaves_nothing_behind(store, piece) -> None:
    url = "https://news.example.org/world/2"
    with pytest.raises(RuntimeError):
        _take_page(store, piece, url, fail=True)
    assert store.count_articles() == 0
    assert store.seen_links([url]) == set()
    assert store.validators(url) == (None, None)  # the capture row went too


def test_a_transaction_inside_a_transaction_joins_it(store, piece) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        _take_page(store, piece, "https://news.example.org/world/3")  # its own block
        raise RuntimeError("the outer block fails after the inner one finished")
    assert store.count_articles() == 0


def test_another_thread_does_not_see_a_page_before_its_commit(store, piece) -> None:
    seen: list[int] = []
    with store.transaction():
        store.upsert_article(piece("https://news.example.org/world/4"), source_id="wire",
                             camp="west", capture_id=None, seen_at=T0)  # fmt: skip
        reader = threading.Thread(target=lambda: seen.append(store.count_articles()))
        reader.start()
        reader.join(10)
        assert store.count_articles() == 1  # this thread reads its own write
    assert seen == [0]
    assert store.count_articles() == 1
