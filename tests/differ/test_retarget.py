"""Retargeting the differ is editing data: a twelfth position, a language the package does
not know (its lexicon beside `positions.yaml`, through ``lexicon_dir``), another position
carrying the story's troop claim — all from YAML, with mistakes reported by file, line and
field like any other in `positions.yaml`."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.differ import Differ, Positions, load_positions
from monitor.differ.differ import analysis_version
from monitor.errors import ConfigError

from .conftest import REPO

# An eleventh position with Polish and English cues, and Polish language knowledge, as a
# user would add them from YAML alone (shared with tests/integration/test_retarget_digest.py).
_FIXTURES = REPO / "tests" / "fixtures" / "retarget"
P11 = "\n" + (_FIXTURES / "p11.yaml").read_text(encoding="utf-8")
PL_LEXICON = (_FIXTURES / "pl.yaml").read_text(encoding="utf-8")


def _rules_only(positions: Positions) -> Differ:
    """The rules' own reading (without a learned weighing layer, where there is one)."""
    return Differ(positions, model=None)


def _positions_file(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = (REPO / "positions.yaml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, f"fixture drift: {old!r} not in positions.yaml"
        text = text.replace(old, new, 1)
    path = tmp_path / "positions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def retargeted(tmp_path: Path) -> Positions:
    (tmp_path / "lexicon").mkdir()
    (tmp_path / "lexicon" / "pl.yaml").write_text(PL_LEXICON, encoding="utf-8")
    path = _positions_file(
        tmp_path,
        ("positions:\n", "lexicon_dir: lexicon\npositions:\n"),
        ("\nstory:\n", P11 + "\nstory:\n"),
    )
    return load_positions(path)


def test_an_eleventh_position_in_a_new_language_is_read(retargeted: Positions) -> None:
    assert retargeted.ids[-1] == "P11" and len(retargeted.positions) == 11
    differ = _rules_only(retargeted)
    result = differ.diff("Korytarz zbożowy nadal działa bez zakłóceń.", language="pl")
    assert set(result.positions) == {f"P{i}" for i in range(1, 12)}
    p11 = result.positions["P11"]
    assert p11.stance == "echo"
    assert p11.evidence and p11.evidence[0].cues == ("działa",)
    assert all(r.stance == "absent" for pid, r in result.positions.items() if pid != "P11")


def test_the_new_language_s_negation_is_honoured(retargeted: Positions) -> None:
    differ = _rules_only(retargeted)
    result = differ.diff("Korytarz zbożowy nie działa od tygodnia.", language="pl")
    p11 = result.positions["P11"]
    assert p11.stance == "contest"
    assert p11.evidence[0].cues == ("¬działa",)
    # and its clause breaks: a negation does not reach across "ale" ("but")
    joined = differ.diff("Nikt nie pyta i korytarz zbożowy działa.", language="pl")
    assert joined.positions["P11"].stance == "contest"
    broken = differ.diff("Nikt nie pyta ale korytarz zbożowy działa.", language="pl")
    assert broken.positions["P11"].stance == "echo"


def test_without_the_lexicon_the_same_text_is_read_without_negation(tmp_path: Path) -> None:
    path = _positions_file(tmp_path, ("\nstory:\n", P11 + "\nstory:\n"))
    differ = _rules_only(load_positions(path))
    result = differ.diff("Korytarz zbożowy nie działa od tygodnia.", language="pl")
    assert result.positions["P11"].stance == "echo"  # an empty lexicon: says less


def test_the_lexicon_dir_counts_in_the_analysis_version(
    retargeted: Positions, tmp_path: Path
) -> None:
    before = analysis_version(retargeted)
    (tmp_path / "lexicon" / "pl.yaml").write_text(
        PL_LEXICON + "attribution: ['według']\n", encoding="utf-8"
    )
    assert analysis_version(retargeted) != before


def test_a_lexicon_in_the_lexicon_dir_replaces_the_packaged_one(tmp_path: Path) -> None:
    (tmp_path / "lexicon").mkdir()
    (tmp_path / "lexicon" / "en.yaml").write_text("language: en\n", encoding="utf-8")
    positions = load_positions(
        _positions_file(tmp_path, ("positions:\n", "lexicon_dir: lexicon\npositions:\n"))
    )
    text = "The Pentagon has not confirmed that North Korean troops are in Kursk."
    plain = _rules_only(load_positions(REPO / "positions.yaml")).diff(text, language="en")
    bare = _rules_only(positions).diff(text, language="en")
    assert plain.positions["P4"].stance == "echo"  # "not" flips "confirmed"
    assert bare.positions["P4"].stance == "contest"  # an English without negation


# ── the story section ───────────────────────────────────────────────────────────────

DOUBT = "The Pentagon has not confirmed that North Korean troops are in Kursk."


def test_the_story_s_troop_position_drives_the_epistemic_reading(tmp_path: Path) -> None:
    shipped = _rules_only(load_positions(REPO / "positions.yaml")).diff(DOUBT, language="en")
    assert shipped.positions["P4"].stance == "echo"
    assert shipped.framing.epistemic == "hedged"  # the troop claim is doubted
    path = _positions_file(tmp_path, ("  troop_position: P4\n", "  troop_position: P3\n"))
    moved = _rules_only(load_positions(path)).diff(DOUBT, language="en")
    assert moved.positions["P4"].stance == "echo"
    assert moved.framing.epistemic == "asserted"  # P3 makes no claim here: not doubted


def test_the_story_s_troop_count_range_bounds_the_count(tmp_path: Path) -> None:
    text = "Some 12,000 North Korean troops are in Kursk, the Pentagon said."
    shipped = _rules_only(load_positions(REPO / "positions.yaml")).diff(text, language="en")
    assert shipped.framing.troop_count == 12_000
    path = _positions_file(
        tmp_path,
        ("  troop_count: {min: 100, max: 300000}\n", "  troop_count: {min: 100, max: 10000}\n"),
    )
    assert _rules_only(load_positions(path)).diff(text, language="en").framing.troop_count is None


def test_the_story_s_words_are_the_framing_s(tmp_path: Path) -> None:
    path = _positions_file(tmp_path, ('        "putin": Putin\n', '        "putin": V. Putin\n'))
    result = _rules_only(load_positions(path)).diff("Putin met Kim.", language="en")
    assert result.framing.sources_cited == ("V. Putin",)


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                if needle in line)


def test_a_troop_position_naming_no_position_is_reported(tmp_path: Path) -> None:
    path = _positions_file(tmp_path, ("  troop_position: P4\n", "  troop_position: P12\n"))
    with pytest.raises(ConfigError) as err:
        load_positions(path)
    assert err.value.field == "story.troop_position"
    assert err.value.line == _line_of(path, "troop_position: P12")
    assert "'P12'" in str(err.value) and "P10" in str(err.value)


def test_a_troop_position_that_is_no_id_is_reported(tmp_path: Path) -> None:
    path = _positions_file(tmp_path, ("  troop_position: P4\n", "  troop_position: troops\n"))
    with pytest.raises(ConfigError) as err:
        load_positions(path)
    assert err.value.field == "story.troop_position"
    assert "P followed by a number" in str(err.value)


def test_a_troop_count_range_must_be_ordered(tmp_path: Path) -> None:
    path = _positions_file(
        tmp_path,
        ("  troop_count: {min: 100, max: 300000}\n", "  troop_count: {min: 1000, max: 10}\n"),
    )
    with pytest.raises(ConfigError) as err:
        load_positions(path)
    assert err.value.field == "story.troop_count" and "larger than max" in str(err.value)


def test_a_broken_story_regex_names_its_line_and_field(tmp_path: Path) -> None:
    path = _positions_file(tmp_path, ('        "putin": Putin\n', '        "putin(": Putin\n'))
    with pytest.raises(ConfigError) as err:
        load_positions(path)
    assert err.value.field == "story.languages.en.sources"
    assert "putin(" in str(err.value) and "regular expression" in str(err.value)


def test_a_missing_lexicon_dir_is_reported(tmp_path: Path) -> None:
    path = _positions_file(tmp_path, ("positions:\n", "lexicon_dir: nowhere\npositions:\n"))
    with pytest.raises(ConfigError) as err:
        load_positions(path)
    assert err.value.field == "lexicon_dir"
    assert err.value.line == _line_of(path, "lexicon_dir: nowhere")


def test_a_broken_file_in_the_lexicon_dir_is_reported_when_the_positions_load(
    tmp_path: Path,
) -> None:
    (tmp_path / "lexicon").mkdir()
    broken = tmp_path / "lexicon" / "pl.yaml"
    broken.write_text("language: pl\nnegation: ['nie', '(']\n", encoding="utf-8")
    path = _positions_file(tmp_path, ("positions:\n", "lexicon_dir: lexicon\npositions:\n"))
    with pytest.raises(ConfigError) as err:
        load_positions(path)
    assert err.value.path == str(broken) and err.value.field == "negation[1]"
