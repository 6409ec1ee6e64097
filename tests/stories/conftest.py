"""Story fixtures: one wire story and the outlets that re-ran it, and ten other stories on
the same topic (all written for these tests, in the shape of real agency copy)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from monitor.store import Store, open_store

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Piece:
    name: str  # the fixture file's stem, which says what was done to the copy
    outlet: str
    camp: str
    date: datetime
    title: str
    text: str


def load(folder: str) -> list[Piece]:
    pieces = []
    for path in sorted((HERE / folder).glob("*.txt")):
        head, text = path.read_text(encoding="utf-8").split("---\n", 1)
        meta = dict(line.split(": ", 1) for line in head.strip().splitlines())
        pieces.append(
            Piece(
                name=path.stem,
                outlet=meta["outlet"],
                camp=meta["camp"],
                date=datetime.fromisoformat(meta["date"]),
                title=meta["title"],
                text=text.strip(),
            )
        )
    return pieces


@pytest.fixture
def wire() -> list[Piece]:
    """The wire original (first) and its ten re-runs (``Piece`` records)."""
    return load("wire")


@pytest.fixture
def distinct() -> list[Piece]:
    """Ten different stories on the same topic, some sharing the wire's stock paragraph."""
    return load("distinct")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(str(tmp_path / "monitor.db")) as s:
        yield s


@pytest.fixture
def wire_zh() -> list[Piece]:
    """A Xinhua dispatch (first) and three re-runs, one in Traditional characters."""
    return load("wire_zh")


@pytest.fixture
def distinct_zh() -> list[Piece]:
    """Three other Chinese stories on the topic."""
    return load("distinct_zh")
