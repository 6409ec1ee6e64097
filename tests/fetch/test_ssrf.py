"""The crawler never fetches an internal address it was not told to trust.

A feed item, a GDELT result or a redirect may point at the machine's own services, the
office network or the cloud's metadata service. Every test here runs against real sockets
on 127.0.0.1 (or, where the address must never be touched, a resolver that names it and a
recording backend that connects nowhere) and counts what the "internal" server saw: zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import httpcore
import httpx
import pytest

from monitor.errors import AddressRefused
from monitor.fetch import AddressPolicy, Fetcher, internal_kind, iter_archive
from monitor.fetch.network import GuardedBackend, InternalAddress

from .conftest import LoopbackServer, Reply

Make = Callable[..., Fetcher]
SECRET = b'{"AccessKeyId": "ASIA-not-for-the-digest", "Token": "secret"}'
PAGE = "<html><body><p>Репортаж о переговорах в Пхеньяне.</p></body></html>".encode()


def names(table: dict[str, Sequence[str]]) -> Callable[[str, int], object]:
    """A resolver for test names (``news.test`` → 127.0.0.x); anything else is unknown."""

    async def resolve(host: str, port: int) -> Sequence[str]:
        if host in table:
            return table[host]
        if internal_kind(host) != "invalid":  # an IP literal resolves to itself
            return [host]
        raise OSError(f"unknown test name {host}")

    return resolve


def trust(server: LoopbackServer) -> tuple[tuple[str, int], ...]:
    return (("127.0.0.1", server.httpd.server_port),)


# ── which addresses are internal: the pure table ───────────────────────────────────


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "metadata"),
        ("169.254.1.1", "link-local"),
        ("100.64.0.1", "shared (CGNAT)"),
        ("100.100.100.200", "metadata"),
        ("224.0.0.251", "multicast"),
        ("255.255.255.255", "private"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1%eth0", "link-local"),
        ("fd00::1", "private"),
        ("fd00:ec2::254", "metadata"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback (inside IPv6)"),
        ("::ffff:169.254.169.254", "metadata (inside IPv6)"),
        ("64:ff9b::a00:1", "private (inside IPv6)"),
        ("2002:7f00:1::", "loopback (inside IPv6)"),
        ("8.8.8.8", None),
        ("93.184.216.34", None),
        ("2001:4860:4860::8888", None),
        ("::ffff:8.8.8.8", None),
        ("not-an-ip", "invalid"),
    ],
)
def test_internal_addresses_are_named(address: str, kind: str | None) -> None:
    assert internal_kind(address) == kind


def test_trust_is_per_origin_and_never_covers_metadata() -> None:
    policy = AddressPolicy.trusting([("Intranet.Example.", 8080), ("169.254.169.254", 80)])
    assert policy.refusal("intranet.example", 8080, "10.1.2.3") is None
    assert policy.refusal("intranet.example", 8081, "10.1.2.3") == "private"
    assert policy.refusal("other.example", 8080, "10.1.2.3") == "private"
    assert policy.refusal("169.254.169.254", 80, "169.254.169.254") == "metadata"
    assert policy.refusal("news.example", 443, "93.184.216.34") is None


# ── real sockets on loopback ───────────────────────────────────────────────────────


async def test_a_loopback_url_is_refused_and_never_requested(
    server: LoopbackServer, make_fetcher: Make, warc_dir: Path
) -> None:
    server.route("/admin", Reply(200, SECRET))
    fetcher = make_fetcher(private_origins=())

    with pytest.raises(AddressRefused) as caught:
        await fetcher.get(server.url("/admin"))

    assert caught.value.reason == "internal_address"
    assert caught.value.kind == "loopback"
    assert "127.0.0.1" in caught.value.message
    assert server.hits == {}  # not even robots.txt was asked for
    assert fetcher.stats["error:internal_address"] == 1
    assert not warc_dir.exists()  # nothing was exchanged, so nothing recorded


async def test_a_name_that_resolves_to_loopback_is_refused(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    server.route("/latest/meta-data/", Reply(200, SECRET))
    port = server.httpd.server_port
    fetcher = make_fetcher(private_origins=(), resolver=names({"cdn.news.test": ["127.0.0.1"]}))

    with pytest.raises(AddressRefused) as caught:
        await fetcher.get(f"http://cdn.news.test:{port}/latest/meta-data/")

    assert caught.value.host == "cdn.news.test"
    assert server.hits == {}


async def test_a_trusted_name_on_loopback_is_fetched_with_its_host_header(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    server.route("/world/1", Reply(200, PAGE))
    port = server.httpd.server_port
    fetcher = make_fetcher(
        private_origins=(("news.test", port),), resolver=names({"news.test": ["127.0.0.1"]})
    )

    response = await fetcher.get(f"http://news.test:{port}/world/1")

    assert response.body == PAGE
    page_requests = [headers for path, headers in server.requests if path == "/world/1"]
    assert page_requests[0]["host"] == f"news.test:{port}"


async def test_a_redirect_from_a_trusted_site_to_another_local_port_is_refused(
    server: LoopbackServer, other_server: LoopbackServer, make_fetcher: Make, warc_dir: Path
) -> None:
    """The source trusts its own origin; the admin service on another port of the same
    machine is a different origin and stays out of reach, redirect or not."""
    other_server.route("/admin", Reply(200, SECRET))
    server.route("/story", Reply(302, b"", {"Location": other_server.url("/admin")}))
    fetcher = make_fetcher(private_origins=trust(server))

    with pytest.raises(AddressRefused):
        await fetcher.get(server.url("/story"))

    assert server.hits["/story"] == 1
    assert other_server.hits == {}
    assert not any(SECRET in a.body for a in iter_archive([warc_dir]))


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://0.0.0.0:{port}/admin",
        "http://10.0.0.1/",
        "http://[::ffff:127.0.0.1]:{port}/admin",
        "http://[::1]:{port}/admin",
        "http://100.64.0.1/",
        "http://metadata.google.internal/computeMetadata/v1/",
    ],
)
async def test_redirects_to_internal_addresses_are_refused_on_the_hop(
    server: LoopbackServer, make_fetcher: Make, target: str
) -> None:
    location = target.format(port=server.httpd.server_port)
    server.route("/story", Reply(301, b"", {"Location": location}))
    resolver = names({"metadata.google.internal": ["169.254.169.254"]})
    fetcher = make_fetcher(private_origins=trust(server), resolver=resolver)

    with pytest.raises(AddressRefused) as caught:
        await fetcher.get(server.url("/story"))

    assert caught.value.url == str(httpx.URL(location))  # the hop refused is named
    assert fetcher.stats["error:internal_address"] == 1
    assert set(server.hits) == {"/robots.txt", "/story"}  # the hop went nowhere


# ── the address judged is the address connected to ─────────────────────────────────


class Recording(httpcore.AsyncNetworkBackend):
    """An inner backend that notes where it was asked to connect and connects nowhere."""

    def __init__(self) -> None:
        self.connects: list[tuple[str, int]] = []

    async def connect_tcp(self, host: str, port: int, **_: object) -> httpcore.AsyncNetworkStream:
        self.connects.append((host, port))
        raise httpcore.ConnectError("recording backend: no connection made")


async def test_dns_rebinding_cannot_swap_the_address_after_the_check() -> None:
    """The name answers a public address once and loopback ever after; the backend
    connects to the very address it judged (never re-resolving the name)."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"], ["127.0.0.1"]])
    calls: list[str] = []

    async def rebinding(host: str, port: int) -> Sequence[str]:
        calls.append(host)
        return next(answers)

    inner = Recording()
    backend = GuardedBackend(AddressPolicy(), resolver=rebinding, inner=inner)

    with pytest.raises(httpcore.ConnectError):
        await backend.connect_tcp("rebind.test", 80)
    with pytest.raises(InternalAddress):
        await backend.connect_tcp("rebind.test", 80)

    assert calls == ["rebind.test", "rebind.test"]  # one resolution per connection
    assert inner.connects == [("93.184.216.34", 80)]  # the IP judged, not the name


async def test_a_name_with_one_internal_address_among_public_ones_is_refused_whole() -> None:
    async def mixed(host: str, port: int) -> Sequence[str]:
        return ["93.184.216.34", "10.0.0.7"]

    inner = Recording()
    backend = GuardedBackend(AddressPolicy(), resolver=mixed, inner=inner)

    with pytest.raises(InternalAddress) as caught:
        await backend.connect_tcp("mixed.test", 443)

    assert caught.value.kind == "private"
    assert inner.connects == []
