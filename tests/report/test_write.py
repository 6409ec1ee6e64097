"""``write_digest``: the three files land in the digest directory, replaced whole."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.errors import ReportError
from monitor.models import DigestInput
from monitor.report import build_digest, write_digest
from monitor.report.model import GlanceGroup


def test_three_files_named_by_week_are_written(week: DigestInput, tmp_path: Path) -> None:
    target = tmp_path / "storage" / "digests"
    paths = write_digest(build_digest(week), target)
    assert paths == {
        "html": target / "2024-W44.html",
        "md": target / "2024-W44.md",
        "json": target / "2024-W44.json",
    }
    assert "<!DOCTYPE html>" in paths["html"].read_text(encoding="utf-8")
    assert paths["md"].read_text(encoding="utf-8").startswith("# Russia–DPRK coverage digest")
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["totals"]["articles"] == 10
    assert sorted(p.name for p in target.iterdir()) == [
        "2024-W44.html",
        "2024-W44.json",
        "2024-W44.md",
    ]  # no temporary file left behind


def test_writing_again_replaces_the_files(week: DigestInput, tmp_path: Path) -> None:
    digest = build_digest(week)
    write_digest(digest, tmp_path)
    second = (GlanceGroup("volume", "Volume", ("Second run.",)),)
    paths = write_digest(replace(digest, summary="Second run.", glance=second), tmp_path)
    for path in paths.values():
        text = path.read_text(encoding="utf-8")
        assert "Second run." in text and "10 pieces from 8 outlets" not in text
    assert len(list(tmp_path.iterdir())) == 3


def test_an_unwritable_directory_is_a_report_error(week: DigestInput, tmp_path: Path) -> None:
    blocker = tmp_path / "digests"
    blocker.write_text("a file where the directory should be", encoding="utf-8")
    with pytest.raises(ReportError, match="digest"):
        write_digest(build_digest(week), blocker)
    with pytest.raises(ReportError, match="cannot write digest file"):
        (tmp_path / "ro").mkdir()
        (tmp_path / "ro" / "2024-W44.html").mkdir()  # a directory in the file's place
        write_digest(build_digest(week), tmp_path / "ro")
    assert sorted(p.name for p in (tmp_path / "ro").iterdir()) == ["2024-W44.html"]
