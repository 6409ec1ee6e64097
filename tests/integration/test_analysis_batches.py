"""The analyser saves a batch of results in one transaction; a piece that vanished while
it was analysed costs only itself."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.runtime import open_analysis_pipeline, open_pipeline
from tests.integration.test_crawl import build_site, settings_for

if TYPE_CHECKING:
    from tests.integration.conftest import World


def test_a_batch_with_a_vanished_piece_saves_the_others(world: World, tmp_path: Path) -> None:
    build_site(world)
    settings = settings_for(world, tmp_path)

    async def crawl() -> None:
        async with open_pipeline(settings) as pipeline:
            await pipeline.crawl_source(pipeline.config.sources[0])

    asyncio.run(crawl())
    with open_analysis_pipeline(settings) as pipeline:
        pieces = list(pipeline.store.iter_articles())
        diffs = [(a.id, pipeline.differ.diff(a.text, language=a.language)) for a in pieces]
        saved = pipeline._save_diffs([*diffs, (999, diffs[0][1])])  # 999: deleted meanwhile
        assert saved == len(pieces) == 2
        assert set(pipeline.store.stances_for(a.id for a in pieces)) == {a.id for a in pieces}
        assert asyncio.run(pipeline.analyse_pending()) == 0  # nothing left, 999 not retried
