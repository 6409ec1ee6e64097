"""The language reported is the language the piece is written in."""

from __future__ import annotations

import pytest

from monitor.extract import extract
from monitor.language import detect_language, normalize_code

TEXTS = {
    "en": "North Korea has sent thousands of soldiers to Russia, where some of them are "
          "expected to take part in the fighting in the Kursk region, officials said.",
    "ru": "КНДР направила в Россию несколько тысяч военнослужащих, часть из которых, по "
          "данным разведки, может принять участие в боях в Курской области.",
    "uk": "КНДР направила до Росії кілька тисяч військових, частина з яких, за даними "
          "розвідки, може взяти участь у боях у Курській області, повідомили в Києві.",
    "zh": "据报道，朝鲜已向俄罗斯派遣数千名军人，其中一部分人可能参加库尔斯克州的战斗。",
    "ko": "북한이 러시아에 수천 명의 병력을 보냈으며 "
          "일부는 쿠르스크 지역 전투에 참여할 것으로 보인다.",
    "ja": "北朝鮮はロシアに数千人の兵士を派遣し、"
          "その一部はクルスク州での戦闘に参加するとみられる。",
    "de": "Nordkorea hat Tausende Soldaten nach Russland geschickt, von denen einige an den "
          "Kämpfen in der Region Kursk teilnehmen sollen, sagten Beamte in Seoul.",
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_text_language_wins_over_a_wrong_hint(code: str) -> None:
    wrong = "fr"
    assert detect_language(TEXTS[code] * 2, [wrong]) == code


def test_short_text_falls_back_to_the_hint() -> None:
    assert detect_language("Kim and Putin.", ["ru"]) == "ru"
    assert detect_language("", ["uk", "ru"]) == "uk"


@pytest.mark.parametrize(
    ("raw", "code"),
    [("en-US", "en"), ("ru_RU", "ru"), ("zh-Hans", "zh"), ("UK", "uk"), ("x", None), ("", None)],
)
def test_language_codes_are_iso_639_1(raw: str, code: str | None) -> None:
    assert normalize_code(raw) == code


def test_a_russian_site_template_does_not_make_an_english_piece_russian() -> None:
    html = (f'<html lang="ru"><head><meta property="og:locale" content="ru_RU"></head><body>'
            f"<p>{TEXTS['en']}</p><p>{TEXTS['en']}</p></body></html>")  # fmt: skip
    article = extract(html, "https://russiancouncil.ru/en/x/", default_language="en")
    assert article.language == "en"
