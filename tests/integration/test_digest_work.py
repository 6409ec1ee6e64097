"""`monitor digest` does the digest's work and no other: over a store whose analysis is
current it compiles none of positions.yaml's cues (the store holds analysis of exactly
this content, so the cues were compiled when it was made) and loads none of the crawl's
stages or their libraries; a piece still waiting for analysis is analysed first, with
every cue compiled and checked as before. The pieces are written for this test."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from monitor.differ import load_positions
from monitor.models import ExtractedArticle
from monitor.store import open_store

REPO = Path(__file__).resolve().parents[2]
WEEK = "2024-W44"

# Runs the command in a fresh interpreter, counting what re.compile is asked for and
# listing the modules loaded afterwards.
PROBE = """
import json, re, sys
asked = []
_compile = re.compile
def counting(pattern, flags=0):
    asked.append(pattern)
    return _compile(pattern, flags)
re.compile = counting
from monitor.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
    code = 0
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "compiled": [p for p in asked if isinstance(p, str)],
                  "modules": sorted(sys.modules)}))
"""
CRAWL_ONLY = (
    "alembic",
    "httpx",
    "feedparser",
    "selectolax",
    "numpy",
    "rich",
    "monitor.discover",
    "monitor.fetch",
    "monitor.extract",
    "monitor.pagework",
    "monitor.relevance",
    "monitor.stories",
)


def _cues(path: Path) -> set[str]:
    """Every anchor and cue of the positions (the regexes the check compiles)."""
    found: set[str] = set()
    for position in load_positions(path).positions:
        for cues in position.languages.values():
            for kind in ("anchors", "echo", "contest", "echo_strong", "contest_strong"):
                found.update(getattr(cues, kind))
    return found


def _store_piece(storage: Path, n: int) -> None:
    with open_store(f"sqlite:///{storage / 'monitor.db'}") as store:
        store.upsert_article(
            ExtractedArticle(
                url=f"https://www.dw.com/en/treaty-ratified/a-{n}",
                title="Moscow ratifies its treaty with Pyongyang",
                authors=(),
                published=datetime(2024, 10, 30, 8, tzinfo=UTC),
                language="en",
                text="Russia's parliament ratified the partnership treaty with North Korea "
                "on Wednesday.\n\nThe pact obliges each side to help the other if attacked.",
            ),
            source_id="dw",
            camp="west",
            capture_id=None,
            seen_at=datetime(2024, 10, 30, 9, tzinfo=UTC),
        )


def _digest(storage: Path, positions: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "--storage", str(storage),
         "--sources", str(REPO / "sources.yaml"), "--positions", str(positions),
         "digest", "--week", WEEK],
        capture_output=True, text=True, check=True, cwd=REPO, timeout=300,
    )  # fmt: skip
    lines = done.stdout.strip().splitlines()
    result = json.loads(lines[-1])
    result["output"] = "\n".join(lines[:-1]) + done.stderr
    return result


def _loaded(modules: list[str]) -> list[str]:
    return [m for m in modules if m.startswith(CRAWL_ONLY) and m.split(".")[0] != "monitor"
            or m in CRAWL_ONLY]  # fmt: skip


def test_a_digest_of_an_analysed_store_compiles_no_cue_and_loads_no_crawl_stage(
    tmp_path: Path,
) -> None:
    positions = REPO / "positions.yaml"
    cues = _cues(positions)
    storage = tmp_path / "storage"
    _store_piece(storage, 1)

    first = _digest(storage, positions)  # analyses the piece: the cues are compiled
    assert first["code"] == 0, first["output"]
    assert cues & set(first["compiled"]), "the pending piece was analysed without its cues"

    again = _digest(storage, positions)
    assert again["code"] == 0, again["output"]
    assert not cues & set(again["compiled"])
    assert _loaded(again["modules"]) == []
    doc = json.loads((storage / "digests" / f"{WEEK}.json").read_text(encoding="utf-8"))
    assert doc["totals"]["articles"] == 1

    _store_piece(storage, 2)  # a new piece: pending again, analysed with every cue checked
    third = _digest(storage, positions)
    assert third["code"] == 0, third["output"]
    assert cues & set(third["compiled"])
    doc = json.loads((storage / "digests" / f"{WEEK}.json").read_text(encoding="utf-8"))
    assert doc["totals"]["articles"] == 2


def test_a_broken_cue_still_stops_the_digest_with_its_line(tmp_path: Path) -> None:
    """The store holds no analysis of the edited file's version, so its cues are checked
    before anything is written, as before."""
    storage = tmp_path / "storage"
    _store_piece(storage, 1)
    assert _digest(storage, REPO / "positions.yaml")["code"] == 0
    text = (REPO / "positions.yaml").read_text(encoding="utf-8")
    anchor = "anchors: ['trade', "
    assert anchor in text
    broken = tmp_path / "positions.yaml"
    broken.write_text(text.replace(anchor, "anchors: ['(unclosed', 'trade', ", 1), "utf-8")

    result = _digest(storage, broken)
    assert result["code"] == 2
    assert "cue '(unclosed' is not a valid regular expression" in result["output"]
    assert str(broken) in result["output"]
