"""The suite-wide guard in conftest.py really refuses the internet (a guard that cannot
fail would prove nothing)."""

from __future__ import annotations

import socket

import httpx
import pytest


def test_the_guard_refuses_a_public_address() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(ConnectionRefusedError, match="may not reach the internet"):
            sock.connect(("93.184.216.34", 80))
    finally:
        sock.close()


def test_an_http_client_without_a_transport_is_refused() -> None:
    with pytest.raises(httpx.ConnectError):
        httpx.get("http://93.184.216.34/", timeout=2)
