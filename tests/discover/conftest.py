"""Shared pieces for the discover tests: a fixed clock, fixture files, and a way to turn
bytes into the ``Response`` the fetch stage would hand over."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.config import Endpoint
from monitor.discover import Discovery, parse
from monitor.models import Response

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2024, 10, 24, 6, 0, tzinfo=UTC)


def _response(
    body: bytes,
    url: str,
    *,
    content_type: str | None = "application/xml",
    final_url: str | None = None,
    status: int = 200,
) -> Response:
    headers = {"content-type": content_type} if content_type else {}
    return Response(
        url=url,
        final_url=final_url or url,
        status=status,
        headers=headers,
        body=body,
        fetched_at=NOW,
        sha256=hashlib.sha256(body).hexdigest(),
    )


@pytest.fixture
def make_response() -> Callable[..., Response]:
    """``make_response(body, url, content_type=..., final_url=..., status=...)``."""
    return _response


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def fixture_bytes() -> Callable[[str], bytes]:
    return lambda name: (FIXTURES / name).read_bytes()


@pytest.fixture
def discover() -> Callable[..., Discovery]:
    """Parse ``body`` as the endpoint described by the keyword arguments would."""

    def run(
        body: bytes | str,
        *,
        kind: str = "rss",
        url: str = "https://example.org/feed",
        content_type: str = "application/xml",
        final_url: str | None = None,
        status: int = 200,
        source_id: str = "test",
        **endpoint: Any,
    ) -> Discovery:
        data = body.encode("utf-8") if isinstance(body, str) else body
        ep = Endpoint(kind=kind, url=url, **endpoint)  # type: ignore[arg-type]
        response = _response(
            data, url, content_type=content_type, final_url=final_url, status=status
        )
        return parse(ep, response, source_id=source_id, now=NOW)

    return run
