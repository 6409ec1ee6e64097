"""Each worker process loads only what its work needs, and a page without an article
costs that page only.

With two processes (the daemon's default on two cores) one reads pages and one analyses:
the page worker holds the language model (~65 MiB with numpy) and no differ, the analyser
the differ and no language model, instead of both holding both.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from monitor.config import load_sources
from monitor.differ import Differ, load_positions
from monitor.errors import ExtractError
from monitor.models import Link
from monitor.pagework import PageInput, read_page
from monitor.workers import Workers

REPO = Path(__file__).resolve().parents[2]
PAGE = (REPO / "tests" / "integration" / "site" / "1002.html").read_bytes()
HOLDS_MODEL = "'py3langid.langid' in __import__('sys').modules"
HOLDS_DIFFER = "__import__('monitor.workers').workers._differ is not None"


def test_the_page_worker_and_the_analyser_each_load_only_their_own_models() -> None:
    positions = load_positions(REPO / "positions.yaml")
    topic = load_sources(REPO / "sources.yaml").topic
    workers = Workers(Differ(positions), processes=2, positions_path=REPO / "positions.yaml")

    async def run() -> tuple[object, ...]:
        await workers.start()
        page = PageInput(PAGE, "https://example.org/world/1002", None, "utf-8", "en")
        link = Link("https://example.org/world/1002", source_id="wire")
        article, verdict = await workers.page(read_page, page, link, topic)
        diff = await workers.diff(article.text, language=article.language, title=article.title)
        page_side = (await workers.page(eval, HOLDS_MODEL), await workers.page(eval, HOLDS_DIFFER))
        assert workers._analysis is not None
        analysis_side = (
            await workers._analysis.run(None, eval, HOLDS_MODEL),
            await workers._analysis.run(None, eval, HOLDS_DIFFER),
        )
        return verdict.relevant, diff.language, page_side, analysis_side

    try:
        relevant, language, page_side, analysis_side = asyncio.run(run())
    finally:
        workers.shutdown()
    assert relevant and language == "en"
    assert page_side == (True, False)  # the language model, no differ
    assert analysis_side == (False, True)  # the differ, no language model


def test_a_page_without_an_article_fails_alone_and_the_next_page_is_read() -> None:
    """The page worker's ExtractError reaches the crawl with its reason (it once broke
    the whole process pool: every later page of the daemon failed as a bug)."""
    topic = load_sources(REPO / "sources.yaml").topic
    workers = Workers(
        Differ(load_positions(REPO / "positions.yaml")),
        processes=2,
        positions_path=REPO / "positions.yaml",
    )
    empty = PageInput(b"<html><body><nav>Home</nav></body></html>", "https://example.org/e",
                      None, "utf-8", "en")  # fmt: skip
    good = PageInput(PAGE, "https://example.org/world/1002", None, "utf-8", "en")
    link = Link("https://example.org/world/1002", source_id="wire")

    async def run() -> tuple[str, bool]:
        await workers.start()
        try:
            await workers.page(read_page, empty, link, topic)
        except ExtractError as exc:
            reason = exc.reason
        _, verdict = await workers.page(read_page, good, link, topic)
        return reason, verdict.relevant

    try:
        reason, relevant = asyncio.run(run())
    finally:
        workers.shutdown()
    assert reason in ("no_text", "empty")
    assert relevant
