"""`monitor export`: an analyst takes the stored pieces with their stances into a
spreadsheet (CSV) or another tool (JSON Lines), chosen by date, camp and outlet; an
analyst's label wins and is marked; a hostile title cannot become a spreadsheet formula.
All titles and sentences are written for these tests."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.models import DiffResult, ExtractedArticle, Framing, PositionResult
from monitor.runtime import Settings
from monitor.store import open_store

REPO = Path(__file__).resolve().parents[2]
POSITIONS = [f"P{i}" for i in range(1, 11)]
HOSTILE = '=HYPERLINK("https://evil.example/","click")'


def _run(settings: Settings, *args: str) -> tuple[int, str, str]:
    options = ["--storage", str(settings.storage), "--sources", str(settings.sources_path)]
    options += ["--positions", str(settings.positions_path)]
    result = CliRunner().invoke(main, [*options, *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Three pieces: TASS on 28 Oct echoing P4, Reuters on 30 Oct contesting it (an
    analyst relabelled it mixed), Yonhap on 12 Nov with a hostile title."""
    s = Settings(
        storage=tmp_path / "storage",
        sources_path=REPO / "sources.yaml",
        positions_path=REPO / "positions.yaml",
    )
    store = open_store(s.database_url())
    pieces = [
        ("tass_en", "ru", "https://tass.com/world/1", "Moscow dismisses troop reports", 28, "echo"),
        ("reuters", "west", "https://www.reuters.com/world/2", "Troops reach Kursk", 30, "contest"),
        ("yonhap_en", "kr", "https://en.yna.co.kr/view/3", HOSTILE, 43, "contest"),
    ]
    ids = []
    for source, camp, url, title, day, p4 in pieces:  # day: of October, 43 = 12 November
        seen = datetime(2024, 10, 1, 9, tzinfo=UTC) + timedelta(days=day - 1)
        article_id, _ = store.upsert_article(
            ExtractedArticle(
                url=url,
                title=title,
                authors=(),
                text=f"{title}. Kursk.",
                language="en",
                published=seen,
            ),
            source_id=source,
            camp=camp,
            capture_id=None,
            seen_at=seen,
        )
        positions = {pid: PositionResult(pid, "absent", 0.0, confidence=0.9) for pid in POSITIONS}
        positions["P4"] = PositionResult("P4", p4, 0.5 if p4 == "echo" else -0.5, confidence=0.55)
        store.save_diff(article_id, DiffResult(positions, Framing(), "en", "lexical", "v1"))
        ids.append(article_id)
    store.set_correction(ids[1], "P4", "mixed", labelled_by="jdoe", note="quotes both sides")
    store.close()
    return s


def test_csv_has_one_row_per_piece_with_every_positions_stance(settings: Settings) -> None:
    code, out, err = _run(settings, "export", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["source_id"] for r in rows] == ["tass_en", "reuters", "yonhap_en"]
    assert rows[0]["P4"] == "echo" and rows[0]["P4_confidence"] == "0.550"
    assert rows[0]["P1"] == "absent" and rows[0]["outlet"] == "TASS (English)"
    assert rows[1]["P4"] == "mixed" and rows[1]["P4_corrected"] == "yes"
    assert rows[1]["P4_confidence"] == "1.000" and rows[1]["notes"] == "P4: quotes both sides"
    assert "3 pieces exported" in err


def test_a_title_that_looks_like_a_formula_stays_text_in_csv(settings: Settings) -> None:
    _, out, _ = _run(settings, "export")
    hostile = list(csv.DictReader(io.StringIO(out)))[2]
    assert hostile["title"] == "'" + HOSTILE


def test_jsonl_nests_the_stances_with_the_differs_call_beside_a_label(settings: Settings) -> None:
    code, out, _ = _run(settings, "export", "--format", "jsonl")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 3
    reuters = lines[1]
    p4 = reuters["stances"]["P4"]
    assert p4["stance"] == "mixed" and p4["corrected"] is True
    assert p4["correction"]["differ_stance"] == "contest"
    assert p4["correction"]["note"] == "quotes both sides"
    assert lines[2]["title"] == HOSTILE  # JSON needs no formula guard
    assert list(reuters["stances"]) == POSITIONS


def test_pieces_are_chosen_by_dates_camp_and_source(settings: Settings, tmp_path: Path) -> None:
    def sources(*args: str) -> list[str]:
        code, out, err = _run(settings, "export", "--format", "jsonl", *args)
        assert code == 0, err
        return [json.loads(line)["source_id"] for line in out.splitlines()]

    assert sources("--since", "2024-10-29") == ["reuters", "yonhap_en"]
    assert sources("--until", "2024-10-30") == ["tass_en", "reuters"]  # the last day counts
    assert sources("--since", "2024-W44", "--until", "2024-W44") == ["tass_en", "reuters"]
    assert sources("--since", "2024-W46") == ["yonhap_en"]
    assert sources("--camp", "ru", "--camp", "kr") == ["tass_en", "yonhap_en"]
    assert sources("--source", "reuters") == ["reuters"]
    target = tmp_path / "out.csv"
    code, out, err = _run(settings, "export", "--out", str(target), "--camp", "west")
    assert code == 0 and out == "" and "1 piece exported" in err
    assert len(list(csv.DictReader(target.open(encoding="utf-8")))) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "28/10/2024"], "is not a date"),
        (["--since", "2024-W54"], "does not exist"),
        (["--since", "2024-11-01", "--until", "2024-10-01"], "before --since"),
        (["--camp", "korea"], "unknown camp 'korea'"),
        (["--source", "nowhere"], "unknown source 'nowhere'"),
        (["--format", "xlsx"], "xlsx"),
    ],
)
def test_a_mistyped_choice_is_refused_with_a_clear_message(
    settings: Settings, args: list[str], message: str
) -> None:
    code, out, err = _run(settings, "export", *args)
    assert code == 2 and message in err and out == ""
