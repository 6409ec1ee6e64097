"""Each watched outlet's real discovery structure, as written in the fixtures folder, gives
the links an analyst expects: ``<name>.<ext>`` is the body, ``<name>.expected.json`` says
which endpoint fetched it and what must come out (every listed field is compared)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.config import Endpoint
from monitor.discover import endpoint_url, parse
from monitor.models import Link

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(FIXTURES.glob("*.expected.json"))


def _body_of(expected: Path) -> Path:
    stem = expected.name.removesuffix(".expected.json")
    (body,) = [p for p in FIXTURES.glob(stem + ".*") if not p.name.endswith(".expected.json")]
    return body


def _as_json(link: Link, keys: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in keys:
        value = getattr(link, key)
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out


def test_every_outlet_in_the_brief_has_a_fixture() -> None:
    names = {p.name.removesuffix(".expected.json") for p in CASES}
    assert {
        "tass_rss", "bbc_asia_rss", "guardian_north_korea_rss", "dw_world_rdf",
        "yonhap_news_rss", "north38_atom", "reuters_news_sitemap", "ap_sitemap_latest",
        "ap_hub_north_korea", "guancha_internation_list", "guancha_gundong",
        "gdelt_artlist", "google_news_search",
    } <= names  # fmt: skip


@pytest.mark.parametrize("expected_path", CASES, ids=lambda p: p.name.split(".")[0])
def test_outlet_fixture_gives_the_expected_links(
    expected_path: Path, make_response: Any, now: datetime
) -> None:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    endpoint = Endpoint(**expected["endpoint"])
    if "fetch_url" in expected:
        assert endpoint_url(endpoint, now=now) == expected["fetch_url"]
    url = expected.get("url") or expected.get("fetch_url") or endpoint.url
    response = make_response(
        _body_of(expected_path).read_bytes(), url, content_type=expected["content_type"]
    )

    found = parse(endpoint, response, source_id=expected["source_id"], now=now)

    assert [lk.url for lk in found.links] == [lk["url"] for lk in expected["links"]]
    for link, want in zip(found.links, expected["links"], strict=True):
        assert _as_json(link, list(want)) == want
        assert link.source_id == expected["source_id"]
        assert link.via == endpoint.url
        assert link.published is None or link.published.utcoffset().total_seconds() == 0
    assert dict(found.skipped) == expected["skipped"]
    assert found.children == ()
