"""Shared fixtures: the repository's positions and one lexical differ for all tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.differ import Differ, Positions, load_positions

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"


@pytest.fixture(scope="session")
def positions() -> Positions:
    return load_positions(REPO / "positions.yaml")


@pytest.fixture(scope="session")
def differ(positions: Positions) -> Differ:
    return Differ(positions)


def stances(result) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Only the positions a piece addresses, e.g. {"P4": "contest"}."""
    return {pid: r.stance for pid, r in result.positions.items() if r.stance != "absent"}
