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


# ── systemd ─────────────────────────────────────────────────────────────────────────


def _unit() -> dict[str, list[str]]:
    """deploy/monitor.service as key → values (repeated keys kept in order)."""
    found: dict[str, list[str]] = {}
    for line in (REPO / "deploy" / "monitor.service").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def test_the_systemd_unit_runs_the_daemon_with_settings_the_cli_reads() -> None:
    from monitor.cli import main

    unit = _unit()
    (exec_start,) = unit["ExecStart"]
    assert exec_start.split()[1:] == ["run"] and exec_start.split()[0].endswith("/monitor")
    envvars = {p.envvar for p in main.params} | {
        p.envvar for p in main.commands["run"].params  # type: ignore[attr-defined]
    }
    for assignment in unit["Environment"]:
        name, value = assignment.split("=", 1)
        assert name in envvars, f"{name} is not read by the CLI"
        if name == "MONITOR_LOG_FORMAT":
            assert value in ("text", "json")
    for documented in ("MONITOR_DB", "MONITOR_METRICS_PORT"):  # named in the unit's header
        assert documented in envvars


def test_the_systemd_unit_gives_the_daemon_its_stop_grace_period() -> None:
    from monitor.daemon import STOP_GRACE_SECONDS

    unit = _unit()
    assert unit["KillSignal"] == ["SIGTERM"]
    assert float(unit["TimeoutStopSec"][0]) > STOP_GRACE_SECONDS + 5
    storage = dict(e.split("=", 1) for e in unit["Environment"])["MONITOR_STORAGE"]
    assert unit["ReadWritePaths"] == [storage]  # the one place it writes
