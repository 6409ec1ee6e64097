"""The command-line contracts other tools rely on, and the errors an analyst sees."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main

REPO = Path(__file__).resolve().parents[2]
SEED = REPO.parent / "shared" / "seed" / "000_c729cd3e6bfc0f2e.txt"
CONFIG = ["--sources", str(REPO / "sources.yaml"), "--positions", str(REPO / "positions.yaml")]


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*CONFIG, *args])
    return result.exit_code, result.output


def test_diff_json_contract_on_a_piece(tmp_path: Path) -> None:
    piece = tmp_path / "piece.txt"
    piece.write_text(
        "The Kremlin dismissed reports that North Korean troops are in the Kursk region as "
        "unconfirmed speculation spread by Western media. Peskov said no evidence had been shown.",
        encoding="utf-8",
    )
    code, out = invoke("diff", "--text-file", str(piece), "--lang", "en", "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    assert sorted(data["positions"], key=lambda p: int(p[1:])) == [f"P{i}" for i in range(1, 11)]
    for result in data["positions"].values():
        assert result["stance"] in ("echo", "contest", "mixed", "absent")
        assert -1.0 <= result["score"] <= 1.0
        assert all(isinstance(e["sentence"], str) for e in result["evidence"])
    assert data["positions"]["P4"]["stance"] == "echo"
    assert "framing" in data


def test_the_seed_article_echoes_the_baseline() -> None:
    if not SEED.exists():
        import pytest

        pytest.skip(f"the baseline article is not at {SEED}")
    code, out = invoke("diff", "--text-file", str(SEED), "--format", "json")
    assert code == 0, out
    stances = [r["stance"] for r in json.loads(out)["positions"].values()]
    assert len(stances) == 10
    assert stances.count("echo") >= 7
    assert "contest" not in stances


def test_extract_json_contract(tmp_path: Path) -> None:
    page = REPO / "tests" / "integration" / "site" / "1002.html"
    code, out = invoke(
        "extract", str(page), "--url", "https://example.org/world/1002", "--format", "json"
    )
    assert code == 0, out
    data = json.loads(out)
    assert list(data) == ["url", "title", "authors", "published", "language", "text"]
    assert data["url"] == "https://example.org/world/1002"
    assert data["published"] == "2024-10-30T18:05:00+00:00"
    assert data["language"] == "en"
    assert "\n\n" in data["text"] and "Pentagon spokeswoman" in data["text"]
    assert "© Wire Service" not in data["text"]


def test_a_malformed_positions_file_is_one_paragraph_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "positions.yaml"
    text = (REPO / "positions.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("id: P3", "id: P33", 1), encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "monitor.cli",
            "--sources",
            str(REPO / "sources.yaml"),
            "--positions",
            str(bad),
            "sources",
            "--check",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert str(bad) in proc.stderr and "line" in proc.stderr


@pytest.mark.parametrize("week", ["2024-44", "2024-W99", "2023-W53"])
def test_a_malformed_or_impossible_week_is_an_input_error(tmp_path: Path, week: str) -> None:
    code, out = invoke("--storage", str(tmp_path), "digest", "--week", week)
    assert code == 2  # like every other input error
    assert week in out and "--week" in out and "Traceback" not in out
    assert not (tmp_path / "monitor.db").exists()  # refused before anything was opened


def test_diff_needs_exactly_one_input() -> None:
    code, out = invoke("diff", "--format", "json")
    assert code == 2
    assert "exactly one of" in out


def test_sources_lists_every_outlet() -> None:
    code, out = invoke("sources")
    assert code == 0, out
    for source_id in ("riac_en", "guancha", "yonhap_en", "kyiv_independent", "gdelt"):
        assert source_id in out
    assert "positions OK" in out


def test_extracting_a_binary_file_is_an_input_error(tmp_path: Path) -> None:
    blob = tmp_path / "photo.html"
    blob.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    code, out = invoke("extract", str(blob), "--format", "json")
    assert code == 2
    assert "binary" in out and "Traceback" not in out
