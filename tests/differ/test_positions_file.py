"""`positions.yaml` is data the analyst edits: a mistake must name file, line and field,
and any change of content must change the version stored with each result."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.differ import load_positions
from monitor.errors import ConfigError

from .conftest import REPO


def _copy(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = (REPO / "positions.yaml").read_text(encoding="utf-8")
    assert old in text, f"fixture drift: {old!r} not in positions.yaml"
    path = tmp_path / "positions.yaml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_the_shipped_file_has_the_ten_positions_in_order(positions) -> None:  # type: ignore[no-untyped-def]
    assert [p.id for p in positions.positions] == [f"P{i}" for i in range(1, 11)]
    assert positions.positions[3].slug == "troops-unconfirmed"
    assert all({"en", "ru", "zh"} <= set(p.languages) for p in positions.positions)


def test_an_id_not_of_the_form_p_n_is_reported_with_file_line_and_field(tmp_path: Path) -> None:
    path = _copy(tmp_path, "  - id: P7\n", "  - id: Q7\n")
    with pytest.raises(ConfigError) as err:
        load_positions(path)
    assert str(path) in str(err.value)
    assert err.value.field == "positions[6].id"
    assert err.value.line == _line_of(path, "- id: Q7")
    assert "P followed by a number" in str(err.value) and "'Q7'" in str(err.value)


def test_a_duplicate_id_is_named(tmp_path: Path) -> None:
    path = _copy(tmp_path, "  - id: P7\n", "  - id: P6\n")
    with pytest.raises(ConfigError) as err:
        load_positions(path)
    assert err.value.field == "positions"
    assert "'P6' appears twice" in str(err.value) and err.value.line is not None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  - id: P7\n", "  - id: P77\n", "ids must increase: P8"),
        ("  - id: P1\n", "  - id: P0\n", "P followed by a number"),
    ],
)
def test_ids_increase_from_p1(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_positions(_copy(tmp_path, old, new))


def test_gaps_in_the_numbering_are_allowed(tmp_path: Path) -> None:
    path = _copy(tmp_path, "  - id: P10\n", "  - id: P12\n")
    assert load_positions(path).ids[-1] == "P12"


def test_a_position_needs_cues_in_at_least_one_language(tmp_path: Path) -> None:
    text = (REPO / "positions.yaml").read_text(encoding="utf-8")
    start = text.index("    languages:\n", text.index("  - id: P7\n"))
    end = text.index("  - id: P8\n")
    path = tmp_path / "positions.yaml"
    path.write_text(text[:start] + "    languages: {}\n\n" + text[end:], encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_positions(path)
    assert err.value.field == "positions[6].languages"
    assert "at least one language" in str(err.value)


def test_a_position_without_en_ru_or_zh_is_fine(tmp_path: Path) -> None:
    path = _copy(tmp_path, "      zh:\n", "      xx:\n")
    assert "xx" in load_positions(path).positions[0].languages


def test_a_language_key_must_be_an_iso_code(tmp_path: Path) -> None:
    path = _copy(tmp_path, "      uk:\n", "      Ukrainian:\n")
    with pytest.raises(ConfigError) as err:
        load_positions(path)
    assert "ISO 639-1" in str(err.value)


def test_malformed_yaml_gets_a_line(tmp_path: Path) -> None:
    path = _copy(tmp_path, "    slug: trade-modest\n", "    slug: [trade-modest\n")
    with pytest.raises(ConfigError) as err:
        load_positions(path)
    assert err.value.line is not None and "YAML" in str(err.value)


def test_the_version_follows_the_content_not_the_formatting(tmp_path: Path, positions) -> None:  # type: ignore[no-untyped-def]
    same = _copy(tmp_path, "# positions.yaml", "# a new comment\n# positions.yaml")
    assert load_positions(same).version == positions.version
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        same.read_text(encoding="utf-8").replace("'modest', 'small'", "'modest', 'little'", 1),
        encoding="utf-8",
    )
    assert load_positions(changed).version != positions.version
    assert len(positions.version) == 12


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_positions(tmp_path / "nope.yaml")


def test_a_broken_lexicon_file_is_a_config_error_with_its_line(tmp_path: Path) -> None:
    from monitor.differ.lexicon import load_lexicon_file

    path = tmp_path / "xx.yaml"
    path.write_text("language: xx\nnegation:\n  - not\n  - '(unclosed'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_lexicon_file(path)
    assert err.value.line == 4 and err.value.field == "negation[1]"
    assert "(unclosed" in str(err.value)


def test_every_shipped_lexicon_loads() -> None:
    from monitor.differ.lexicon import LEXICON_DIR, available_languages, load_lexicon_file

    langs = available_languages()
    assert {"en", "ru", "zh", "uk", "ko"} <= set(langs)
    for lang in langs:
        assert load_lexicon_file(LEXICON_DIR / f"{lang}.yaml").language == lang


def test_a_lexicon_file_is_named_after_its_language(tmp_path: Path) -> None:
    from monitor.differ.lexicon import load_lexicon_file

    path = tmp_path / "pl.yaml"
    path.write_text("language: nl\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_lexicon_file(path)
    assert err.value.field == "language" and "nl.yaml" in str(err.value)


def test_the_story_is_in_the_positions_file_and_the_lexicon_holds_language_only(
    positions,  # type: ignore[no-untyped-def]
) -> None:
    from monitor.differ.lexicon import LEXICON_DIR, available_languages, load_lexicon_file

    story = positions.story
    assert story.troop_position == "P4"
    assert (story.troop_count.min, story.troop_count.max) == (100, 300_000)
    assert {"en", "ru", "zh", "uk", "ko", "ja", "de", "fr"} <= set(story.languages)
    assert "pyongyang" in story.languages["en"].dprk
    assert story.languages["zh"].subtopics["treaty"]
    for lang in available_languages():
        lex = load_lexicon_file(LEXICON_DIR / f"{lang}.yaml")
        assert lex.unspaced is (lang in ("zh", "ja"))
    assert load_lexicon_file(LEXICON_DIR / "ru.yaml").sentence_splitter == "razdel"
    assert "but" in load_lexicon_file(LEXICON_DIR / "en.yaml").clause_breaks
