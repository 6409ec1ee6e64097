"""What the crawler remembers between runs: sources, captures (with the validators for a
conditional GET), links already dealt with, and each source's crawl status."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from monitor.errors import StoreError
from monitor.models import AnalysisFailure, Response, SourceInfo
from monitor.store import MAX_FAILED_ATTEMPTS
from monitor.visits import RECENT_VISITS

T0 = datetime(2024, 11, 1, 12, 0, tzinfo=UTC)
URL = "https://news.example.org/world/feed.xml"


def _response(
    body: bytes = b"<rss/>",
    *,
    url: str = URL,
    status: int = 200,
    at: datetime = T0,
    etag: str | None = '"v1"',
    warc: tuple[str, int] | None = ("captures/2024-11-01.warc.gz", 1024),
) -> Response:
    headers = {"content-type": "application/rss+xml; charset=utf-8"}
    if etag:
        headers["etag"] = etag
        headers["last-modified"] = "Fri, 01 Nov 2024 11:00:00 GMT"
    return Response(
        url=url,
        final_url=url,
        status=status,
        headers=headers,
        body=body,
        fetched_at=at,
        sha256=hashlib.sha256(body).hexdigest(),
        warc_path=warc[0] if warc else None,
        warc_offset=warc[1] if warc else None,
        not_modified=status == 304,
    )


def test_sources_are_upserted_by_id(store) -> None:
    store.upsert_sources(
        [SourceInfo("tass", "TASS", "ru", "ru"), SourceInfo("kcna", "KCNA", "kr", "en")]
    )
    store.upsert_sources([SourceInfo("tass", "TASS (English)", "ru", "en")])
    assert store.sources() == {
        "kcna": SourceInfo("kcna", "KCNA", "kr", "en"),
        "tass": SourceInfo("tass", "TASS (English)", "ru", "en"),
    }


def test_a_replayed_capture_is_recorded_once(store) -> None:
    first = store.add_capture(_response(), "wire")
    again = store.add_capture(_response(), "wire")
    other = store.add_capture(_response(warc=("captures/2024-11-01.warc.gz", 4096)), "wire")
    assert first == again
    assert other != first


def test_a_capture_without_warc_record_is_also_recorded_once(store) -> None:
    assert store.add_capture(_response(warc=None), None) == store.add_capture(
        _response(warc=None), None
    )


def test_validators_come_from_the_newest_successful_capture(store) -> None:
    assert store.validators(URL) == (None, None)
    store.add_capture(_response(b"old", etag='"v1"', at=T0), "wire")
    store.add_capture(
        _response(b"new", etag='"v2"', at=T0 + timedelta(hours=1), warc=("a.warc.gz", 10)), "wire"
    )
    store.add_capture(
        _response(b"", status=304, etag=None, at=T0 + timedelta(hours=2), warc=("a.warc.gz", 20)),
        "wire",
    )
    store.add_capture(
        _response(
            b"oops", status=503, etag='"err"', at=T0 + timedelta(hours=3), warc=("a.warc.gz", 30)
        ),
        "wire",
    )
    assert store.validators(URL) == ('"v2"', "Fri, 01 Nov 2024 11:00:00 GMT")


def test_links_dealt_with_are_not_fetched_again(store, piece) -> None:
    store.mark_link("https://x.example/a?utm_source=rss", "wire", "irrelevant", "no keyword", at=T0)
    store.mark_link("https://x.example/b", "wire", "no_text", at=T0)
    store.upsert_article(
        piece("https://x.example/c"), source_id="wire", camp="west", capture_id=None, seen_at=T0
    )
    asked = [
        "https://x.example/a",
        "https://x.example/b#top",
        "https://x.example/c",
        "https://x.example/d",
    ]
    seen = store.seen_links(asked)
    assert {u for u in asked if u in seen} == set(asked[:3])
    assert "https://x.example/b" in seen  # canonical forms are there too


def test_a_failing_link_is_retried_until_its_third_failure(store) -> None:
    url = "https://x.example/flaky"
    for attempt in range(1, MAX_FAILED_ATTEMPTS + 1):
        assert url not in store.seen_links([url]), f"given up before attempt {attempt}"
        store.mark_link(url, "wire", "failed", "timeout", at=T0 + timedelta(hours=attempt))
    assert url in store.seen_links([url])


def test_a_link_that_failed_then_worked_is_settled(store) -> None:
    url = "https://x.example/late"
    store.mark_link(url, "wire", "failed", "503", at=T0)
    store.mark_link(url, "wire", "stored", at=T0 + timedelta(hours=1))
    assert url in store.seen_links([url])


def test_an_unknown_link_outcome_is_refused(store) -> None:
    with pytest.raises(StoreError, match="unknown link outcome 'maybe'"):
        store.mark_link("https://x.example/a", "wire", "maybe", at=T0)


def test_crawl_status_shows_the_last_run_the_last_success_and_a_current_error(store) -> None:
    store.upsert_sources(
        [SourceInfo("tass", "TASS", "ru", "ru"), SourceInfo("yonhap", "Yonhap", "kr", "ko")]
    )
    store.record_crawl(
        "tass",
        started=T0,
        finished=T0 + timedelta(minutes=3),
        ok=True,
        error=None,
        counts={"fetched": 12, "stored": 3},
    )
    store.record_crawl(
        "tass",
        started=T0 + timedelta(hours=2),
        finished=T0 + timedelta(hours=2, minutes=1),
        ok=False,
        error="connect: connection refused",
        counts={"fetched": 0},
    )
    store.record_crawl(
        "kcna",
        started=T0,
        finished=T0 + timedelta(minutes=1),
        ok=True,
        error=None,
        counts={"skipped:irrelevant": 7},
    )

    status = {s.source_id: s for s in store.crawl_status()}
    assert sorted(status) == ["kcna", "tass", "yonhap"]
    tass = status["tass"]
    assert tass.last_run == T0 + timedelta(hours=2)
    assert tass.last_ok == T0 + timedelta(minutes=3)
    assert tass.last_error == "connect: connection refused"
    assert dict(tass.counts) == {"fetched": 0}
    assert status["kcna"].last_error is None
    assert dict(status["kcna"].counts) == {"skipped:irrelevant": 7}
    assert (status["yonhap"].last_run, status["yonhap"].last_ok) == (None, None)


def test_a_success_clears_the_error(store) -> None:
    store.record_crawl("tass", started=T0, finished=T0, ok=False, error="timeout", counts={})
    store.record_crawl(
        "tass",
        started=T0 + timedelta(hours=1),
        finished=T0 + timedelta(hours=1),
        ok=True,
        error=None,
        counts={"stored": 1},
    )
    (tass,) = store.crawl_status()
    assert tass.last_error is None
    assert tass.last_ok == T0 + timedelta(hours=1)
    assert tass.last_ok.tzinfo == UTC


def test_crawl_times_must_be_aware(store) -> None:
    with pytest.raises(StoreError, match="started must be timezone-aware"):
        store.record_crawl(
            "tass", started=datetime(2024, 11, 1), finished=T0, ok=True, error=None, counts={}
        )


def test_failed_analyses_count_per_piece_over_the_recent_visits(database, piece) -> None:
    """A piece whose analysis failed counts once under its source (a second failure moves
    it on, not up), over the span of the source's recent visits; the newest failure is
    the recent error when no visit's error is newer."""
    clock = {"now": T0}
    with database.open(clock=lambda: clock["now"]) as store:
        ids = [
            store.upsert_article(
                piece(f"https://wire.example/{n}"), source_id="wire", camp="west",
                capture_id=None, seen_at=T0,
            )[0]
            for n in range(3)
        ]  # fmt: skip
        old, first, second = (
            AnalysisFailure(ids[n], "wire", reason, f"analysis of piece {n} failed: {reason}")
            for n, reason in enumerate(["bug:KeyError", "bug:ValueError", "worker_died"])
        )
        store.record_analysis_failures([old])  # before the recent visits began
        for hour in range(1, RECENT_VISITS + 1):
            at = T0 + timedelta(hours=hour)
            store.record_crawl("wire", started=at, finished=at, ok=True, error=None, counts={})
        clock["now"] = T0 + timedelta(hours=5)
        store.record_analysis_failures([first, second])
        clock["now"] = T0 + timedelta(hours=6)
        store.record_analysis_failures([first])  # again, at the next start
        (wire,) = store.crawl_status()
    assert dict(wire.failures) == {"analysis:bug:ValueError": 1, "analysis:worker_died": 1}
    assert wire.recent_error == "analysis of piece 1 failed: bug:ValueError"
    assert wire.recent_error_at == T0 + timedelta(hours=6)
    assert wire.failing_visits == 0 and wire.last_error is None
