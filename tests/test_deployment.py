"""The scale-out deployment files stay consistent with the code (no Docker engine here,
so the compose file and the Dockerfile are checked as data)."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def test_compose_runs_the_daemon_against_a_healthy_postgres() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    pg, monitor = compose["services"]["postgres"], compose["services"]["monitor"]
    assert "healthcheck" in pg and any("/var/lib/postgresql/data" in v for v in pg["volumes"])
    assert monitor["command"] == ["run"]
    assert monitor["environment"]["MONITOR_DB"].startswith("postgresql://")
    assert monitor["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert any(v.endswith(":/data") for v in monitor["volumes"])
    assert monitor["environment"]["MONITOR_STORAGE"] == "/data"


def test_the_image_carries_both_config_files_and_the_package() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    for needed in ("COPY monitor", "sources.yaml", "positions.yaml", "pip install", 'CMD ["run"]'):
        assert needed in dockerfile
    assert "MONITOR_POSITIONS=/app/positions.yaml" in dockerfile
