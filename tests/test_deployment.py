"""The scale-out deployment files stay consistent with the code (no Docker engine here,
so the compose file and the Dockerfile are checked as data)."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))


MONITOR_SERVICES = ("crawler", "analyser", "reporter")


def _envvars() -> set[str]:
    from monitor.cli import main

    names = {p.envvar for p in main.params}
    for command in main.commands.values():  # type: ignore[attr-defined]
        names |= {p.envvar for p in command.params}
    return {n for n in names if isinstance(n, str)}


def test_compose_runs_the_daemon_against_a_healthy_postgres() -> None:
    services = _compose()["services"]
    pg = services["postgres"]
    assert "healthcheck" in pg and any("/var/lib/postgresql/data" in v for v in pg["volumes"])
    for name in MONITOR_SERVICES:
        monitor = services[name]
        assert monitor["environment"]["MONITOR_DB"].startswith("postgresql://")
        assert monitor["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert monitor["environment"]["MONITOR_STORAGE"] == "/data"
        assert any(v.endswith(":/data") for v in monitor["volumes"])


def test_every_monitor_service_runs_a_command_the_cli_accepts() -> None:
    from monitor.cli import main

    for name in MONITOR_SERVICES:
        args = _compose()["services"][name]["command"]
        ctx = main.make_context("monitor", list(args))
        command = main.get_command(ctx, args[0])
        assert command is not None, f"{name}: no command {args[0]!r}"
        sub = command.make_context(args[0], list(args[1:]), parent=ctx)  # unknown flags raise
        assert sub.params["roles"] == (name,)
    reporters = [n for n in MONITOR_SERVICES
                 if "--no-digest" not in _compose()["services"][n]["command"]]  # fmt: skip
    assert reporters == ["reporter"]  # exactly one service writes (and mails) the digest


def test_config_is_mounted_not_baked_and_every_setting_is_one_the_cli_reads() -> None:
    envvars = _envvars()
    for name in MONITOR_SERVICES:
        service = _compose()["services"][name]
        env = service["environment"]
        assert set(env) <= envvars, set(env) - envvars
        mounts = {v.split(":")[1]: v.split(":")[0] for v in service["volumes"]}
        for key, file in (("MONITOR_SOURCES", "sources.yaml"),
                          ("MONITOR_POSITIONS", "positions.yaml")):  # fmt: skip
            assert mounts[env[key]] == f"./{file}" and (REPO / file).exists()


def test_crawlers_and_analysers_scale_and_are_health_checked() -> None:
    services = _compose()["services"]
    for name in MONITOR_SERVICES:
        service = services[name]
        # --scale needs containers without a fixed name or host port
        assert "container_name" not in service and "ports" not in service
        port = service["environment"]["MONITOR_METRICS_PORT"]
        assert f"127.0.0.1:{port}/metrics" in " ".join(service["healthcheck"]["test"])
        assert service["environment"]["MONITOR_METRICS_HOST"] == "0.0.0.0"
        assert float(service["stop_grace_period"].rstrip("s")) > 20


def test_the_digests_are_served_from_the_volume_the_reporter_writes() -> None:
    from monitor.runtime import Settings

    services = _compose()["services"]
    reporter = services["reporter"]
    storage = Path(reporter["environment"]["MONITOR_STORAGE"])
    digest_dir = Settings(storage, Path("s"), Path("p")).digest_dir
    mounted = dict(v.split(":")[:2] for v in reporter["volumes"])
    volume = next(name for name, target in mounted.items() if target == str(digest_dir))
    served = [v for v in services["digests"]["volumes"] if v.startswith(f"{volume}:")]
    assert served and served[0].split(":")[1] == "/usr/share/nginx/html"
    assert served[0].endswith(":ro") and services["digests"]["ports"]


def test_the_image_carries_the_package_its_demo_and_the_metrics_extra() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    for needed in ("COPY monitor", "sources.yaml", "positions.yaml", 'CMD ["run"]'):
        assert needed in dockerfile
    assert "pip install --no-cache-dir '.[metrics]'" in dockerfile  # the healthcheck needs it
    assert "MONITOR_POSITIONS=/app/positions.yaml" in dockerfile
    # `monitor demo` in the image: its archive is package data, not a test fixture
    import tomllib

    from monitor.demo_data import ARCHIVE

    package_data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["monitor"]
    relative = ARCHIVE.relative_to(REPO / "monitor")
    assert ARCHIVE.exists() and any(relative.match(pattern) for pattern in package_data)


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
