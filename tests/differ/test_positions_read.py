"""An analyst pastes a piece of coverage and sees, per baseline position, whether it echoes
or contests it. Each case is a short piece written for this test in the style of the
outlets that cover the story (English wires, Russian and Chinese state media…)."""

from __future__ import annotations

import pytest

from monitor.differ import Differ

from .conftest import stances

CASES = [
    # P1 trade-modest
    ("en", "Bilateral trade between Russia and North Korea amounted to a modest $34 million "
           "in 2023, and China still accounts for almost all of Pyongyang's commerce.",
     "P1", "echo"),
    ("en", "Moscow's payments for munitions and manpower have grown into a lucrative source of "
           "hard currency worth billions of dollars for Kim's economy.", "P1", "contest"),
    ("ru", "Объём торговли России и КНДР невелик: по итогам года товарооборот составил около "
           "40 млн долларов.", "P1", "echo"),
    ("zh", "俄朝贸易额仅为3400万美元左右，规模有限。", "P1", "echo"),
    # P2 no-leverage
    ("en", "Pyongyang has become a vassal of the Kremlin, analysts say, carrying out orders "
           "from Moscow in exchange for cash.", "P2", "contest"),
    ("ru", "Пхеньян дорожит своим суверенитетом и независимостью и никогда не станет младшим "
           "партнёром ни Москвы, ни Пекина.", "P2", "echo"),
    ("ru", "Эксперты указывают, что КНДР никогда не станет сателлитом Москвы.", "P2", "echo"),
    ("zh", "朝鲜炮弹在俄军推进中发挥了关键作用。", "P3", "contest"),
    # P3 arms-exaggerated
    ("en", "Talk of a flood of North Korean ammunition is exaggerated, one Moscow analyst "
           "said, since the country's defence industry is tiny.", "P3", "echo"),
    ("en", "North Korean shells now make up half of Russia's artillery ammunition at the "
           "front, according to Ukrainian officers.", "P3", "contest"),
    ("zh", "据报道，朝鲜已向俄罗斯运送了数百万发炮弹，对俄军的攻势起到了决定性作用。",
     "P3", "contest"),
    # P4 troops-unconfirmed
    ("en", "Thousands of North Korean soldiers are now fighting alongside Russian units in "
           "the Kursk region, the Pentagon said.", "P4", "contest"),
    ("en", "The Kremlin denied that any North Korean troops were in Russia and called the "
           "reports a hoax.", "P4", "echo"),
    ("ru", "Северокорейские военнослужащие приняли участие в боях в Курской области, "
           "официально подтвердили в Генштабе.", "P4", "contest"),
    ("ru", "Дмитрий Песков опроверг сообщения о присутствии военных КНДР на фронте, назвав их "
           "очередным фейком.", "P4", "echo"),
    ("zh", "朝鲜军队已抵达库尔斯克前线并投入作战。", "P4", "contest"),
    ("zh", "克里姆林宫否认朝鲜向俄罗斯派兵，称相关传闻毫无根据。", "P4", "echo"),
    # P5 treaty-defensive
    ("en", "The treaty is defensive in nature and is not directed against any third country, "
           "the Russian foreign ministry said.", "P5", "echo"),
    ("en", "Seoul warned that the new pact poses a grave threat to regional security and "
           "risks a new Cold War in Asia.", "P5", "contest"),
    ("ru", "Эксперты считают, что договор создаёт угрозу безопасности в регионе и ведёт к "
           "эскалации.", "P5", "contest"),
    ("zh", "外交部表示，该条约是防御性的，不针对任何第三国。", "P5", "echo"),
    # a threat the treaty answers is defensive framing, not the treaty as a threat
    ("en", "Officials in Moscow said the agreement helps both countries deter growing threats "
           "from the United States and its allies.", "P5", "echo"),
    ("ru", "По словам дипломата, соглашение призвано сдерживать угрозы со стороны «коллективного "
           "Запада» и служит механизмом гарантий безопасности.", "P5", "echo"),
    ("zh", "俄方称，这份条约旨在应对来自美国的安全威胁。", "P5", "echo"),
    # "neither confirmed nor denied" distances the report in every language
    ("zh", "莫斯科和平壤对朝鲜士兵出现在库尔斯克的消息既不否认也不承认。", "P4", "echo"),
    ("ru", "Ни Москва, ни Пхеньян не подтвердили и не опровергли сообщения о северокорейских "
           "военных в Курской области.", "P4", "echo"),
    # P6 no-nuclear-help
    ("en", "US officials fear Moscow could help Pyongyang's nuclear weapons programme in "
           "return for artillery shells.", "P6", "contest"),
    ("en", "Russia would not help North Korea's nuclear programme, the diplomat said, because "
           "proliferation runs against Moscow's own interests.", "P6", "echo"),
    ("zh", "美方担心俄罗斯可能协助朝鲜的核计划和导弹技术。", "P6", "contest"),
    # P7 peace-first
    ("en", "For Moscow, peace on the Korean peninsula is more important than disarmament, and "
           "confidence-building measures in the DMZ should come first.", "P7", "echo"),
    # P8 engage-nuclear-state
    ("en", "Washington should start talking to North Korea as a de facto nuclear power and "
           "treat denuclearisation as a long-term goal.", "P8", "echo"),
    ("en", "Seoul insists that North Korea must first give up its nuclear weapons before any "
           "talks begin.", "P8", "contest"),
    # P9 sanctions-erode
    ("en", "Russia vetoed the extension of the UN panel of experts that monitors sanctions on "
           "North Korea.", "P9", "echo"),
    ("ru", "Россия выступает за смягчение санкций против КНДР в Совете Безопасности ООН.",
     "P9", "echo"),
    ("zh", "俄罗斯否决了延长对朝制裁专家小组任期的决议。", "P9", "echo"),
    # P10 china-unharmed
    ("en", "Beijing is uneasy about the new partnership, and China is losing leverage over "
           "Pyongyang, Western diplomats say.", "P10", "contest"),
    ("ru", "Россия и Китай тесно координируют свои позиции по корейскому вопросу.", "P10", "echo"),
    ("zh", "北京对朝俄走近感到不安，担心自身影响力被削弱。", "P10", "contest"),
    ("ru", "В Пекине с тревогой наблюдают за сближением Москвы и Пхеньяна.", "P10", "contest"),
    ("en", "Beijing has kept a conspicuous silence about the growing military ties.",
     "P10", "contest"),
    ("en", "China remains North Korea's economic lifeline, accounting for the vast majority of "
           "its trade.", "P1", "echo"),
    ("en", "Russia has become North Korea's economic lifeline, paying billions for its shells.",
     "P1", "contest"),
    ("ru", "Лавров подчеркнул, что сотрудничество с КНДР не направлено против третьих стран.",
     "P5", "echo"),
    ("zh", "韩国政府对俄朝签署条约表示严重关切。", "P5", "contest"),
    # a threat word whose source is the other side frames the treaty as defensive
    ("en", "The commentator called the pact a joint answer to the shared threat of US-led "
           "alliances closing in on both countries.", "P5", "echo"),
    ("ru", "В МИД пояснили, что договор с Пхеньяном заключён в ответ на угрозы Запада.",
     "P5", "echo"),
    ("zh", "评论认为，俄朝条约是两国应对美国主导的军事同盟施压的举措。", "P5", "echo"),
]


@pytest.mark.parametrize(("lang", "text", "pid", "expected"), CASES,
                         ids=[f"{c[2]}-{c[3]}-{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_piece_echoes_or_contests_the_position(
    differ: Differ, lang: str, text: str, pid: str, expected: str
) -> None:
    result = differ.diff(text, language=lang)
    got = result.positions[pid]
    assert got.stance == expected, got
    assert got.evidence, "an addressed position must quote its evidence"
    assert got.evidence[0].sentence in text
    assert (got.score > 0) == (expected == "echo")


NEUTRAL = [
    ("en", "Putin and Kim toured a school in Pyongyang and watched a concert before the "
           "Russian leader flew on to Vietnam."),
    ("en", "The treaty contains an article on mutual assistance in the event of an armed "
           "attack on either party."),  # a neutral description of Article 4
    ("en", "The UN has long accused North Korea of supplying arms to Russia."),  # bare mention
    ("ru", "Путин и Ким Чен Ын обсудили развитие туризма и железнодорожного сообщения."),
    ("zh", "普京与金正恩共同出席了欢迎宴会，并互赠礼物。"),
    ("en", "Russia and North Korea signed what Kim called a military alliance."),
    ("en", "Beijing denied any knowledge of the North Korean troop deployments."),
    ("en", "Asked about North Korean soldiers in Kursk, Peskov declined to comment."),
    ("zh", "中方表示不掌握朝鲜士兵赴俄的具体情况。"),
    ("en", "The war in Ukraine has become a proxy war between Russia and the West."),
    ("en", "Russia has become China's junior partner, some analysts say."),  # not about the DPRK
    ("zh", "中方一贯主张通过对话协商解决半岛问题。"),  # consultation, but not with Russia
    ("en", "Washington has consulted closely with Beijing on the crisis."),
]


@pytest.mark.parametrize(("lang", "text"), NEUTRAL)
def test_a_passing_or_neutral_mention_stays_absent(differ: Differ, lang: str, text: str) -> None:
    assert stances(differ.diff(text, language=lang)) == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Moscow sent North Korean troops to the Kursk front.", "contest"),
        ("Moscow denied sending North Korean troops to the Kursk front.", "echo"),
        ("Kyiv claims that North Korean troops have been deployed to Kursk.", "contest"),
        ("Allegedly, some 10,000 North Korean soldiers are preparing to join the fighting.",
         "echo"),
        ("The Kremlin has not confirmed that North Korean soldiers are in Russia.", "echo"),
        ("The Kremlin has confirmed that North Korean soldiers are in Russia.", "contest"),
        ("The Kremlin has repeatedly refused to confirm the presence of North Korean troops.",
         "echo"),
        ("Putin did not deny that North Korean troops were in Russia.", "contest"),
    ],
)
def test_negation_denial_and_attribution_turn_the_troop_claim(
    differ: Differ, text: str, expected: str
) -> None:
    assert differ.diff(text, language="en").positions["P4"].stance == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("ru", "Москва направила северокорейских военных в Курскую область.", "contest"),
        ("ru", "Москва не направляла северокорейских военных в Курскую область.", "echo"),
        ("ru", "Якобы тысячи северокорейских солдат готовятся вступить в бои.", "echo"),
        ("zh", "朝鲜已向俄罗斯派兵。", "contest"),
        ("zh", "朝鲜并未向俄罗斯派兵。", "echo"),
        ("zh", "所谓朝鲜士兵参战的说法纯属炒作。", "echo"),
        ("zh", "西方媒体大肆渲染朝鲜出兵一事，但俄方从未证实。", "echo"),
        ("zh", "乌克兰方面声称朝鲜已派遣1万名士兵前往俄罗斯。", "contest"),
    ],
)
def test_flips_work_in_russian_and_chinese(
    differ: Differ, lang: str, text: str, expected: str
) -> None:
    assert differ.diff(text, language=lang).positions["P4"].stance == expected


def test_a_piece_weighing_both_sides_is_mixed(differ: Differ) -> None:
    text = (
        "The Pentagon confirmed that North Korean troops are fighting in the Kursk region.\n\n"
        "Moscow, for its part, dismissed the reports as fake and denied that any North "
        "Korean soldiers were there."
    )
    result = differ.diff(text, language="en").positions["P4"]
    assert result.stance == "mixed"
    assert {e.stance for e in result.evidence} == {"echo", "contest"}


def test_one_hedge_word_does_not_make_a_piece_mixed(differ: Differ) -> None:
    text = (
        "The Pentagon confirmed that North Korean troops are fighting in the Kursk region. "
        "Some of them may be observers, officials said."
    )
    assert differ.diff(text, language="en").positions["P4"].stance == "contest"


def test_a_cue_in_the_next_sentence_still_counts_when_it_frames_the_report(
    differ: Differ,
) -> None:
    text = "Western media say North Korean troops are in Kursk. Peskov called it a hoax."
    result = differ.diff(text, language="en").positions["P4"]
    assert result.stance in ("echo", "mixed")
    assert any("hoax" in e.sentence for e in result.evidence)


def test_a_piece_about_the_troops_lets_the_troops_refer_to_them(differ: Differ) -> None:
    text = ("Seoul says North Korean soldiers have been sent to Russia.\n\n"
            "Moscow has so far called all reports about the troops a fabrication.")
    result = differ.diff(text, language="en").positions["P4"]
    assert result.stance == "mixed"
    alone = differ.diff("Moscow has so far called all reports about the troops a fabrication.",
                        language="en")
    assert alone.positions["P4"].stance == "absent"  # troops of whom? not said


def test_a_word_inside_another_is_not_a_troop_word(differ: Differ) -> None:
    # 人 (person) in 发言人 (spokesperson) is not a head count
    text = "俄罗斯外交部发言人称，相关报道是西方的虚假信息。"
    assert differ.diff(text, language="zh").positions["P4"].stance == "absent"


def test_a_frame_does_not_reach_into_the_other_sides_clause(differ: Differ) -> None:
    # "fabricated" frames Moscow's clause, not Washington's figure before the comma
    text = ("While Washington says some 12,000 North Korean troops are in Russia, Moscow "
            "insists the reports are fabricated.")
    assert differ.diff(text, language="en").positions["P4"].stance in ("absent", "mixed")
    # …but with no turn word, "X, Moscow denied" is Moscow denying X
    text = "Some 10,000 North Korean troops are in Kursk, Moscow denied."
    assert differ.diff(text, language="en").positions["P4"].stance == "echo"
