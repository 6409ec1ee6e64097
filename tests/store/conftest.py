"""The same store tests on SQLite and on PostgreSQL.

SQLite runs always (a file in the test's tmp_path). PostgreSQL runs when
``MONITOR_TEST_PG_URL`` is set (``make test`` sets it when 127.0.0.1:5432 answers); other
people test against the same database at the same time, so every test gets its own
freshly created schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from monitor.models import DiffResult, ExtractedArticle, Framing, PositionResult
from monitor.store import Store, open_store
from monitor.store.engine import normalise_url

PG_URL = os.environ.get("MONITOR_TEST_PG_URL")
NOW = datetime(2024, 11, 4, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Database:
    """Where a test's store lives; ``open()`` may be called again to re-open it."""

    kind: str
    url: str
    schema: str | None = None

    def open(self, clock: Callable[[], datetime] = lambda: NOW) -> Store:
        return open_store(self.url, schema=self.schema, clock=clock)


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        yield Database("sqlite", f"sqlite:///{tmp_path / 'storage' / 'monitor.db'}")
        return
    if not PG_URL:
        pytest.skip("MONITOR_TEST_PG_URL is not set (e.g. postgresql://postgres@127.0.0.1/test)")
    schema = f"t_{uuid.uuid4().hex}"
    admin = create_engine(normalise_url(PG_URL))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield Database("postgres", PG_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(database: Database) -> Iterator[Store]:
    with database.open() as s:
        yield s


def _piece(
    url: str = "https://news.example.org/world/2024/11/troops-kursk",
    *,
    text: str = "Officials in Seoul said North Korean soldiers had reached the Kursk region.\n\n"
    "Moscow declined to comment on the reports.",
    title: str | None = "North Korean troops reported in Kursk",
    published: datetime | None = datetime(2024, 11, 1, 12, 0, tzinfo=UTC),
    language: str | None = "en",
) -> ExtractedArticle:
    """An article as the extractor would hand it over (our own sentences)."""
    return ExtractedArticle(
        url=url,
        title=title,
        authors=("A. Writer",),
        published=published,
        language=language,
        text=text,
    )


@pytest.fixture
def piece() -> Callable[..., ExtractedArticle]:
    """Factory of extracted articles: ``piece(url, text=…, title=…, published=…)``."""
    return _piece


def _absent_everywhere(version: str) -> DiffResult:
    return DiffResult(
        positions={f"P{i}": PositionResult(f"P{i}", "absent", 0.0) for i in range(1, 11)},
        framing=Framing(),
        language="en",
        method="lexical",
        positions_version=version,
    )


@pytest.fixture
def blank_diff() -> Callable[[str], DiffResult]:
    """Factory of differ results with every position absent: ``blank_diff("v1")``."""
    return _absent_everywhere
