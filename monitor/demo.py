"""The offline demo: the bundled archive replayed through the real pipeline.

Nothing is mocked: the same discovery, fetch (from WARC), extraction, relevance filter,
store, differ and report run as in the daemon, into a fresh data root, so what the demo
shows is what the daemon would have produced on those days.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from monitor.pipeline import CrawlResult
from monitor.runtime import Settings, open_pipeline


@dataclass
class DemoOutcome:
    articles: int = 0
    sources: int = 0
    dropped: int = 0
    digests: dict[str, dict[str, Path]] = field(default_factory=dict)


async def run_demo(
    settings: Settings,
    archives: Sequence[Path],
    root: Path,
    *,
    on_crawl: Callable[[CrawlResult], None] | None = None,
) -> DemoOutcome:
    """Replay ``archives`` into a fresh store under ``root`` and write every week's digest."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    demo_settings = replace(settings, storage=root, db_url=None)
    outcome = DemoOutcome()
    async with open_pipeline(demo_settings, replay=archives) as pipeline:
        sources = [s for s in pipeline.config.sources if s.enabled]
        for result in await pipeline.crawl(sources):
            if on_crawl:
                on_crawl(result)
            outcome.dropped += result.counts["dropped:off_topic"]
        await pipeline.analyse_pending()
        outcome.articles = pipeline.store.count_articles()
        outcome.sources = len({a.source_id for a in pipeline.store.iter_articles()})
        for week in pipeline.weeks_with_articles():
            outcome.digests[week] = pipeline.write_digest(week, demo_settings.digest_dir)
    return outcome
