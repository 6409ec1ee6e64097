"""Sentences and figures are the units evidence is quoted in and numbers are read from."""

from __future__ import annotations

import pytest

from monitor.differ.numbers import quantities
from monitor.differ.segment import segment, split_sentences


def test_english_splitting_respects_abbreviations_decimals_and_quotes() -> None:
    text = ('U.S. officials met Gen. Smith on Monday. Trade grew 9.5 times to $34.4 million. '
            '"It is a hoax," Peskov said. He left.')
    assert split_sentences(text, "regex") == [
        "U.S. officials met Gen. Smith on Monday.",
        "Trade grew 9.5 times to $34.4 million.",
        '"It is a hoax," Peskov said.',
        "He left.",
    ]


def test_russian_and_chinese_splitting() -> None:
    ru = "В 2023 г. товарооборот вырос. Об этом сообщил т. н. источник! Так ли это?"
    assert len(split_sentences(ru, "razdel")) == 3
    zh = "他说：“朝鲜士兵已经抵达。”随后记者离开了。这是真的吗？"
    assert split_sentences(zh, "cjk") == [
        "他说：“朝鲜士兵已经抵达。”", "随后记者离开了。", "这是真的吗？"
    ]


def test_repeated_paragraphs_are_kept_once_and_titles_come_first() -> None:
    text = "A lead sentence. Another one.\n\nA lead sentence. A third one."
    got = segment(text, "regex", title="A headline")
    assert [s.text for s in got] == [
        "A headline", "A lead sentence.", "Another one.", "A third one."
    ]
    assert [s.index for s in got] == [-1, 0, 1, 2]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("trade of $35 million", 35e6, "usd"),
        ("товарооборот 34,4 млн долларов", 34.4e6, "usd"),
        ("贸易额为3440万美元", 34.4e6, "usd"),
        ("tens of billions of dollars", 3e9, "usd"),
        ("десятки миллиардов долларов", 3e9, "usd"),
        ("11,000 troops", 11000, "count"),
        ("11 тысяч военных", 11000, "count"),
        ("1.1万名士兵", 11000, "count"),
        ("1만1천 명", 11000, "count"),
        ("ten thousand men", 10000, "count"),
        ("three million shells", 3e6, "count"),
    ],
)
def test_figures_are_read_in_each_language(text: str, value: float, unit: str) -> None:
    q = quantities(text)
    assert q and q[0].value == pytest.approx(value) and q[0].unit == unit


def test_years_are_not_counts() -> None:
    assert quantities("In 2024 the treaty was signed") == ()


def test_a_page_without_full_stops_is_cut_into_quotable_pieces() -> None:
    blob = ", ".join(["North Korean troops were seen near Kursk"] * 400)  # one 17,000-char line
    parts = split_sentences(blob, "regex")
    assert len(parts) > 20
    assert all(len(p) <= 600 for p in parts)
    assert "".join(parts).replace(" ", "") == blob.replace(" ", "")  # nothing lost


def test_a_hostile_piece_still_gets_a_result(differ) -> None:  # type: ignore[no-untyped-def]
    blob = "朝鲜士兵" * 20000 + "\x00\ufffd" + "[red]markup[/red] " * 1000
    result = differ.diff(blob, language="zh")
    assert set(result.positions) == {f"P{i}" for i in range(1, 11)}
    assert all(len(e.sentence) <= 600 for r in result.positions.values() for e in r.evidence)
