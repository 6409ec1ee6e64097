"""Each worker process loads only what its work needs, and a page without an article
costs that page only.

With two processes (the daemon's default on two cores) one reads pages and one analyses:
the page worker holds the language model (~65 MiB with numpy) and no differ, the analyser
the differ and no language model, instead of both holding both.
"""

from __future__ import annotations

import asyncio
import os
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


def test_the_page_worker_and_the_analyser_each_load_only_their_own_models_and_priority() -> None:
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
        niceness = (await workers.page(os.nice, 0), await workers._analysis.run(None, os.nice, 0))
        return verdict.relevant, diff.language, page_side, analysis_side, niceness

    try:
        relevant, language, page_side, analysis_side, (page_nice, analysis_nice) = asyncio.run(
            run()
        )
    finally:
        workers.shutdown()
    assert relevant and language == "en"
    # analysis is a backlog that yields the CPU to the crawl's page work
    assert analysis_nice > page_nice == os.nice(0)
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


def test_a_page_to_store_comes_back_from_page_work_with_its_story_fingerprint() -> None:
    """The page worker fingerprints a page that will be stored (so the daemon's own
    process does not), exactly as the story grouper would from the stored text; a page
    that will not be stored is not fingerprinted."""
    from monitor.pagework import read_for_store
    from monitor.stories import fingerprint

    topic = load_sources(REPO / "sources.yaml").topic
    workers = Workers(
        Differ(load_positions(REPO / "positions.yaml")),
        processes=2,
        positions_path=REPO / "positions.yaml",
    )
    story = PageInput(PAGE, "https://example.org/world/1002", None, "utf-8", "en")
    soup = " ".join(["Slow-cooked lentil soup wants patience, a good stock and a bay leaf."] * 12)
    off_topic = PageInput(
        f"<html><body><article><h1>Lentil soup</h1><p>{soup}</p><p>{soup}</p></article>"
        "</body></html>".encode(),
        "https://example.org/food/1",
        None,
        "utf-8",
        "en",
    )
    link = Link("https://example.org/world/1002", source_id="wire")

    async def run() -> tuple[object, ...]:
        await workers.start()
        return (
            await workers.page(read_for_store, story, link, topic),
            await workers.page(read_for_store, off_topic, link, topic),
        )

    try:
        (article, verdict, fp), (_, soup_verdict, soup_fp) = asyncio.run(run())
    finally:
        workers.shutdown()
    assert verdict.relevant and fp is not None
    expected = fingerprint(article.text)
    assert (fp.exact, fp.size, fp.signature_bytes()) == (
        expected.exact,
        expected.size,
        expected.signature_bytes(),
    )
    assert not soup_verdict.relevant and soup_fp is None
