"""What a sentence does with a claim reaches as far as the claim does: a denial covers the
whole claim it denies, a verdict after a colon judges the claim before it — and a cue never
fires inside another word ("和平" in "莫斯科和平壤"). (That a report marker softens the
reported content but not the verdict on the report is held by
``test_positions_read.test_a_piece_about_the_troops_lets_the_troops_refer_to_them``.)
Sentences written for these tests."""

from __future__ import annotations

import pytest

from monitor.differ import Differ


def p4(differ: Differ, text: str, language: str) -> str:
    return differ.diff(text, language=language).positions["P4"].stance


def test_a_denial_covers_a_long_denied_claim(differ: Differ) -> None:
    text = ("The Kremlin on Monday rejected South Korean suggestions that the North had "
            "quietly sent several thousand of its soldiers to fight in the Kursk region.")
    assert p4(differ, text, "en") == "echo"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("克宫回应“朝鲜向库尔斯克派兵1.2万人”：假新闻", "zh"),
        ('Kremlin on "12,000 North Korean troops sent to Kursk": fake news', "en"),
    ],
)
def test_a_verdict_after_a_colon_judges_the_claim_before_it(
    differ: Differ, text: str, language: str
) -> None:
    assert p4(differ, text, language) == "echo"


def test_no_confirmation_after_the_noun_reads_as_doubt_in_russian(differ: Differ) -> None:
    text = ("Песков заявил, что сведения о северокорейских военных в Курской области "
            "противоречивы: подтверждений этому у Пентагона нет.")
    assert p4(differ, text, "ru") == "echo"


def test_peace_is_not_read_inside_pyongyang(differ: Differ) -> None:
    text = "莫斯科和平壤签署了全面战略伙伴关系条约，双方将在多个领域扩大合作。"
    assert differ.diff(text, language="zh").positions["P5"].stance == "absent"


def test_a_cargo_dispatched_is_not_a_troop_dispatch(differ: Differ) -> None:
    text = ("The defence ministry in Seoul said North Korea had dispatched some 9,000 "
            "containers to Russia since the summer, enough for millions of artillery shells.")
    assert p4(differ, text, "en") == "absent"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The president thanked the units of the Korean People's Army who had helped push "
         "the invaders out of the Kursk region.", "en"),
        ("Kim laid flowers for the soldiers killed while fighting alongside Russian forces.", "en"),
        ("Глава МИД поблагодарил корейских бойцов, которые освобождали приграничные районы "
         "Курской области.", "ru"),
        ("外长在会谈中称赞朝鲜人民军参与了解放库尔斯克州的战斗。", "zh"),
    ],
)
def test_the_army_named_by_its_own_name_is_the_troops(
    differ: Differ, text: str, language: str
) -> None:
    assert p4(differ, text, language) == "contest"


def test_south_korean_soldiers_are_not_the_troops(differ: Differ) -> None:
    text = "South Korean soldiers held winter drills near the border with the North."
    assert p4(differ, text, "en") == "absent"


def test_a_vast_supply_named_after_the_troops_is_still_a_large_supply(differ: Differ) -> None:
    text = ("By now Pyongyang has delivered several thousand soldiers, dozens of engineers and "
            "a vast quantity of conventional weapons to keep Moscow's offensive going.")
    assert differ.diff(text, language="en").positions["P3"].stance == "contest"


@pytest.mark.parametrize(
    "text",
    [
        "Разведка считает, что Москва передала Пхеньяну реактор для его атомных подводных лодок.",
        "По данным газеты, Россия могла поставить КНДР модули для атомных подлодок.",
    ],
)
def test_a_reactor_for_submarines_is_nuclear_help_in_every_case_form(
    differ: Differ, text: str
) -> None:
    assert differ.diff(text, language="ru").positions["P6"].stance == "contest"


def test_the_size_of_the_whole_army_is_not_a_troop_count(differ: Differ) -> None:
    text = ("Справочно: по оценке Сеула, в армии КНДР около 1,2 млн военнослужащих и ещё "
            "несколько миллионов человек в резерве.")
    assert p4(differ, text, "ru") == "absent"
