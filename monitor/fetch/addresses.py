"""Which IP addresses the crawler may connect to: a pure decision, tested as a table.

Feeds, sitemaps, listing pages, GDELT and Google News hand the daemon URLs written by
strangers, and every redirect is another such URL. Fetched blindly, one of them reaches the
machine's own services (``127.0.0.1:5432``), the office network (``10.0.0.1``) or a
cloud's metadata service (``169.254.169.254``, which hands out the instance's
credentials), and the answer is stored as an article for anyone reading the digest.

So the address a name resolves to is judged before anything connects to it
(:mod:`monitor.fetch.network` does the resolving and connects only to the address judged
here, which also defeats DNS rebinding). Refused unless the operator opted in:

* loopback, private (RFC 1918, ULA), link-local, shared/CGNAT (100.64/10), unspecified,
  multicast, reserved and documentation ranges — anything not globally routable;
* the same hidden inside IPv6: IPv4-mapped (``::ffff:127.0.0.1``), NAT64
  (``64:ff9b::a00:1``), 6to4 (``2002:7f00:1::``).

Cloud metadata addresses are refused even for a source that opted in to private
addresses: no news site lives there.

The opt-in is per origin (host and port) and comes only from ``sources.yaml``
(``allow_private_addresses: true`` on a source trusts the origins of its own homepage and
endpoints), never from a discovered link: a feed on a trusted intranet host that lists
``http://10.0.0.2/admin`` still gets a refusal for that link.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: the instance metadata services of the big clouds (AWS IPv4/IPv6 and ECS, Alibaba, Oracle)
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

#: ``(host, port)``; a port of None trusts every port of the host (tests only)
Origin = tuple[str, int | None]


def internal_kind(address: str | IPAddress) -> str | None:
    """What kind of internal address ``address`` is ("loopback", "private"…), or None
    when it is a public, globally routable address. Unparseable text is "invalid"."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0] if isinstance(address, str) else address)
    except ValueError:
        return "invalid"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner = internal_kind(embedded)
            return f"{inner} (inside IPv6)" if inner else None
    if ip in METADATA:
        return "metadata"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "shared (CGNAT)"
    if ip.is_private:
        return "private"
    if ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def normal_host(host: str) -> str:
    """A host as origins are compared: lower case, no trailing dot, no IPv6 brackets."""
    return host.strip().lower().rstrip(".").strip("[]")


def origin_of(url: str) -> Origin | None:
    """``(host, port)`` of an http(s) URL, the port filled in from the scheme."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    return normal_host(parts.hostname), port or (443 if parts.scheme == "https" else 80)


@dataclass(frozen=True)
class AddressPolicy:
    """Which internal addresses are allowed, per origin the operator trusted."""

    private_origins: frozenset[Origin] = frozenset()

    @classmethod
    def trusting(cls, origins: Iterable[Origin]) -> AddressPolicy:
        return cls(frozenset((normal_host(h), p) for h, p in origins))

    def refusal(self, host: str, port: int, address: str) -> str | None:
        """Why connecting to ``address`` (which ``host`` resolved to) is refused, or None."""
        kind = internal_kind(address)
        if kind is None or (kind != "metadata" and self.trusts(host, port)):
            return None
        return kind

    def trusts(self, host: str, port: int) -> bool:
        host = normal_host(host)
        return (host, port) in self.private_origins or (host, None) in self.private_origins
