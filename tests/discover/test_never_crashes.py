"""Whatever a server sends, discovery answers with links or a typed error — never a crash
that would surface as ``bug:<Type>`` in a source's status row."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.config import Endpoint
from monitor.discover import Discovery, parse
from monitor.errors import DiscoverError

FIXTURES = Path(__file__).parent / "fixtures"
BODIES = {
    "rss": (FIXTURES / "bbc_asia_rss.xml").read_bytes(),
    "atom": (FIXTURES / "north38_atom.xml").read_bytes(),
    "sitemap": (FIXTURES / "reuters_news_sitemap.xml").read_bytes(),
    "listing": (FIXTURES / "ap_hub_north_korea.html").read_bytes(),
    "gdelt": (FIXTURES / "gdelt_artlist.json").read_bytes(),
    "google_news": (FIXTURES / "google_news_search.xml").read_bytes(),
}
ENDPOINTS = {
    kind: Endpoint(kind=kind, url="https://www.example.org/endpoint", query="q")  # type: ignore[arg-type]
    for kind in BODIES
}


@st.composite
def damaged(draw: st.DrawFn) -> tuple[str, bytes]:
    """A real body of some kind, cut short, with a few bytes overwritten."""
    kind = draw(st.sampled_from(sorted(BODIES)))
    body = bytearray(BODIES[kind])
    body = body[: draw(st.integers(0, len(body)))]
    for _ in range(draw(st.integers(0, 4))):
        if body:
            body[draw(st.integers(0, len(body) - 1))] = draw(st.integers(0, 255))
    return kind, bytes(body)


def _outcome(kind: str, body: bytes, make_response: Any, now: datetime) -> Discovery | None:
    response = make_response(body, "https://www.example.org/endpoint", content_type=None)
    try:
        found = parse(ENDPOINTS[kind], response, source_id="t", now=now)
    except DiscoverError as exc:
        assert exc.reason and exc.message
        return None
    assert len(found.links) <= ENDPOINTS[kind].max_items
    assert all(lk.url.startswith(("http://", "https://")) for lk in found.links)
    return found


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=damaged())
def test_damaged_bodies_give_links_or_a_typed_error(
    case: tuple[str, bytes], make_response: Any, now: datetime
) -> None:
    _outcome(*case, make_response, now)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kind=st.sampled_from(sorted(BODIES)), body=st.binary(max_size=300))
def test_arbitrary_bytes_give_links_or_a_typed_error(
    kind: str, body: bytes, make_response: Any, now: datetime
) -> None:
    _outcome(kind, body, make_response, now)
