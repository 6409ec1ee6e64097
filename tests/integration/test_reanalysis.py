"""An analyst edits positions.yaml (a new cue, a sharper claim): every stored piece is
re-diffed against the new version, and only once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from monitor.demo_data import ARCHIVE
from monitor.runtime import Settings, open_analysis_pipeline, open_pipeline

REPO = Path(__file__).resolve().parents[2]


def test_a_changed_positions_file_re_diffs_every_stored_piece(tmp_path: Path) -> None:
    settings = Settings(
        storage=tmp_path / "storage",
        sources_path=REPO / "sources.yaml",
        positions_path=tmp_path / "positions.yaml",
    )
    original = (REPO / "positions.yaml").read_text(encoding="utf-8")
    settings.positions_path.write_text(original, encoding="utf-8")

    async def crawl_and_analyse() -> int:
        async with open_pipeline(settings, replay=[ARCHIVE]) as pipeline:
            await pipeline.crawl([s for s in pipeline.config.sources if s.enabled])
            return await pipeline.analyse_pending()  # a crawl leaves the analysis pending

    analysed = asyncio.run(crawl_and_analyse())
    with open_analysis_pipeline(settings) as pipeline:
        stored = pipeline.store.count_articles()
        assert analysed == stored
        assert pipeline.rediff_stale() == 0  # everything is current
        old_version = pipeline.differ.version

    # the analyst teaches P1 a new contest cue
    edited = original.replace("contest: ['huge', ", "contest: ['gigantic', 'huge', ", 1)
    assert edited != original
    settings.positions_path.write_text(edited, encoding="utf-8")

    with open_analysis_pipeline(settings) as pipeline:
        assert pipeline.differ.version != old_version
        assert pipeline.rediff_stale() == stored
        assert pipeline.rediff_stale() == 0
        ids = [a.id for a in pipeline.store.iter_articles()]
        versions = {
            s.positions_version
            for stances in pipeline.store.stances_for(ids).values()
            for s in stances
        }
    assert versions == {pipeline.differ.version}
