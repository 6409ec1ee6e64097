"""Retargeting from YAML alone, end to end: an analyst adds an eleventh position and a
language the package does not ship (its lexicon beside positions.yaml), stores a piece in
that language, runs `monitor reanalyse` and `monitor digest` — and sees the new position,
and the new-language piece's call on it, in the digest. No Python is edited. All sentences
are written for this test."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main
from monitor.models import ExtractedArticle
from monitor.store import open_store

REPO = Path(__file__).resolve().parents[2]
WEEK = "2024-W44"

# the eleventh position and the Polish lexicon of the differ's retargeting tests
_FIXTURES = REPO / "tests" / "fixtures" / "retarget"
P11 = "\n" + (_FIXTURES / "p11.yaml").read_text(encoding="utf-8")
PL_LEXICON = (_FIXTURES / "pl.yaml").read_text(encoding="utf-8")

# A Polish piece: the corridor is *not* working ("nie działa" → the echo cue negated).
TEXT = (
    "Według ministerstwa korytarz zbożowy od tygodnia nie działa.\n\n"
    "Statki czekają w portach na decyzję obu rządów."
)


def _retargeted(tmp_path: Path) -> Path:
    (tmp_path / "lexicon").mkdir()
    (tmp_path / "lexicon" / "pl.yaml").write_text(PL_LEXICON, encoding="utf-8")
    text = (REPO / "positions.yaml").read_text(encoding="utf-8")
    assert "\nstory:\n" in text and "positions:\n" in text
    text = text.replace("positions:\n", "lexicon_dir: lexicon\npositions:\n", 1)
    text = text.replace("\nstory:\n", P11 + "\nstory:\n", 1)
    path = tmp_path / "positions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _cli(tmp_path: Path, positions: Path, *args: str) -> str:
    options = ["--storage", str(tmp_path / "storage"), "--sources", str(REPO / "sources.yaml"),
               "--positions", str(positions)]
    result = CliRunner().invoke(main, [*options, *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_a_new_position_and_language_from_yaml_reach_the_digest(tmp_path: Path) -> None:
    positions = _retargeted(tmp_path)
    (tmp_path / "storage").mkdir()
    with open_store(f"sqlite:///{tmp_path / 'storage' / 'monitor.db'}") as store:
        store.upsert_article(
            ExtractedArticle(
                url="https://www.dw.com/pl/korytarz-zbozowy/a-7001",
                title="Korytarz zbożowy wstrzymany",
                authors=(),
                published=datetime(2024, 10, 30, 8, tzinfo=UTC),
                language="pl",
                text=TEXT,
            ),
            source_id="dw",
            camp="west",
            capture_id=None,
            seen_at=datetime(2024, 10, 30, 9, tzinfo=UTC),
        )

    assert "1 articles re-analysed" in _cli(tmp_path, positions, "reanalyse")
    out = tmp_path / "digests"
    _cli(tmp_path, positions, "digest", "--week", WEEK, "--out", str(out))

    doc = json.loads((out / f"{WEEK}.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in doc["positions"]][-1] == "P11"
    west = next(row for row in doc["stance_table"] if row["camp"] == "west")
    assert west["positions"]["P11"]["contest"] == 1, west["positions"]["P11"]
    html = (out / f"{WEEK}.html").read_text(encoding="utf-8")
    assert "The grain corridor holds" in html
    assert "nie działa" in html  # the evidence sentence, in the piece's own language
