"""The pipeline's stages stay independent: data flows one way, through monitor.models.

A stage (discover, fetch, extract, relevance, store, stories, differ, report) may import the shared
modules (models, errors, config, urls) but never another stage; only pipeline, daemon and
cli compose them. This test reads every module's imports and fails on a crossing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "monitor"
STAGES = ("discover", "fetch", "extract", "relevance", "store", "stories", "differ", "report")
COMPOSERS = ("pipeline", "pagework", "runtime", "daemon", "cli", "demo", "workers", "jobs")


def _stage_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "monitor" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in STAGES + COMPOSERS else None


def _imports(path: Path, source: str | None = None) -> list[str]:
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    found: list[str] = []
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    here = list(rel.parts)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append(module)
            found.extend(f"{module}.{alias.name}" for alias in node.names)
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_stage_imports_another_stage(path: Path) -> None:
    owner = _stage_of("monitor." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts))
    if owner is None or owner in COMPOSERS:
        return
    crossings = sorted(
        {m for m in _imports(path) if (s := _stage_of(m)) is not None and s != owner}
    )
    assert not crossings, f"stage '{owner}' ({path.name}) imports {crossings}"


def test_the_checker_sees_a_crossing() -> None:
    """Guard against a test that cannot fail: absolute and relative crossings are seen."""
    probe = PACKAGE / "report" / "probe.py"  # never written: the source is passed in
    absolute = _imports(probe, "from monitor.store import schema\n")
    relative = _imports(probe, "from ..store import schema\n")
    shared = _imports(probe, "from monitor.models import Link\nfrom . import charts\n")
    assert any(_stage_of(m) == "store" for m in absolute)
    assert any(_stage_of(m) == "store" for m in relative)
    assert {_stage_of(m) for m in shared} <= {None, "report"}
    # the stories stage reaches the store only through its ledger protocol
    grouper = PACKAGE / "stories" / "probe.py"
    assert _stage_of(_imports(grouper, "from monitor.store import Store\n")[0]) == "store"
