"""An analyst's crawl, end to end, over real HTTP on 127.0.0.1.

The feed lists four pieces: two on the story, one that names North Korea but not Russia,
and one that does not name the story at all. The crawler must fetch politely, keep exactly
the two pieces on the story, record every response to WARC, add nothing on a second visit,
and give the same result when the recorded WARC is replayed with the server gone.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from warcio.archiveiterator import ArchiveIterator

from monitor.pipeline import CrawlResult
from monitor.runtime import Settings, open_pipeline

if TYPE_CHECKING:
    from tests.integration.conftest import World

REPO = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).parent / "site"

SOURCES = """\
version: 1
defaults:
  per_host_delay_seconds: 0
  jitter_seconds: 0
  max_retries: 1
  timeout_seconds: 5
topic:
  keywords:
    en: ["North Korea", "North Korean", "DPRK", "Pyongyang"]
  context:
    en: ["Russia", "Russian", "Moscow", "Kremlin", "Kursk"]
sources:
  - id: wire
    name: Wire Service
    camp: ru
    language: en
    homepage: {base}/
    allow_private_addresses: true  # the test site is on 127.0.0.1
    discovery:
      - kind: rss
        url: {base}/rss.xml
    selectors:
      title: "h1.news-header__title"
      body: ".news-header__lead, .text-block"
"""


def build_site(world: World) -> None:
    world.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    feed = (PAGES / "rss.xml").read_text(encoding="utf-8").replace("{base}", world.base)
    world.add("/rss.xml", feed, "application/rss+xml; charset=utf-8")
    for n in ("1001", "1002", "1003"):
        world.add(f"/world/{n}", (PAGES / f"{n}.html").read_text(encoding="utf-8"))


def settings_for(world, tmp_path: Path) -> Settings:
    tmp_path.mkdir(parents=True, exist_ok=True)
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES.replace("{base}", world.base), encoding="utf-8")
    return Settings(
        storage=tmp_path / "storage",
        sources_path=sources,
        positions_path=REPO / "positions.yaml",
    )


async def crawl(settings: Settings, replay: list[Path] | None = None) -> CrawlResult:
    async with open_pipeline(settings, replay=replay or ()) as pipeline:
        return await pipeline.crawl_source(pipeline.config.sources[0])


def stored_titles(settings: Settings) -> list[str]:
    from monitor.store import open_store

    store = open_store(settings.database_url())
    try:
        return sorted(a.title or "" for a in store.iter_articles())
    finally:
        store.close()


def test_a_crawl_keeps_the_story_and_drops_the_rest(world: World, tmp_path: Path) -> None:
    build_site(world)
    settings = settings_for(world, tmp_path)

    result = asyncio.run(crawl(settings))

    assert result.ok
    assert result.counts["stored"] == 2
    assert result.counts["dropped:off_topic"] == 1  # balloons: North Korea, but no Russia
    assert result.counts["skipped:prefilter"] == 1  # chess: never fetched
    assert world.hits["/sport/2001"] == 0
    assert world.hits["/robots.txt"] == 1
    titles = stored_titles(settings)
    assert len(titles) == 2 and all("North Korean" in t for t in titles)


def test_every_response_is_in_the_warc_before_it_is_used(world: World, tmp_path: Path) -> None:
    build_site(world)
    settings = settings_for(world, tmp_path)
    asyncio.run(crawl(settings))

    recorded: set[str] = set()
    for warc in sorted(settings.warc_dir.glob("*.warc.gz")):
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    recorded.add(record.rec_headers.get_header("WARC-Target-URI"))
    for path in ("/rss.xml", "/world/1001", "/world/1002", "/world/1003", "/robots.txt"):
        assert any(u.split("?")[0] == world.url(path) for u in recorded), path


def test_a_second_visit_adds_nothing_and_asks_politely(world: World, tmp_path: Path) -> None:
    build_site(world)
    settings = settings_for(world, tmp_path)
    asyncio.run(crawl(settings))
    page_hits = world.hits["/world/1001"]

    again = asyncio.run(crawl(settings))

    assert again.counts["stored"] == 0
    assert len(stored_titles(settings)) == 2
    assert world.not_modified["/rss.xml"] == 1  # conditional GET answered 304
    assert world.hits["/world/1001"] == page_hits  # known pieces are not fetched again
    assert world.hits["/world/1003"] == 1  # nor is a known off-topic one


def test_the_recorded_crawl_replays_offline(world: World, tmp_path: Path) -> None:
    build_site(world)
    live = settings_for(world, tmp_path / "live")
    asyncio.run(crawl(live))
    archives = sorted(live.warc_dir.glob("*.warc.gz"))
    offline = Settings(
        storage=tmp_path / "offline",
        sources_path=live.sources_path,
        positions_path=live.positions_path,
    )
    world.routes.clear()  # the site is gone; only the archive answers

    result = asyncio.run(crawl(offline, replay=archives))

    assert result.counts["stored"] == 2
    assert stored_titles(offline) == stored_titles(live)


@pytest.mark.parametrize(
    "hostile",
    [
        {"status": 500, "body": b"oops"},
        {"status": 301, "body": b"", "headers": {"Location": "/rss.xml"}},  # loop to itself
        {"status": 200, "body": b"\x00\xff\xfe garbage \x89PNG", "ctype": "application/rss+xml"},
        {"status": 200, "body": b"<rss><channel><item><title>cut", "ctype": "text/xml"},
    ],
    ids=["server-error", "redirect-loop", "binary-garbage", "truncated-xml"],
)
def test_a_broken_feed_is_a_status_row_not_a_crash(
    world: World, tmp_path: Path, hostile: dict[str, object]
) -> None:
    build_site(world)
    world.add(
        "/rss.xml",
        hostile["body"],
        hostile.get("ctype", "text/html"),
        hostile["status"],
        **hostile.get("headers", {}),
    )
    settings = settings_for(world, tmp_path)

    result = asyncio.run(crawl(settings))

    assert not result.ok
    assert result.errors and "rss.xml" in result.errors[0]
    from monitor.store import open_store

    store = open_store(settings.database_url())
    try:
        (row,) = [s for s in store.crawl_status() if s.source_id == "wire"]
    finally:
        store.close()
    assert row.last_error and "rss.xml" in row.last_error
    assert row.last_ok is None


def test_a_broken_page_is_skipped_and_the_rest_is_kept(world: World, tmp_path: Path) -> None:
    build_site(world)
    world.add("/world/1002", b"", status=503)
    settings = settings_for(world, tmp_path)

    result = asyncio.run(crawl(settings))

    assert result.ok
    assert result.counts["stored"] == 1
    assert sum(v for k, v in result.counts.items() if k.startswith("failed:")) == 1


def test_a_defect_on_one_page_does_not_cost_the_others(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even an unforeseen crash (here: the extractor on one page) is one counted failure."""
    from monitor import extract

    build_site(world)
    settings = settings_for(world, tmp_path)
    real = extract.extract

    def flaky(html: bytes | str, url: str, **kw: object):  # type: ignore[no-untyped-def]
        if url.endswith("/world/1002"):
            raise RuntimeError("extractor defect")
        return real(html, url, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(extract, "extract", flaky)
    result = asyncio.run(crawl(settings))

    assert result.counts["stored"] == 1
    assert result.counts["failed:bug:RuntimeError"] == 1
    assert any("extractor defect" in e for e in result.errors)


def test_a_differ_defect_on_one_piece_leaves_it_pending_and_the_others_analysed(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The crawl stores every piece; the analysis that fails on one is logged, the others
    are saved, and the failed one is still pending for the next start."""
    from monitor.differ import Differ

    build_site(world)
    settings = settings_for(world, tmp_path)
    real = Differ.diff

    def flaky(self: Differ, text: str, **kw: object):  # type: ignore[no-untyped-def]
        if "Pentagon" in text:
            raise RuntimeError("differ defect")
        return real(self, text, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Differ, "diff", flaky)

    async def crawl_and_analyse() -> tuple[CrawlResult, int, int]:
        async with open_pipeline(settings) as pipeline:
            result = await pipeline.crawl_source(pipeline.config.sources[0])
            analysed = await pipeline.analyse_pending()
            version = pipeline.differ.version
            pending = len(list(pipeline.store.iter_articles(needing_version=version)))
            return result, analysed, pending

    result, analysed, pending = asyncio.run(crawl_and_analyse())

    assert result.counts["stored"] == 2
    assert (analysed, pending) == (1, 1)
    assert any("differ defect" in r.getMessage() for r in caplog.records)


def _touch_feed(world: World) -> None:
    """The feed changes (a new item elsewhere), so the next visit reads its links again."""
    feed = (PAGES / "rss.xml").read_text(encoding="utf-8").replace("{base}", world.base)
    world.add("/rss.xml", feed + "<!-- updated -->", "application/rss+xml; charset=utf-8")


def test_a_page_is_stored_whole_or_not_at_all(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer fails after storing a piece but before settling its link (a full disk,
    a lost database): neither the piece nor its capture stays behind, and the next visit
    fetches and stores it normally."""
    from monitor.store import Store, open_store

    build_site(world)
    settings = settings_for(world, tmp_path)
    real = Store.mark_link

    def failing(self: Store, url: str, *args: object, **kw: object) -> None:
        if url.endswith("/world/1002"):
            raise RuntimeError("the disk filled up")
        real(self, url, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "mark_link", failing)
    first = asyncio.run(crawl(settings))
    assert first.counts["failed:bug:RuntimeError"] == 1
    assert len(stored_titles(settings)) == 1
    store = open_store(settings.database_url())
    try:
        assert store.validators(world.url("/world/1002")) == (None, None)  # no capture row
    finally:
        store.close()

    monkeypatch.setattr(Store, "mark_link", real)
    _touch_feed(world)
    again = asyncio.run(crawl(settings))
    assert again.counts["stored"] == 1 and len(stored_titles(settings)) == 2


def test_a_page_that_failed_once_is_fetched_in_full_again(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Extraction failed on a page (here: an extractor defect, since fixed). The next
    visit must not send the page's validators: the unchanged page would answer 304 and
    leave nothing to extract, and the piece would be lost for good."""
    from monitor import extract
    from monitor.errors import ExtractError

    build_site(world)
    settings = settings_for(world, tmp_path)
    real = extract.extract

    def broken(html: bytes | str, url: str, **kw: object):  # type: ignore[no-untyped-def]
        if url.endswith("/world/1002"):
            raise ExtractError(url, "parser gave up", reason="parse")
        return real(html, url, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(extract, "extract", broken)
    first = asyncio.run(crawl(settings))
    assert first.counts["failed:parse"] == 1
    monkeypatch.setattr(extract, "extract", real)
    _touch_feed(world)

    again = asyncio.run(crawl(settings))

    assert world.not_modified["/world/1002"] == 0
    assert again.counts["stored"] == 1 and len(stored_titles(settings)) == 2


def test_a_visit_record_carries_the_fetcher_s_counters(world: World, tmp_path: Path) -> None:
    """What the fetcher saw on this visit — robots.txt read, pages fetched, a page that
    answered 503 and was retried — is in the visit's record, under fetch:, for
    `monitor status` and the metrics; another visit's requests are not counted in it."""
    from monitor.store import open_store

    build_site(world)
    world.add("/world/1002", b"busy", status=503)
    settings = settings_for(world, tmp_path)

    async def two_visits() -> CrawlResult:
        async with open_pipeline(settings) as pipeline:
            first = await pipeline.crawl_source(pipeline.config.sources[0])
            await pipeline.crawl_source(pipeline.config.sources[0])  # its own counts
            return first

    result = asyncio.run(two_visits())

    fetched = {k: v for k, v in result.counts.items() if k.startswith("fetch:")}
    assert fetched["fetch:robots:fetched"] == 1
    assert fetched["fetch:ok"] == 3  # robots.txt, the feed, the article page that answered
    assert sum(v for k, v in fetched.items() if k.startswith("fetch:retry:")) == 1
    assert [k for k in fetched if k.startswith("fetch:error:")] == ["fetch:error:status"]
    store = open_store(settings.database_url())
    try:
        (first_row,) = [r for r in store.crawl_status() if r.source_id == "wire"]
    finally:
        store.close()
    assert first_row.counts.get("fetch:robots:fetched", 0) == 0  # the last visit: robots cached
    assert first_row.counts["fetch:not_modified"] == 1  # its feed answered 304
