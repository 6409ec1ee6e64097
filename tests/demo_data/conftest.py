"""Fixtures for tests of the bundled demo archive: its records, manifest and sources.yaml."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from monitor.config import SourcesFile, load_sources
from monitor.demo_data import ARCHIVE as PACKAGED_ARCHIVE

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "tests" / "fixtures" / "demo"
ARCHIVE = PACKAGED_ARCHIVE
MANIFEST = DEMO / "manifest.json"


@dataclass(frozen=True)
class Captured:
    """One recorded response."""

    url: str
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def charset(self) -> str:
        ctype = self.headers.get("content-type", "")
        for part in ctype.split(";")[1:]:
            name, _, value = part.partition("=")
            if name.strip().lower() == "charset":
                return value.strip()
        return "utf-8"

    @property
    def text(self) -> str:
        return self.body.decode(self.charset)


@pytest.fixture(scope="session")
def captures() -> dict[str, Captured]:
    out: dict[str, Captured] = {}
    with ARCHIVE.open("rb") as fh:
        for rec in ArchiveIterator(fh):
            if rec.rec_type != "response":
                continue
            url = rec.rec_headers.get_header("WARC-Target-URI")
            headers = {k.lower(): v for k, v in rec.http_headers.headers}
            out[url] = Captured(
                url, int(rec.http_headers.get_statuscode()), headers, rec.content_stream().read()
            )
    return out


@pytest.fixture(scope="session")
def manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def articles(manifest: dict) -> list[dict]:
    return manifest["articles"]


@pytest.fixture(scope="session")
def sources() -> SourcesFile:
    return load_sources(REPO / "sources.yaml")


# ── reading what the demo serves, the way the pipeline's stages will ───────────────

_FURNITURE = (
    "nav, header, footer, section, aside, script, style, [role=dialog], .share, "
    ".share-buttons, .share-box, .article-tips, .related-group, .writer-zone01, .Enhancement"
)


def article_text(html: str, body_selector: str | None, remove: tuple[str, ...] = ()) -> str:
    """The article's own text: the configured body selector, else every paragraph outside
    page furniture (navigation, cookie banners, related links, footers)."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    for sel in (*remove, _FURNITURE) if body_selector is None else remove:
        for node in tree.css(sel):
            node.decompose()
    nodes = tree.css(body_selector) if body_selector else tree.css("p")
    return "\n\n".join(n.text(separator=" ", strip=True) for n in nodes if n.text(strip=True))


def count_hits(text: str, phrases: tuple[str, ...]) -> int:
    low = text.lower()
    return sum(low.count(p.lower()) for p in phrases)


@pytest.fixture(scope="session")
def feed_items(captures: dict[str, Captured], manifest: dict) -> dict[str, dict[str, str]]:
    """Every item of every served RSS/RDF endpoint: canonical link -> {title, summary, raw}."""
    import feedparser

    from monitor.urls import canonical_url

    items: dict[str, dict[str, str]] = {}
    for ep in manifest["endpoints"]:
        if ep["kind"] != "rss":
            continue
        cap = captures[ep["url"]]
        parsed = feedparser.parse(cap.body, response_headers={"content-location": ep["url"]})
        for e in parsed.entries:
            items[canonical_url(e.link)] = {
                "title": e.get("title", ""),
                "summary": e.get("summary", ""),
                "published": e.get("published", ""),
                "endpoint": ep["url"],
            }
    return items
