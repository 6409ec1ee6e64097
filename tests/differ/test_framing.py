"""Besides the ten positions, the analyst reads how a piece frames the story: what it calls
the North Korean personnel, how many it says there are, how sure it is and whom it cites."""

from __future__ import annotations

import pytest

from monitor.differ import Differ


@pytest.mark.parametrize(
    ("lang", "text", "count"),
    [
        ("en", "Kyiv says 11,000 North Korean troops are massing near Kursk.", 11000),
        ("en", "Some ten thousand North Korean soldiers were sent to Russia.", 10000),
        ("ru", "По данным разведки, в Россию прибыли 11 тысяч военных КНДР.", 11000),
        ("zh", "据报道，约1.1万名朝鲜士兵已抵达俄罗斯。", 11000),
        ("zh", "一万名朝鲜军人在俄罗斯接受训练。", 10000),
        ("en", "Around 12,000 North Korean soldiers, including 500 officers, are in Russia, and "
               "US officials speak of 3,000.", 12000),
    ],
)
def test_the_largest_troop_count_is_read_in_each_language(
    differ: Differ, lang: str, text: str, count: int
) -> None:
    assert differ.diff(text, language=lang).framing.troop_count == count


def test_counts_that_are_not_north_korean_troops_are_ignored(differ: Differ) -> None:
    text = ("In 2024 Russia's trade with North Korea grew. More than 13,000 foreign "
            "volunteers have joined the Ukrainian army.")
    assert differ.diff(text, language="en").framing.troop_count is None


def test_labels_are_normalised_and_the_original_words_kept(differ: Differ) -> None:
    text = ("Ukraine says North Korean soldiers and sappers are in Kursk; Seoul calls the "
            "North Korean troops cannon fodder.")
    framing = differ.diff(text, language="en").framing
    assert {"soldiers", "sappers", "troops"} <= set(framing.troop_labels)
    assert "cannon fodder" in framing.loaded_terms
    ru = differ.diff("Северокорейские сапёры и военнослужащие КНДР работают в Курской области.",
                     language="ru").framing
    assert {"sappers", "servicemen"} <= set(ru.troop_labels)
    assert any("сап" in t for t in ru.troop_terms)


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "North Korean troops are fighting in Kursk.", "asserted"),
        ("en", "According to Ukrainian intelligence, North Korean troops are fighting in Kursk.",
         "attributed"),
        ("en", "North Korean troops are reportedly fighting in Kursk.", "attributed"),
        ("en", "The Kremlin called reports of North Korean troops in Kursk a hoax.", "hedged"),
        ("en", "Allegedly, North Korean troops are fighting in Kursk.", "hedged"),
        ("ru", "Как заявил Зеленский, северокорейские военные воюют в Курской области.",
         "attributed"),
        ("zh", "所谓朝鲜士兵参战的消息未经证实。", "hedged"),
    ],
)
def test_epistemic_status_of_the_troop_claim(
    differ: Differ, lang: str, text: str, expected: str
) -> None:
    assert differ.diff(text, language=lang).framing.epistemic == expected


def test_a_piece_with_no_claim_has_no_epistemic_status(differ: Differ) -> None:
    assert differ.diff("Putin and Kim watched a concert.", language="en").framing.epistemic is None


@pytest.mark.parametrize(
    ("lang", "text", "sources"),
    [
        ("en", "Budanov of the HUR and the Pentagon both said so; Peskov declined to comment, "
               "TASS reported.", {"HUR (Ukrainian military intelligence)", "Pentagon", "Kremlin",
                                  "TASS"}),
        ("ru", "Об этом сообщили в ГУР, а Песков и Лавров отказались комментировать, "
               "передаёт ТАСС.",
         {"HUR (Ukrainian military intelligence)", "Kremlin", "Lavrov", "TASS"}),
        ("zh", "据韩联社报道，韩国国家情报院称，朝中社未予置评。",
         {"Yonhap", "NIS (South Korea)", "KCNA"}),
    ],
)
def test_sources_cited(differ: Differ, lang: str, text: str, sources: set[str]) -> None:
    assert sources <= set(differ.diff(text, language=lang).framing.sources_cited)


def test_subtopics_count_sentences(differ: Differ) -> None:
    text = ("The treaty was ratified. Sanctions remain in force. North Korean troops are in "
            "Kursk. The treaty includes a mutual assistance clause.")
    subtopics = differ.diff(text, language="en").framing.subtopics
    assert subtopics["treaty"] == 2
    assert subtopics["sanctions"] == 1
    assert subtopics["troops"] == 1
