"""The analyser saves a batch of results in one transaction; a piece that vanished while
it was analysed, or that the differ fails on, costs only itself, and a failed analysis is
counted in `monitor status` like every other failure."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.differ import Differ
from monitor.models import DiffResult
from monitor.runtime import Settings, open_analysis_pipeline
from tests.integration.conftest import global_options
from tests.integration.test_crawl import build_site, crawl, settings_for

if TYPE_CHECKING:
    from tests.integration.conftest import World


def crawled(world: World, tmp_path: Path) -> Settings:
    """A store that holds the test site's pieces, none analysed yet."""
    build_site(world)
    settings = settings_for(world, tmp_path)
    asyncio.run(crawl(settings))
    return settings


def test_a_batch_with_a_vanished_piece_saves_the_others(world: World, tmp_path: Path) -> None:
    settings = crawled(world, tmp_path)
    with open_analysis_pipeline(settings) as pipeline:
        pieces = list(pipeline.store.iter_articles())
        diffs = [(a.id, pipeline.differ.diff(a.text, language=a.language)) for a in pieces]
        saved = pipeline._save_diffs([*diffs, (999, diffs[0][1])])  # 999: deleted meanwhile
        assert saved == len(pieces) == 2
        assert set(pipeline.store.stances_for(a.id for a in pieces)) == {a.id for a in pieces}
        assert asyncio.run(pipeline.analyse_pending()) == 0  # nothing left, 999 not retried


def test_a_piece_the_differ_fails_on_is_counted_in_the_status_by_reason(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed analysis shows where every other failure does: in its source's failures
    by reason (``analysis:<reason>``, in the table and the JSON) and as its last error,
    naming the piece; the other pieces are analysed."""
    settings = crawled(world, tmp_path)
    with open_analysis_pipeline(settings) as pipeline:
        pieces = list(pipeline.store.iter_articles())
    broken = pieces[0]
    real = Differ.diff

    def diff(self: Differ, text: str, **kwargs: Any) -> DiffResult:
        if text == broken.text:
            raise ValueError("the differ trips over this piece")
        return real(self, text, **kwargs)

    monkeypatch.setattr(Differ, "diff", diff)
    with open_analysis_pipeline(settings) as pipeline:
        assert asyncio.run(pipeline.analyse_pending()) == len(pieces) - 1

    shown = CliRunner().invoke(main, [*global_options(settings), "status", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    (row,) = json.loads(shown.output)["sources"]
    assert row["failures"] == {"analysis:bug:ValueError": 1}, row
    assert "the differ trips over this piece" in row["last_error"]
    assert broken.url in row["last_error"]
    table = CliRunner().invoke(main, [*global_options(settings), "status"], env={"COLUMNS": "250"})
    assert "analysis:bug:ValueError ×1" in table.output, table.output
