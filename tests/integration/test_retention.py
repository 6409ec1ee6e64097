"""Data lifecycle: raw WARC captures go after `retention.warc_days`; what was read from
them — the articles, their stances, the analysts' corrections — stays."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from click.testing import CliRunner

from monitor.cli import main
from monitor.pipeline import utc_now
from monitor.runtime import open_analysis_pipeline, open_pipeline
from tests.integration.conftest import global_options
from tests.integration.test_crawl import build_site, settings_for

if TYPE_CHECKING:
    from tests.integration.conftest import World


def _crawl_analyse_and_label(settings) -> None:  # type: ignore[no-untyped-def]
    async def run() -> None:
        async with open_pipeline(settings) as pipeline:
            await pipeline.crawl_source(pipeline.config.sources[0])
            await pipeline.analyse_pending()
            first = next(pipeline.store.iter_articles())
            pipeline.store.set_correction(first.id, "P4", "contest", labelled_by="analyst")

    asyncio.run(run())


def test_old_captures_go_and_what_was_read_from_them_stays(world: World, tmp_path: Path) -> None:
    build_site(world)
    settings = settings_for(world, tmp_path)
    _crawl_analyse_and_label(settings)
    (crawled,) = sorted(settings.warc_dir.glob("monitor-*.warc.gz"))
    later = utc_now() + timedelta(days=40)  # the day of the clean-up
    recent = settings.warc_dir / f"monitor-{(later - timedelta(days=2)):%Y%m%d}-7.warc.gz"
    recent.write_bytes(crawled.read_bytes())  # a capture file of two days before: kept
    foreign = settings.warc_dir / "exported-20200101.warc.gz"
    foreign.write_bytes(b"not ours")  # another tool's file: never touched

    with open_analysis_pipeline(settings) as pipeline:
        pipeline.clock = lambda: later
        dry = pipeline.prune_captures(settings.warc_dir, 30, dry_run=True)
        assert (dry.files, dry.captures) == (1, 0) and crawled.exists()
        pruned = pipeline.prune_captures(settings.warc_dir, 30)
        store = pipeline.store
        articles = list(store.iter_articles())
        stances = store.stances_for(a.id for a in articles)
        corrections = store.corrections()
        validators = store.validators(world.url("/rss.xml"))

    assert pruned.files == 1 and pruned.bytes > 0 and pruned.captures >= 4
    assert not crawled.exists() and recent.exists() and foreign.exists()
    assert validators == (None, None)  # the feed's capture row went with its file
    assert len(articles) == 2 and all("North Korean" in (a.title or "") for a in articles)
    assert all(len(stances[a.id]) == 10 for a in articles)
    assert [(c.position_id, c.stance) for c in corrections] == [("P4", "contest")]


def test_prune_needs_a_retention_and_says_what_it_would_do(world: World, tmp_path: Path) -> None:
    build_site(world)
    settings = settings_for(world, tmp_path)
    _crawl_analyse_and_label(settings)
    runner = CliRunner()

    refused = runner.invoke(main, [*global_options(settings), "prune"])
    assert refused.exit_code == 2 and "no retention set" in refused.output

    dry = runner.invoke(main, [*global_options(settings), "prune", "--older-than", "1",
                               "--dry-run"])  # fmt: skip
    assert dry.exit_code == 0, dry.output
    assert "would delete 0 WARC files" in dry.output  # today's file is not a day old
    assert len(list(settings.warc_dir.glob("monitor-*.warc.gz"))) == 1


def test_the_daemon_schedules_the_clean_up_only_when_retention_is_set(
    world: World, tmp_path: Path
) -> None:
    from monitor.daemon import Daemon

    build_site(world)
    settings = settings_for(world, tmp_path)
    text = settings.sources_path.read_text(encoding="utf-8")

    async def jobs() -> set[str]:
        async with open_pipeline(settings) as pipeline:
            daemon = Daemon(pipeline, settings, digest=False)
            daemon.schedule()
            return {job.id for job in daemon.scheduler.get_jobs()}

    assert "retention" not in asyncio.run(jobs())
    settings.sources_path.write_text(text + "retention:\n  warc_days: 90\n", encoding="utf-8")
    assert "retention" in asyncio.run(jobs())
