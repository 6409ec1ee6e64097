"""Every recorded page gives exactly the article an analyst would want from it.

The pages are written in each outlet's real structure (navigation, cookie banners,
related links, share bars, comment boxes and all) with our own sentences; hostile ones
carry lying encodings, broken markup and no article at all. See ``conftest.py``.
"""

from __future__ import annotations

import json

from .conftest import Page, load_pages


def test_page_extracts_to_the_expected_contract_json(page: Page) -> None:
    got = page.extract_json()
    assert got == page.expected, f"{page.id}: got\n{json.dumps(got, ensure_ascii=False, indent=2)}"


def test_contract_json_is_plain_json_with_paragraphs_separated_by_blank_lines(
    page: Page,
) -> None:
    got = page.extract_json()
    if "error" in got:
        return
    assert json.loads(json.dumps(got)) == got
    assert set(got) == {"url", "title", "authors", "published", "language", "text"}
    paragraphs = got["text"].split("\n\n")
    assert all(p and p == p.strip() and "\n\n" not in p for p in paragraphs)


def test_the_recorded_set_covers_every_outlet_the_brief_names() -> None:

    folders = {p.source for p in load_pages()}
    outlets = {"tass_en", "guancha", "ap", "bbc", "yonhap_en", "reuters", "riac_en", "riac_ru",
               "global_times", "kyiv_independent", "guardian", "hostile"}  # fmt: skip
    assert outlets <= folders
