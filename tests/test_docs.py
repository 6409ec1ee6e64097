"""Docs as tests: a command or a config key the README does not explain fails here."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from monitor import config
from monitor.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    return sorted(main.commands)


@pytest.mark.parametrize("name", _commands())
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"monitor {name}" in README, f"README does not mention `monitor {name}`"


@pytest.mark.parametrize("name", _commands())
def test_every_command_explains_itself(name: str) -> None:
    command = main.commands[name]
    assert command.help and len(command.help.split()) >= 6, f"`monitor {name} --help` is too thin"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"`monitor {name} {param.opts[0]}` has no help text"


MODELS = [
    config.Defaults,
    config.Source,
    config.Endpoint,
    config.Selectors,
    config.Topic,
    config.DigestSchedule,
    config.Retention,
]


@pytest.mark.parametrize(
    "model,key",
    [(m, k) for m in MODELS for k in m.model_fields],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
def test_every_config_key_is_documented(model: type, key: str) -> None:
    assert re.search(rf"`{re.escape(key)}`", README), f"README does not document `{key}`"
    assert model.model_fields[key].description, f"{model.__name__}.{key} has no description"


def test_the_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
