"""Bylines become a clean list of people."""

from __future__ import annotations

import pytest

from monitor.extract.authors import clean_authors


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Jane Roe and John Doe"], ("Jane Roe", "John Doe")),
        (["By JANE ROE, Associated Press"], ("Jane Roe",)),
        (["Jane Roe, John Doe & Mary Major"], ("Jane Roe", "John Doe", "Mary Major")),
        (["By Andrew Stone in Moscow"], ("Andrew Stone",)),
        (["Автор: Иван Петров и Анна Смирнова"], ("Иван Петров", "Анна Смирнова")),
        (["作者：王伟"], ("王伟",)),
        (["Jane Roe", "jane roe", "JANE ROE"], ("Jane Roe",)),
        (["https://www.facebook.com/bbcnews", "BBC News", "Reuters"], ()),
        (["Guardian staff and agencies"], ()),
        (["desk@example.com", "2 min read", ""], ()),
    ],
)  # fmt: skip
def test_bylines_become_people(raw: list[str], expected: tuple[str, ...]) -> None:
    assert clean_authors(raw) == expected


def test_the_page_s_own_outlet_name_is_not_an_author() -> None:
    assert clean_authors(["Example Daily", "Lee Min-ji"], outlets=["Example Daily"]) == (
        "Lee Min-ji",
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By GILLIAN ROE\n  March 11, 2015 3:46 PM", ("Gillian Roe",)),
        ("Written by Rob Stone\n Edited by Betty Lane", ("Rob Stone", "Betty Lane")),
        ("Martin Dupont (avec Marie Leclerc et Paul Martin)",
         ("Martin Dupont", "Marie Leclerc", "Paul Martin")),
        ("Bradley K. Smith (http://example.org/bks/)", ("Bradley K. Smith",)),
    ],
)  # fmt: skip
def test_dates_links_and_editors_glued_to_a_byline_are_unglued(
    raw: str, expected: tuple[str, ...]
) -> None:
    assert clean_authors([raw]) == expected
