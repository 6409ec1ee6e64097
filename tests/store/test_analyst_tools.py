"""The store as the analysts' own tools read it: Datasette and sqlite-utils find the
full-text index themselves (``?_search=`` and ``sqlite-utils search`` return only the
matching pieces), two-character Chinese and Korean words are found, and the
``article_stances`` view serves one row per piece and position with an analyst's label
winning. Real tools, a real SQLite file; all texts are written for these tests."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlite_utils
from datasette.app import Datasette

from monitor.models import DiffResult, ExtractedArticle, Framing, PositionResult
from monitor.store import open_store

T0 = datetime(2024, 10, 30, 9, 0, tzinfo=UTC)
PIECES = {
    "kursk": ("Troops reach Kursk", "Officials said North Korean units reached the Kursk region."),
    "sanctions": ("Sanctions widen", "Ministers agreed new sanctions on shipping firms."),
    "zh": ("俄朝条约生效", "俄罗斯与朝鲜签署的全面战略伙伴关系条约正式生效。"),
    "ko": ("북한군 파병", "국가정보원은 북한군은 쿠르스크에 도착했다고 밝혔다."),
    "ru": ("Бои в Курской области", "Военные КНДР в Курской области не упоминались."),
}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, int]]]:
    path = tmp_path_factory.mktemp("tools") / "monitor.db"
    store = open_store(f"sqlite:///{path}")
    ids = {}
    for key, (title, text) in PIECES.items():
        ids[key], _ = store.upsert_article(
            ExtractedArticle(
                url=f"https://news.example/{key}",
                title=title,
                authors=(),
                published=T0,
                language=None,
                text=text,
            ),
            source_id="wire",
            camp="west",
            capture_id=None,
            seen_at=T0,
        )
        positions = {f"P{i}": PositionResult(f"P{i}", "absent", 0.0) for i in range(1, 11)}
        positions["P4"] = PositionResult("P4", "contest", -0.6, confidence=0.8)
        store.save_diff(ids[key], DiffResult(positions, Framing(), "en", "lexical", "v1"))
    store.set_correction(ids["kursk"], "P4", "echo", labelled_by="jdoe", note="quoted, not said")
    store.close()
    yield path, ids


def _titles(rows: list[dict[str, object]]) -> set[object]:
    return {r["title"] for r in rows}


async def _datasette(path: Path, query: str) -> list[dict[str, object]]:
    ds = Datasette([str(path)])
    response = await ds.client.get(f"/monitor/{query}&_shape=array")
    assert response.status_code == 200, response.text
    return list(response.json())


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("Kursk", {"Troops reach Kursk"}),
        ("朝鲜", {"俄朝条约生效"}),
        ("북한", {"북한군 파병"}),
        ("Курской", {"Бои в Курской области"}),
        ("Pyongyang", set()),
    ],
)
async def test_datasette_search_returns_only_the_matching_pieces(
    database: tuple[Path, dict[str, int]], term: str, expected: set[str]
) -> None:
    path, _ = database
    rows = await _datasette(path, f"articles.json?_search={term}")
    assert _titles(rows) == expected


async def test_datasette_serves_the_article_stances_view(
    database: tuple[Path, dict[str, int]],
) -> None:
    path, ids = database
    rows = await _datasette(path, f"article_stances.json?article_id={ids['kursk']}")
    assert len(rows) == 10
    p4 = next(r for r in rows if r["position_id"] == "P4")
    assert (p4["stance"], p4["corrected"], p4["differ_stance"]) == ("echo", 1, "contest")
    assert p4["correction_note"] == "quoted, not said" and p4["confidence"] == 1.0
    p1 = next(r for r in rows if r["position_id"] == "P1")
    assert (p1["stance"], p1["corrected"]) == ("absent", 0)


def test_sqlite_utils_finds_the_index_and_searches_with_it(
    database: tuple[Path, dict[str, int]],
) -> None:
    path, _ = database
    db = sqlite_utils.Database(path)
    assert db["articles"].detect_fts() == "articles_fts"
    assert _titles(list(db["articles"].search("Kursk"))) == {"Troops reach Kursk"}
    assert _titles(list(db["articles"].search("朝鲜"))) == {"俄朝条约生效"}
    cli = Path(sys.executable).with_name("sqlite-utils")
    out = subprocess.run(
        [str(cli), "search", str(path), "articles", "북한", "-c", "title"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert [r["title"] for r in json.loads(out)] == ["북한군 파병"]


async def test_a_longer_chinese_word_is_the_phrase_of_its_pairs_in_raw_mode(
    database: tuple[Path, dict[str, int]],
) -> None:
    path, _ = database
    phrase = quote('"战略 略伙 伙伴"')  # 战略伙伴, as the README shows it
    rows = await _datasette(path, f"articles.json?_search={phrase}&_searchmode=raw")
    assert _titles(rows) == {"俄朝条约生效"}
    broken = quote('"伙伴 战略"')  # the same pairs out of order: not in the text
    assert await _datasette(path, f"articles.json?_search={broken}&_searchmode=raw") == []


def test_the_monitors_own_search_agrees(database: tuple[Path, dict[str, int]]) -> None:
    path, ids = database
    store = open_store(f"sqlite:///{path}")
    try:
        assert [a.id for a in store.search("战略伙伴")] == [ids["zh"]]
        assert [a.id for a in store.search("북한")] == [ids["ko"]]
        assert [a.id for a in store.search("Курск")] == [ids["ru"]]
    finally:
        store.close()
