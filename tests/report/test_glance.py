""" "At a glance" reads like an analyst's lead: volume and change, where the camps
diverge most, what moved since last week, what nobody touched — grouped, each said once."""

from __future__ import annotations

from monitor.models import BalanceCount, DigestInput
from monitor.report import build_digest, render_html, render_markdown

from .conftest import WeekBuilder


def _groups(data: DigestInput) -> dict[str, tuple[str, ...]]:
    return {g.key: g.lines for g in build_digest(data).glance}


def test_the_lead_opens_with_volume_and_its_change(week: DigestInput) -> None:
    volume = _groups(week)["volume"]
    assert volume[0] == "10 pieces from 8 outlets, up 4 on last week's 6."
    assert "Western 3 (−2)" in volume[1] and "Russian 3 (+2)" in volume[1]


def test_the_most_divergent_positions_name_the_camps_on_each_side_once(
    week: DigestInput,
) -> None:
    lines = _groups(week)["divergence"]
    assert lines[0] == (
        "P4 (troops unconfirmed): Russian echoes it (2 of 2 calls); "
        "Western, Korean and Ukrainian contest it (5 of 5 calls)."
    )
    assert lines[1].startswith("P5 (treaty defensive): Russian and Chinese echo it (3 of 3 calls)")
    assert len(lines) == 2  # no other position was addressed by two camps
    summary = build_digest(week).summary
    assert summary.count("troops unconfirmed") == 1  # the old lead repeated one title per camp


def test_positions_nobody_touched_are_listed_together(week: DigestInput) -> None:
    assert _groups(week)["untouched"] == (
        "No camp addressed P1 (trade modest), P7 (peace first) and P8 (engage nuclear state).",
    )


def test_without_an_earlier_week_the_lead_says_there_is_nothing_to_compare(
    week: DigestInput,
) -> None:
    assert _groups(week)["moved"] == ("No earlier week in the store to compare with.",)


def test_what_moved_since_last_week_flips_and_silences_first(
    builder: WeekBuilder, week: DigestInput
) -> None:
    data = builder.build(
        history_weeks=("2024-W42", "2024-W43"),
        history=(
            BalanceCount("2024-W43", "cn", "P4", contest=3),
            BalanceCount("2024-W43", "west", "P5", echo=2),
            BalanceCount("2024-W43", "west", "P4", contest=4),
            BalanceCount("2024-W42", "ru", "P9", echo=5),  # two weeks ago: not "last week"
        ),
    )
    moved = _groups(data)["moved"]
    assert moved[0] == (
        "Western on P5 (treaty defensive): now contests (1 of 1); last week echoes (2 of 2)."
    )
    assert "Chinese dropped P4 (troops unconfirmed): 3 calls last week, none this week." in moved
    assert not any("Western on P4" in line for line in moved)  # contested then and now
    assert not any("P9" in line for line in moved)


def test_after_a_silent_week_the_lead_names_who_took_up_what(
    builder: WeekBuilder, week: DigestInput
) -> None:
    data = builder.build(history_weeks=("2024-W43",), history=())
    moved = _groups(data)["moved"]
    assert moved[0] == "Western took up P4 (troops unconfirmed): it contests (3 of 3)."
    assert len(moved) == 4  # the biggest moves only


def test_the_lead_is_grouped_under_headings_in_html_and_markdown(week: DigestInput) -> None:
    digest = build_digest(week)
    page = render_html(digest)
    assert page.count("<dt>") == len(digest.glance)
    assert "<dt>Where the camps diverge most</dt>" in page
    assert "**Where the camps diverge most.** P4 (troops unconfirmed)" in render_markdown(digest)
