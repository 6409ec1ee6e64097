"""Wire copy through the real pipeline: an agency's dispatch and a paper's re-run of it,
crawled over HTTP on 127.0.0.1 from two outlets' feeds, become one story; the weekly
digest counts two pieces, one story, and names the agency as the origin."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.models import ExtractedArticle
from monitor.runtime import Settings, open_analysis_pipeline, open_pipeline

if TYPE_CHECKING:
    from tests.integration.conftest import World

REPO = Path(__file__).resolve().parents[2]
STORIES = REPO / "tests" / "stories"

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
"""
OUTLET = """\
  - id: {id}
    name: {name}
    camp: {camp}
    language: en
    homepage: {base}/{id}/
    allow_private_addresses: true  # the test site is on 127.0.0.1
    discovery:
      - kind: rss
        url: {base}/{id}/rss.xml
"""


def _page(title: str, date: str, text: str) -> str:
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n"))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f'</title><meta property="article:published_time" content="{date}"></head><body>'
        f'<nav><a href="/">Home</a> <a href="/world">World</a></nav><main><article>'
        f"<h1>{escape(title)}</h1>\n{paragraphs}\n</article></main>"
        f"<footer>© The outlet</footer></body></html>"
    )


def _outlet(world: World, outlet: str, fixture: Path) -> None:
    head, text = fixture.read_text(encoding="utf-8").split("---\n", 1)
    meta = dict(line.split(": ", 1) for line in head.strip().splitlines())
    url = f"{world.base}/{outlet}/world/1"
    world.add(f"/{outlet}/world/1", _page(meta["title"], meta["date"], text.strip()))
    world.add(
        f"/{outlet}/rss.xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{outlet}</title>'
        f"<item><title>{escape(meta['title'])}</title><link>{url}</link>"
        f"<description>North Korean soldiers in Russia's Kursk region</description>"
        f"</item></channel></rss>",
        "application/rss+xml; charset=utf-8",
    )


def test_a_dispatch_and_its_rerun_are_one_story_in_the_digest(world: World, tmp_path: Path) -> None:
    _outlet(world, "agency", STORIES / "wire" / "00-wire-origin.txt")
    _outlet(world, "paper", STORIES / "wire" / "04-reordered.txt")
    _outlet(world, "other", STORIES / "distinct" / "07-pentagon-estimate.txt")
    config = SOURCES + "".join(
        OUTLET.format(id=i, name=n, camp=c, base=world.base)
        for i, n, c in (
            ("agency", "Pacific Wire", "west"),
            ("paper", "Kyiv Ledger", "ua"),
            ("other", "Gulf Tribune", "other"),
        )
    )
    sources = tmp_path / "sources.yaml"
    sources.write_text(config, encoding="utf-8")
    settings = Settings(
        storage=tmp_path / "storage", sources_path=sources, positions_path=REPO / "positions.yaml"
    )

    async def crawl_and_digest() -> dict[str, Path]:
        async with open_pipeline(settings) as pipeline:
            results = await pipeline.crawl(pipeline.config.sources)
            assert [r.counts["stored"] for r in results] == [1, 1, 1]
            return pipeline.write_digest("2024-W44", settings.digest_dir)

    paths = asyncio.run(crawl_and_digest())
    digest = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert (digest["totals"]["articles"], digest["totals"]["stories"]) == (3, 2)
    wire = digest["stories"][0]
    assert wire["origin"]["outlet"] == "Pacific Wire"
    assert [c["outlet"] for c in wire["carriers"]] == ["Pacific Wire", "Kyiv Ledger"]
    assert digest["wire_flows"] == [
        {"origin_camp": "west", "rerun_camp": "ua", "stories": 1, "pieces": 1}
    ]
    assert "Stories and wire copy" in paths["html"].read_text(encoding="utf-8")


def test_pieces_stored_before_stories_existed_are_grouped_before_the_digest(
    tmp_path: Path,
) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        SOURCES + OUTLET.format(id="agency", name="Pacific Wire", camp="west", base="https://x"),
        encoding="utf-8",
    )
    settings = Settings(
        storage=tmp_path / "storage", sources_path=sources, positions_path=REPO / "positions.yaml"
    )
    at = datetime(2024, 10, 29, 12, 0, tzinfo=UTC)
    texts = [
        (STORIES / "wire" / name).read_text(encoding="utf-8").split("---\n", 1)[1]
        for name in ("00-wire-origin.txt", "03-trimmed.txt", "08-typography.txt")
    ]
    with open_analysis_pipeline(settings) as pipeline:
        piece = ExtractedArticle("https://x/0", "t", (), at, "en", "")
        for n, text in enumerate(texts):  # straight into the store, as an older monitor did
            pipeline.store.upsert_article(
                replace(piece, url=f"https://x/{n}", text=text),
                source_id="agency",
                camp="west",
                capture_id=None,
                seen_at=at,
            )
        data = pipeline.digest_input("2024-W44")
    assert len({story.id for story in data.stories.values()}) == 1
    assert len(data.stories) == 3
