"""URL canonicalisation: one piece seen under many URLs must be stored once.

Feeds add tracking parameters (``utm_*``, ``input=rss``), mobile and AMP variants abound,
and hosts differ in case and ``www.``. The canonical form keeps what identifies the page
and drops what only identifies the route a reader took to it.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_PREFIXES = ("utm_", "mc_", "fbclid", "gclid", "yclid", "_ga", "at_")
_TRACKING_KEYS = frozenset(
    {"ref", "ref_src", "cmpid", "ocid", "section", "input", "from", "share", "smid", "taid"}
)


def canonical_url(url: str) -> str:
    """Normalise ``url`` for deduplication (scheme and host lower-cased, default port,
    fragment, tracking parameters and a trailing ``/amp`` removed, query keys sorted)."""
    parts = urlsplit(url.strip())
    scheme = (parts.scheme or "http").lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{host}:{port}"
    path = parts.path or "/"
    if path.endswith("/amp") and len(path) > 4:
        path = path[: -len("/amp")] or "/"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING_KEYS
    ]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def host_of(url: str) -> str:
    """The host of ``url``, lower-cased, without a leading ``www.``."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host
