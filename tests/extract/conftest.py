"""The one loader of recorded pages: ``tests/fixtures/html/<source>/<name>.html``.

Any test that takes a ``page`` argument runs once per recorded page.

Beside each page: ``<name>.expected.json`` — the ``monitor extract`` contract JSON the page
must give, or ``{"url": …, "error": "<reason>"}`` when it must be refused — and, optionally,
``<name>.request.json`` with the HTTP ``content_type`` the page was served with. A folder
named after a source in ``sources.yaml`` extracts with that source's selectors and
language; any other folder (``hostile``) with none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from monitor.config import Selectors, Source, load_sources
from monitor.errors import ExtractError
from monitor.extract import extract
from monitor.models import Response

REPO = Path(__file__).resolve().parents[2]
PAGES = REPO / "tests" / "fixtures" / "html"


@dataclass(frozen=True)
class Page:
    source: str
    name: str
    html: bytes
    expected: dict[str, Any]
    content_type: str | None

    @property
    def id(self) -> str:
        return f"{self.source}/{self.name}"

    @property
    def url(self) -> str:
        return str(self.expected["url"])

    @property
    def charset(self) -> str | None:
        if not self.content_type:
            return None
        headers = {"content-type": self.content_type}
        served = datetime(2024, 10, 24, tzinfo=UTC)  # any instant: only the header is read
        return Response(self.url, self.url, 200, headers, b"", served, "").charset

    def extract_json(self) -> dict[str, Any]:
        """What ``monitor extract`` would print for this page, or ``{"error": reason}``."""
        source = _source(self.source)
        try:
            article = extract(
                self.html,
                self.url,
                selectors=source.selectors if source else None,
                charset=self.charset,
                default_language=source.language if source else None,
            )
        except ExtractError as exc:
            return {"url": self.url, "error": exc.reason}
        return article.to_json()


def load_pages() -> list[Page]:
    pages = []
    for html_path in sorted(PAGES.glob("*/*.html")):
        stem = html_path.name[: -len(".html")]
        expected = json.loads(html_path.with_name(f"{stem}.expected.json").read_text("utf-8"))
        request_path = html_path.with_name(f"{stem}.request.json")
        request = json.loads(request_path.read_text("utf-8")) if request_path.exists() else {}
        pages.append(
            Page(
                source=html_path.parent.name,
                name=stem,
                html=html_path.read_bytes(),
                expected=expected,
                content_type=request.get("content_type"),
            )
        )
    return pages


@lru_cache(maxsize=1)
def _sources() -> dict[str, Source]:
    return {s.id: s for s in load_sources(REPO / "sources.yaml").sources}


def _source(folder: str) -> Source | None:
    return _sources().get(folder)


def selectors_of(source_id: str) -> Selectors | None:
    source = _source(source_id)
    return source.selectors if source else None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "page" in metafunc.fixturenames:
        pages = load_pages()
        metafunc.parametrize("page", pages, ids=[p.id for p in pages])
