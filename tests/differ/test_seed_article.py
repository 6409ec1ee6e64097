"""The baseline itself, run through the differ, must read as echoing its own positions."""

from __future__ import annotations

import pytest

from monitor.differ import Differ

from .conftest import SHARED

SEED = SHARED / "seed" / "000_c729cd3e6bfc0f2e.txt"


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"the seed article is not at {SEED}")
    return SEED.read_text(encoding="utf-8")


def test_the_baseline_echoes_its_own_positions_and_contests_none(
    differ: Differ, seed_text: str
) -> None:
    result = differ.diff(seed_text)
    assert result.language == "en"
    assert set(result.positions) == {f"P{i}" for i in range(1, 11)}
    found = {pid: r.stance for pid, r in result.positions.items()}
    assert sum(s == "echo" for s in found.values()) >= 7, found
    assert "contest" not in found.values(), found
    assert result.positions["P1"].stance == "echo"  # "only $35 million", "natural limits"
    assert result.positions["P4"].stance == "echo"  # "leaked", "allegedly", "would not change"
    assert result.framing.troop_count == 10000
