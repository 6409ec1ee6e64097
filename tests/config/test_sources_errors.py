"""An analyst who mistypes sources.yaml gets one paragraph naming the file, the line and
the field — never a traceback, never a half-loaded config."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_sources
from monitor.errors import ConfigError

GOOD = """\
version: 1
topic:
  keywords:
    en: ["North Korea", "DPRK"]
sources:
  - id: tass_en
    name: TASS
    camp: ru
    language: en
    discovery:
      - kind: rss
        url: https://tass.com/rss/v2.xml
  - id: yonhap_en
    name: Yonhap
    camp: kr
    language: en
    discovery:
      - kind: rss
        url: https://en.yna.co.kr/RSS/news.xml
"""


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "sources.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str | bytes) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_sources(write(tmp_path, text))
    return caught.value


def test_the_good_file_loads(tmp_path: Path) -> None:
    config = load_sources(write(tmp_path, GOOD))
    assert [s.id for s in config.sources] == ["tass_en", "yonhap_en"]
    assert config.interval(config.sources[0]) == config.defaults.interval_minutes


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    broken = GOOD.replace("    camp: kr\n", "    camp: kr\n   language en: [\n")
    err = error_for(tmp_path, broken)
    assert str(tmp_path / "sources.yaml") in err.message
    assert err.line is not None and 15 <= err.line <= 20
    assert "not valid YAML" in err.message


def test_unknown_camp_names_line_field_and_source(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD.replace("camp: kr", "camp: korea"))
    assert err.line == 15
    assert err.field == "sources[1].camp"
    assert "source 'yonhap_en'" in err.message
    assert "'korea'" in err.message


def test_missing_required_field(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD.replace("    name: Yonhap\n", ""))
    assert err.field == "sources[1].name"
    assert "required" in err.message
    assert err.line == 13  # the entry that lacks it


def test_misspelt_setting_is_not_silently_ignored(tmp_path: Path) -> None:
    err = error_for(
        tmp_path,
        GOOD.replace(
            "    language: en\n    discovery:\n      - kind: rss\n        url: https://tass",
            "    language: en\n    intervall_minutes: 30\n"
            "    discovery:\n      - kind: rss\n        url: https://tass",
        ),
    )
    assert err.field == "sources[0].intervall_minutes"
    assert "not a known setting" in err.message
    assert err.line == 10


def test_endpoint_url_must_be_http(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD.replace("https://tass.com/rss/v2.xml", "ftp://tass.com/rss"))
    assert err.field == "sources[0].discovery[0].url"
    assert "http(s)" in err.message
    assert err.line == 12


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD.replace("id: yonhap_en", "id: tass_en"))
    assert "appears twice" in err.message
    assert err.field == "sources"


def test_bad_regex_in_link_pattern(tmp_path: Path) -> None:
    text = GOOD.replace(
        "        url: https://tass.com/rss/v2.xml\n",
        "        url: https://tass.com/rss/v2.xml\n        link_pattern: '^/world/(\\d+$'\n",
    )
    err = error_for(tmp_path, text)
    assert err.field == "sources[0].discovery[0].link_pattern"
    assert "regular expression" in err.message


def test_wrong_type(tmp_path: Path) -> None:
    text = GOOD.replace("    camp: ru\n", "    camp: ru\n    interval_minutes: often\n")
    err = error_for(tmp_path, text)
    assert err.field == "sources[0].interval_minutes"
    assert "'often'" in err.message


def test_not_utf8(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD.replace("TASS", "ТАСС").encode("cp1251"))
    assert "UTF-8" in err.message
    assert err.line == 7


def test_missing_file_and_wrong_top_level(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_sources(tmp_path / "nope.yaml")
    err = error_for(tmp_path, "- just\n- a list\n")
    assert "mapping" in err.message


def test_the_shipped_sources_file_is_valid() -> None:
    config = load_sources(Path(__file__).parents[2] / "sources.yaml")
    camps = {s.camp for s in config.sources}
    assert {"ru", "cn", "west", "kr", "ua", "other"} <= camps
    ids = {s.id for s in config.sources}
    for wanted in (
        "riac_en",
        "riac_ru",
        "guancha",
        "tass_en",
        "global_times",
        "reuters",
        "ap",
        "bbc",
        "guardian",
        "north38",
        "yonhap_en",
        "kyiv_independent",
        "gdelt",
        "google_news",
    ):
        assert wanted in ids


def test_a_url_is_credited_to_the_outlet_whose_site_it_is_on() -> None:
    config = load_sources(Path(__file__).parents[2] / "sources.yaml")

    def owner(url: str) -> str | None:
        source = config.source_for_url(url)
        return source.id if source else None

    assert owner("https://russiancouncil.ru/en/analytics-and-comments/analytics/x/") == "riac_en"
    assert owner("https://russiancouncil.ru/analytics-and-comments/analytics/x/") == "riac_ru"
    assert owner("https://www.bbc.co.uk/news/world-asia-1") == "bbc"
    assert owner("https://m.guancha.cn/internation/2024_10_28_1.shtml") == "guancha"
    assert owner("https://www.thehindu.com/news/international/x.ece") is None
    assert owner("https://api.gdeltproject.org/api/v2/doc/doc") is None  # services own nothing


def test_an_unterminated_quote_names_the_line_where_it_opens(tmp_path: Path) -> None:
    """The parser only notices at the end of the file; the mistake is where the quote opens."""
    err = error_for(tmp_path, GOOD.replace("    name: Yonhap\n", '    name: "Yonhap\n'))
    assert err.line == 14
    assert "quoted scalar that starts here" in err.message


def test_a_misspelt_key_is_the_one_error_shown_with_what_it_meant(tmp_path: Path) -> None:
    head, tail = GOOD.rsplit("    language: en\n", 1)
    err = error_for(tmp_path, head + "    langauge: en\n" + tail)
    assert err.field == "sources[1].langauge"
    assert err.line == 16
    assert "did you mean 'language'" in err.message
    assert "required" not in err.message and "Also" not in err.message


def test_a_misspelt_section_is_not_reported_as_a_missing_one(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD.replace("sources:\n", "source:\n"))
    assert err.field == "source" and "did you mean 'sources'" in err.message
    assert "missing" not in err.message
