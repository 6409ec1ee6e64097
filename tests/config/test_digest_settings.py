"""The digest section of sources.yaml: a public_url that could turn into a script link in
every feed reader is refused when the file is loaded — by `monitor sources --check`, and
before `monitor digest` writes anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.config import load_sources
from monitor.errors import ConfigError

from .test_sources_errors import GOOD, write

REPO = Path(__file__).resolve().parents[2]


def with_digest(public_url: str) -> str:
    return GOOD.replace("sources:\n", f"digest:\n  public_url: {public_url!r}\nsources:\n", 1)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript://example.org/%0Aalert(1)",
        "file:///srv/digests/",
        "data:text/html,<script>alert(1)</script>",
        "digests.example.org/weekly",  # no scheme: would become a relative link
        "https://",
        "https://digests.example.org/a b",
    ],
)
def test_a_public_url_that_is_not_a_web_address_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_sources(write(tmp_path, with_digest(url)))
    message = caught.value.message
    assert (
        "digest.public_url" in message and "http:// or https://" in message or "spaces" in message
    )
    assert "line 6" in message


@pytest.mark.parametrize(
    "url", ["https://digests.example.org/monitor/", "http://10.0.0.5:8080/digests"]
)
def test_a_web_address_is_accepted(tmp_path: Path, url: str) -> None:
    assert load_sources(write(tmp_path, with_digest(url))).digest.public_url == url


def test_sources_check_refuses_it_and_digest_writes_nothing(tmp_path: Path) -> None:
    sources = write(tmp_path, with_digest("javascript:alert(1)"))
    base = ["--storage", str(tmp_path / "storage"), "--sources", str(sources)]
    base += ["--positions", str(REPO / "positions.yaml")]
    checked = CliRunner().invoke(main, [*base, "sources", "--check"])
    assert checked.exit_code == 2
    assert "digest.public_url" in checked.output
    digest = CliRunner().invoke(main, [*base, "digest", "--week", "2024-W44"])
    assert digest.exit_code == 2
    assert not (tmp_path / "storage" / "digests").exists()
