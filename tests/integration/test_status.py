"""`monitor status`: what an operator reads before anything else on a morning after.

The store is filled the way the pipeline fills it (one crawl record per visit, with the
visit's counts); the test reads the table and the JSON the operator would.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from monitor.cli import main
from monitor.store import open_store

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2024, 11, 4, 6, 0, tzinfo=UTC)

SOURCES = """\
version: 1
topic:
  keywords:
    en: ["North Korea"]
sources:
{entries}
"""
ENTRY = """\
  - id: {id}
    name: {id}
    camp: west
    language: en
    enabled: {enabled}
    discovery:
      - kind: rss
        url: https://{id}.example/rss
"""

VISITS: dict[str, list[tuple[bool, str | None, dict[str, int]]]] = {
    # oldest first; (ok, error, counts) as the pipeline records them
    "wire": [
        (True, None, {"endpoints": 1, "endpoints_ok": 1, "stored": 4}),
        (True, None, {"endpoints": 1, "endpoints_ok": 1, "stored": 1}),
    ],
    "dark": [
        (
            False,
            "https://dark.example/rss: timed out",
            {"endpoints": 1, "endpoint_failed:timeout": 1},
        ),
        (
            False,
            "https://dark.example/rss: connect",
            {"endpoints": 1, "endpoint_failed:connect": 1},
        ),
        (
            False,
            "https://dark.example/rss: connect",
            {"endpoints": 1, "endpoint_failed:connect": 1},
        ),
    ],
    "halfway": [
        (
            True,
            "https://halfway.example/sitemap.xml: HTTP 404",
            {"endpoints": 2, "endpoints_ok": 1, "endpoint_failed:status": 1, "stored": 2},
        ),
    ],
    "cut": [
        (True, None, {"endpoints": 1, "endpoints_ok": 1, "stored": 3}),
        (
            True,
            "https://cut.example/a/1: the gzip body stops before its end",
            {"endpoints": 1, "endpoints_ok": 1, "new_links": 2, "failed:truncated": 2},
        ),
    ],
}


def setup(tmp_path: Path, configured: list[tuple[str, bool]]) -> list[str]:
    entries = "".join(ENTRY.format(id=sid, enabled=str(on).lower()) for sid, on in configured)
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES.format(entries=entries), encoding="utf-8")
    storage = tmp_path / "storage"
    storage.mkdir()
    store = open_store(f"sqlite:///{storage / 'monitor.db'}")
    try:
        for sid, visits in VISITS.items():
            for n, (ok, error, counts) in enumerate(visits):
                at = T0 + timedelta(hours=2 * n)
                store.record_crawl(
                    sid, started=at, finished=at + timedelta(minutes=1), ok=ok, error=error,
                    counts=counts,
                )  # fmt: skip
    finally:
        store.close()
    return ["--storage", str(storage), "--sources", str(sources)]


def status(cli: list[str], *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*cli, "status", *extra], env={"COLUMNS": "300"})
    return result.exit_code, result.output


def rows(cli: list[str]) -> dict[str, dict[str, Any]]:
    code, out = status(cli, "--format", "json")
    assert code == 0, out
    return {row["source_id"]: row for row in json.loads(out)["sources"]}


CONFIGURED = [("wire", True), ("dark", True), ("halfway", True), ("cut", True),
              ("fresh", True), ("paused", False)]  # fmt: skip


def test_a_source_whose_every_endpoint_fails_is_flagged_with_its_streak(tmp_path: Path) -> None:
    cli = setup(tmp_path, CONFIGURED)
    dark = rows(cli)["dark"]
    assert dark["state"] == "blind" and dark["all_endpoints_failing"] is True
    assert dark["failing_visits"] == 3
    assert dark["failures"] == {"endpoint:connect": 2, "endpoint:timeout": 1}
    assert dark["last_ok"] is None
    code, out = status(cli)
    assert code == 0 and "ALL ENDPOINTS FAILING" in out


def test_an_endpoint_error_shows_although_the_other_endpoint_worked(tmp_path: Path) -> None:
    halfway = rows(setup(tmp_path, CONFIGURED))["halfway"]
    assert halfway["state"] == "ok"
    assert halfway["last_error"] == "https://halfway.example/sitemap.xml: HTTP 404"
    assert halfway["failures"] == {"endpoint:status": 1}


def test_pages_that_all_fail_make_a_failing_visit(tmp_path: Path) -> None:
    cut = rows(setup(tmp_path, CONFIGURED))["cut"]
    assert cut["state"] == "failing" and cut["failing_visits"] == 1
    assert cut["failures"] == {"page:truncated": 2}
    assert "stops before its end" in cut["last_error"]


def test_configured_sources_never_visited_are_listed_in_config_order(tmp_path: Path) -> None:
    found = rows(setup(tmp_path, CONFIGURED))
    assert list(found) == ["wire", "dark", "halfway", "cut", "fresh", "paused"]
    assert found["fresh"]["state"] == "never" and found["fresh"]["last_run"] is None
    assert found["paused"]["state"] == "disabled"
    assert found["wire"] == {
        "source_id": "wire",
        "state": "ok",
        "configured": True,
        "enabled": True,
        "last_run": (T0 + timedelta(hours=2)).isoformat(),
        "last_ok": (T0 + timedelta(hours=2, minutes=1)).isoformat(),
        "last_error": None,
        "last_error_at": None,
        "stored_last_visit": 1,
        "recent_visits": 2,
        "failing_visits": 0,
        "all_endpoints_failing": False,
        "failures": {},
    }


def test_a_source_dropped_from_the_config_still_shows_what_the_store_knows(
    tmp_path: Path,
) -> None:
    found = rows(setup(tmp_path, [("wire", True)]))
    assert list(found) == ["wire", "cut", "dark", "halfway"]
    assert found["dark"]["configured"] is False and found["dark"]["state"] == "blind"


def test_the_table_names_reasons_and_the_database_without_its_password(tmp_path: Path) -> None:
    cli = setup(tmp_path, CONFIGURED)
    code, out = status(cli)
    assert code == 0
    assert "page:truncated ×2" in out and "failing ×1" in out and "never" in out
    shown = CliRunner().invoke(
        main, ["--db", "postgresql://monitor:s3cret@127.0.0.1:1/none", "status", "--format", "json"]
    )
    assert "s3cret" not in shown.output


def test_the_sources_list_shows_which_source_may_reach_private_addresses(tmp_path: Path) -> None:
    cli = setup(tmp_path, [("wire", True)])
    sources = Path(cli[3])
    text = sources.read_text(encoding="utf-8").replace(
        "    enabled: true\n", "    enabled: true\n    allow_private_addresses: true\n", 1
    )
    sources.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, [*cli, "sources"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "private addresses allowed" in result.output
