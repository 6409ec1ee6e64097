"""The relevance filter keeps pieces about Russia and North Korea and says why it drops
the rest. Most cases run against the topic configured in ``sources.yaml``."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import Topic, load_sources
from monitor.relevance import assess

REPO_SOURCES = Path(__file__).resolve().parents[2] / "sources.yaml"
TOPIC = load_sources(REPO_SOURCES).topic


# ── on the story: kept ──────────────────────────────────────────────────────────────


def test_an_english_report_on_troops_in_kursk_is_kept() -> None:
    verdict = assess(
        "North Korean troops reach Russia's Kursk region",
        "Thousands of North Korean soldiers have been deployed to Russia, Seoul says. "
        "Pyongyang and Moscow signed a mutual defence treaty in June; the Kremlin denies "
        "that the troops are fighting.",
        "en",
        TOPIC,
    )
    assert verdict.relevant
    assert set(verdict.matched) == {"North Korean", "Pyongyang"}
    assert "Russia" in verdict.reason and 0 < verdict.score <= 1


def test_a_russian_piece_is_kept_whatever_the_case_endings() -> None:
    verdict = assess(
        "Госдума ратифицировала договор с КНДР",
        "Договор о всеобъемлющем стратегическом партнёрстве между Россией и Северной Кореей "
        "подписан в Пхеньяне. В Северной Корее документ уже одобрен; северокорейская сторона "
        "приветствовала решение российских депутатов.",
        "ru",
        TOPIC,
    )
    assert verdict.relevant
    assert {"КНДР", "Пхеньян", "северокорейск", "Северной Корее"} <= set(verdict.matched)


def test_a_chinese_piece_is_kept_without_word_segmentation() -> None:
    verdict = assess(
        "俄朝条约正式生效",
        "俄罗斯外交部宣布，俄罗斯与朝鲜签署的全面战略伙伴关系条约正式生效。"
        "朝方表示，条约将推动两国在各领域的合作。",
        "zh",
        TOPIC,
    )
    assert verdict.relevant
    assert {"俄朝", "朝鲜", "朝方"} <= set(verdict.matched)


# ── off the story: dropped, with the reason ─────────────────────────────────────────


def test_a_k_pop_story_is_dropped_for_lack_of_a_keyword() -> None:
    verdict = assess(
        "K-pop group announces world tour",
        "The Seoul-based band will play in South Korea, Japan and the United States next "
        "year, its agency said. Tickets for the Korea dates sold out within minutes.",
        "en",
        TOPIC,
    )
    assert not verdict.relevant and verdict.score == 0
    assert verdict.reason.startswith("no topic keyword: does not mention North Korea")


def test_a_kursk_harvest_story_without_korea_is_dropped() -> None:
    verdict = assess(
        "В Курской области собрали рекордный урожай",
        "Аграрии Курской области завершили уборку зерновых. Губернатор поблагодарил "
        "фермеров; урожай сахарной свёклы в России также вырос.",
        "ru",
        TOPIC,
    )
    assert not verdict.relevant
    assert verdict.reason.startswith("no topic keyword: does not mention КНДР")


def test_a_russia_china_gas_story_is_dropped() -> None:
    verdict = assess(
        "Russia and China agree on Power of Siberia 2 terms",
        "Gazprom and CNPC signed a memorandum in Beijing, the Kremlin said. Russia hopes to "
        "raise gas supplies to China as European demand falls.",
        "en",
        TOPIC,
    )
    assert not verdict.relevant
    assert "no topic keyword" in verdict.reason


def test_north_korea_without_the_russian_side_is_dropped_with_a_reason() -> None:
    verdict = assess(
        "North Korea fires ballistic missile into sea",
        "North Korea launched a ballistic missile toward the sea off its east coast, "
        "Japan's defence ministry said. Pyongyang has tested several missiles this year.",
        "en",
        TOPIC,
    )
    assert not verdict.relevant
    assert verdict.reason.startswith("no context term: mentions North Korea")
    assert "North Korea ×2" in verdict.reason and "none of Russia" in verdict.reason
    assert verdict.matched == ("North Korea", "Pyongyang")


def test_a_single_passing_mention_is_too_few() -> None:
    verdict = assess(
        "Russia's central bank holds rates",
        "The Bank of Russia kept its key rate unchanged. Analysts cited sanctions, labour "
        "shortages and, in one case, reports about the DPRK.",
        "en",
        TOPIC,
    )
    assert not verdict.relevant
    assert verdict.reason.startswith("too few keyword occurrences: 1 of the 2 needed")


# ── matching rules ──────────────────────────────────────────────────────────────────


def test_latin_terms_match_whole_words_only() -> None:
    verdict = assess(
        None, "Prussian history and the DPRKX format; the DPRK and the DPRK again.", "en", TOPIC
    )
    assert verdict.matched == ("DPRK",)
    assert verdict.reason.startswith("no context term")  # "Prussian" is not "Russia"


def test_case_and_line_breaks_do_not_hide_a_term() -> None:
    verdict = assess(None, "NORTH\nKOREA and north korea talk to RUSSIA.", "en", TOPIC)
    assert verdict.relevant and verdict.matched == ("North Korea",)


def test_an_unknown_language_uses_every_language_s_lists() -> None:
    text = "Пхеньян и Москва подписали договор. КНДР направила делегацию в Россию."
    assert assess(None, text, None, TOPIC).relevant
    assert assess(None, text, "xx", TOPIC).relevant


def test_a_language_with_lists_uses_only_its_own() -> None:
    text = "Пхеньян и Москва подписали договор. КНДР направила делегацию в Россию."
    verdict = assess(None, text, "en", TOPIC)
    assert not verdict.relevant  # an English piece is judged by English terms


@pytest.mark.parametrize("min_matches", [1, 3])
def test_min_matches_is_honoured(min_matches: int) -> None:
    topic = Topic(keywords={"en": ("Pyongyang",)}, context={"en": ("Moscow",)},
                  min_matches=min_matches)  # fmt: skip
    verdict = assess(None, "Pyongyang answered Moscow. Pyongyang again.", "en", topic)
    assert verdict.relevant is (min_matches <= 2)


def test_a_topic_without_context_lists_needs_only_keywords() -> None:
    topic = Topic(keywords={"en": ("Pyongyang",)}, min_matches=1)
    verdict = assess(None, "Pyongyang said nothing.", "en", topic)
    assert verdict.relevant and "no context list" in verdict.reason


def test_more_mentions_score_higher() -> None:
    once = assess(None, "North Korea and Russia. North Korea.", "en", TOPIC)
    often = assess(None, "North Korea and Russia. " * 6, "en", TOPIC)
    assert once.relevant and often.relevant and often.score > once.score


def test_a_term_on_both_lists_counts_as_keyword_and_context() -> None:
    """俄朝 ("Russia–DPRK") names both sides: one occurrence serves both lists."""
    verdict = assess(None, "俄朝关系。俄朝合作。", "zh", TOPIC)
    assert verdict.relevant and verdict.matched == ("俄朝",)
    assert "俄朝 ×2" in verdict.reason.split("context")[-1]


def test_latin_and_cyrillic_terms_are_found_in_one_mixed_text() -> None:
    topic = Topic(keywords={"en": ("DPRK", "КНДР")}, context={"en": ("Kursk", "Курск")})
    verdict = assess(None, "DPRK troops, КНДР войска; Kursk and Курской области.", "en", topic)
    assert verdict.relevant
    assert set(verdict.matched) == {"DPRK", "КНДР"} and "Курск ×1" in verdict.reason


def test_a_topic_table_with_the_old_subtopics_key_still_loads(tmp_path: Path) -> None:
    """Older sources.yaml files carry topic.subtopics; it is accepted and ignored."""
    text = (REPO_SOURCES.read_text(encoding="utf-8")
            .replace("topic:\n", "topic:\n  subtopics:\n    treaty:\n      en: [treaty]\n", 1))
    (tmp_path / "sources.yaml").write_text(text, encoding="utf-8")
    topic = load_sources(tmp_path / "sources.yaml").topic
    verdict = assess("Treaty", "The DPRK treaty with Russia. DPRK again.", "en", topic)
    assert verdict.relevant


def test_a_look_alike_capital_still_counts_for_its_list() -> None:
    """"İ" matches "i" ignoring case but folds to "i̇": the match still counts, as a
    keyword (not as context) — the keyword list is asked when the folded form is unknown."""
    verdict = assess(None, "KİM JONG UN met Putin. Pyongyang said so.", "en", TOPIC)
    assert verdict.relevant and "KİM JONG UN" in verdict.matched
    assert "Putin ×1" in verdict.reason
