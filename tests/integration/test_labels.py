"""An analyst corrects the differ with `monitor label`, through the real command line, a
real SQLite store and the real differ: the label survives re-analysis, the digest shows
it with its note, the export writes it as labelled data, and clearing it brings the
differ's own call back. All sentences are written for these tests."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from selectolax.lexbor import LexborHTMLParser

from monitor.cli import main
from monitor.differ import Differ, load_positions
from monitor.models import DiffResult, Evidence, Framing, PositionResult
from monitor.runtime import Settings
from monitor.store import Store, open_store
from tests.integration.conftest import global_options

REPO = Path(__file__).resolve().parents[2]
WEEK = "2024-W44"
URL = "https://www.reuters.com/world/asia-pacific/troops-kursk-2024-10-30/"
TEXT = (
    "South Korea's spy agency said thousands of North Korean soldiers had reached the "
    "Kursk region.\n\nThe Kremlin declined to confirm the reports and called them "
    "speculation."
)
NOTE = "The piece treats the deployment as fact; the Kremlin line is only quoted."


def _settings(tmp_path: Path, positions: Path = REPO / "positions.yaml") -> Settings:
    return Settings(
        storage=tmp_path / "storage",
        sources_path=REPO / "sources.yaml",
        positions_path=positions,
    )


def _cli(settings: Settings, *args: str, user: str = "jdoe") -> tuple[int, str]:
    options = global_options(settings)
    # a wide console, so rich does not wrap the table of --list
    result = CliRunner().invoke(main, [*options, *args], env={"USER": user, "COLUMNS": "200"})
    return result.exit_code, result.output


def _store_piece(store: Store, version: str, position_ids: list[str]) -> int:
    """A Reuters piece of 2024-W44 whose (old) analysis called P4 a weak echo."""
    article_id, _ = store.upsert_article(
        _extracted(),
        source_id="reuters",
        camp="west",
        capture_id=None,
        seen_at=datetime(2024, 10, 30, 12, tzinfo=UTC),
    )
    positions = {pid: PositionResult(pid, "absent", 0.0, confidence=0.9) for pid in position_ids}
    positions["P4"] = PositionResult(
        "P4",
        "echo",
        0.3,
        (Evidence("The Kremlin declined to confirm the reports.", "echo", 0.3),),
        confidence=0.45,
    )
    store.save_diff(article_id, DiffResult(positions, Framing(), "en", "lexical", version))
    return article_id


def _extracted():
    from monitor.models import ExtractedArticle

    return ExtractedArticle(
        url=URL,
        title="North Korean soldiers reach Kursk, Seoul says",
        authors=(),
        published=datetime(2024, 10, 30, 9, 15, tzinfo=UTC),
        language="en",
        text=TEXT,
    )


def _digest(settings: Settings, out: Path) -> tuple[LexborHTMLParser, str, dict]:
    code, output = _cli(settings, "digest", "--week", WEEK, "--out", str(out))
    assert code == 0, output
    html = (out / f"{WEEK}.html").read_text(encoding="utf-8")
    md = (out / f"{WEEK}.md").read_text(encoding="utf-8")
    doc = json.loads((out / f"{WEEK}.json").read_text(encoding="utf-8"))
    return LexborHTMLParser(html), md, doc


def test_a_label_survives_re_analysis_shows_in_the_digest_exports_and_clears(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    with open_store(settings.database_url()) as store:
        article_id = _store_piece(store, "an-older-analysis", [f"P{i}" for i in range(1, 11)])

    # 1. the analyst overrules the differ's weak echo on P4
    code, out = _cli(settings, "label", str(article_id), "P4", "contest", "--note", NOTE)
    assert code == 0, out
    assert "the differ said echo, confidence 0.45" in out

    # 2. the analysis is re-run: the differ replaces all its stances, the label stays
    code, out = _cli(settings, "reanalyse")
    assert code == 0, out
    assert "1 articles re-analysed" in out
    current = Differ(load_positions(settings.positions_path)).version
    with open_store(settings.database_url()) as store:
        stances = {s.position_id: s for s in store.stances_for([article_id])[article_id]}
        differs_p4 = stances["P4"].differ_stance
    assert {s.positions_version for s in stances.values()} == {current}
    assert stances["P4"].stance == "contest" and stances["P4"].correction is not None
    assert stances["P4"].correction.note == NOTE and stances["P4"].correction.labelled_by == "jdoe"

    # 3. the digest shows the analyst's call, marked, with the note
    page, md, doc = _digest(settings, tmp_path / "digests")
    call = next(li for li in page.css("article#P4 ol.pieces li") if "Kursk" in li.text())
    assert call.css_first(".badge").text().startswith("− contest")
    assert call.css_first(".tag.analyst").text() == "analyst-corrected"
    assert NOTE in call.css_first(".analyst-note").text()
    assert NOTE in page.css_first("section#corrections").text()
    assert f"analyst-corrected; differ said {differs_p4}" in md
    assert NOTE in md
    [correction] = doc["corrections"]
    assert (correction["article_id"], correction["position"], correction["stance"]) == (
        article_id,
        "P4",
        "contest",
    )
    assert correction["correction"]["note"] == NOTE
    west = next(r for r in doc["stance_table"] if r["camp"] == "west")
    assert west["positions"]["P4"]["contest"] == 1 and west["positions"]["P4"]["corrected"] == 1

    # 4. the export gives the labelled line, shaped like the corpus files
    export = tmp_path / "labels.jsonl"
    code, out = _cli(settings, "label", "--export", str(export))
    assert code == 0, out
    [line] = export.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert list(record) == [
        "id",
        "url",
        "outlet",
        "camp",
        "lang",
        "date",
        "title",
        "text",
        "stance",
        "corrected",
        "note",
    ]
    assert record["id"] == f"store-{article_id}"
    assert (record["url"], record["outlet"], record["camp"], record["lang"]) == (
        URL,
        "Reuters",
        "west",
        "en",
    )
    assert (record["date"], record["text"]) == ("2024-10-30", TEXT)
    assert list(record["stance"]) == [f"P{i}" for i in range(1, 11)]
    assert record["stance"]["P4"] == "contest"
    others = {pid: s.stance for pid, s in stances.items() if pid != "P4"}
    assert {pid: v for pid, v in record["stance"].items() if pid != "P4"} == others
    assert (record["corrected"], record["note"]) == (["P4"], f"P4: {NOTE}")

    # 5. clearing the label (the piece named by its URL) brings the differ's call back
    code, out = _cli(settings, "label", URL + "?utm_source=feed", "P4", "--clear")
    assert code == 0, out
    assert f"the differ's stance shows again: {differs_p4}" in out
    page, md, doc = _digest(settings, tmp_path / "digests")
    assert doc["corrections"] == [] and not page.css("section#corrections")
    assert NOTE not in md
    west = next(r for r in doc["stance_table"] if r["camp"] == "west")
    assert west["positions"]["P4"]["corrected"] == 0
    code, out = _cli(settings, "label", "--export", "-")
    assert code == 0 and out == ""


def test_list_prints_the_labels_with_what_the_differ_said(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with open_store(settings.database_url()) as store:
        article_id = _store_piece(store, "v", [f"P{i}" for i in range(1, 11)])
    code, out = _cli(settings, "label", "--list")
    assert code == 0 and "No labels stored" in out
    _cli(settings, "label", str(article_id), "P4", "contest", "--note", "checked")
    _cli(settings, "label", str(article_id), "p7", "ECHO", "--by", "mkim")
    code, out = _cli(settings, "label", "--list")
    assert code == 0, out
    assert "2 labels" in out
    rows = [line for line in out.splitlines() if re.match(r"^│ \d", line)]
    assert [r.split("│")[2].strip() for r in rows] == ["P4", "P7"]
    assert "contest" in rows[0] and "echo (0.45)" in rows[0] and "jdoe" in rows[0]
    assert "mkim" in rows[1]

    # relabelling replaces, it does not add
    code, out = _cli(settings, "label", str(article_id), "P4", "mixed")
    assert code == 0 and "replacing the label contest" in out
    with open_store(settings.database_url()) as store:
        assert [(c.position_id, c.stance, c.note) for c in store.corrections()] == [
            ("P4", "mixed", None),
            ("P7", "echo", None),
        ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["999", "P4", "echo"], "no stored article with id 999"),
        (["https://nowhere.example/x", "P4", "echo"], "no stored article for"),
        (["{id}", "P11", "echo"], "unknown position 'P11'"),
        (["{id}", "Q4", "echo"], "unknown position 'Q4'"),
        (["{id}", "P4", "agree"], "unknown stance 'agree'"),
        (["{id}", "P4"], "give ARTICLE POSITION STANCE"),
        (["{id}", "P4", "echo", "--clear"], "--clear takes ARTICLE and POSITION only"),
        (["--list", "{id}"], "--list and --export take no ARTICLE"),
    ],
)
def test_a_mistake_is_one_line_and_exit_2(tmp_path: Path, args: list[str], says: str) -> None:
    settings = _settings(tmp_path)
    with open_store(settings.database_url()) as store:
        article_id = _store_piece(store, "v", [f"P{i}" for i in range(1, 11)])
    code, out = _cli(settings, "label", *(a.replace("{id}", str(article_id)) for a in args))
    assert code == 2
    assert out.count("\n") == 1 and out.startswith("Error: ") and says in out, out
    if "position" in says:
        assert "positions.yaml defines P1, P2, P3" in out
    with open_store(settings.database_url()) as store:
        assert store.corrections() == []


def _positions_with(tmp_path: Path, extra: int) -> Path:
    """positions.yaml with ``extra`` more positions (P11, P12…), copies of P10's cues."""
    source = (REPO / "positions.yaml").read_text(encoding="utf-8")
    start = source.index("\n  - id: P10\n") + 1
    rest = source[start:]
    end = re.search(r"\n(?=\S)", rest)  # the next top-level key, if any
    block = rest[: end.start() + 1] if end else rest
    added = "".join(
        block.replace("id: P10", f"id: P{n}", 1).replace(
            "slug: china-unharmed", f"slug: extra-{n}", 1
        )
        for n in range(11, 11 + extra)
    )
    path = tmp_path / "positions.yaml"
    text = source[:start] + block + added + (rest[end.start() + 1 :] if end else "")
    path.write_text(text, encoding="utf-8")
    assert [p.id for p in load_positions(path).positions][-1] == f"P{10 + extra}"
    return path


def test_positions_beyond_ten_can_be_labelled_exported_and_shown(tmp_path: Path) -> None:
    settings = _settings(tmp_path, _positions_with(tmp_path, 2))
    ids = [f"P{i}" for i in range(1, 13)]
    with open_store(settings.database_url()) as store:
        article_id = _store_piece(store, "v", ids)

    code, out = _cli(settings, "label", str(article_id), "P12", "echo", "--note", "twelfth")
    assert code == 0, out
    code, out = _cli(settings, "label", str(article_id), "P13", "echo")
    assert code == 2 and "unknown position 'P13'" in out and "P11, P12" in out

    page, md, doc = _digest(settings, tmp_path / "digests")
    assert [th.text() for th in page.css("table.matrix thead th")][1:] == ids
    assert [a.attributes["id"] for a in page.css("section#positions article")] == ids
    assert "Positions P1–P12" in page.css_first("section#positions h2").text()
    assert "twelfth" in page.css_first("article#P12").text()
    assert "### P11 · " in md and "### P12 · " in md
    assert [p["id"] for p in doc["positions"]] == ids
    assert doc["corrections"][0]["position"] == "P12"

    export = tmp_path / "labels.jsonl"
    code, out = _cli(settings, "label", "--export", str(export))
    assert code == 0, out
    record = json.loads(export.read_text(encoding="utf-8"))
    assert list(record["stance"]) == ids
    assert (record["stance"]["P12"], record["corrected"]) == ("echo", ["P12"])
