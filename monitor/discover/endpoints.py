"""The URL to fetch for a discovery endpoint.

Feeds, sitemaps and listings are fetched as configured, with ``{YYYY}``, ``{MM}`` and
``{DD}`` filled from the clock (monthly sitemaps such as CNN's ``article-2024-10.xml``).
Search services get their query and paging parameters. Parameters already written in the
configured URL are kept verbatim — the config can pin ``timespan`` or ``sort`` — except
the query, which ``Endpoint.query`` replaces when given.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote, urlsplit, urlunsplit

from monitor.config import Endpoint

GDELT_MAX_RECORDS = 250  # the DOC 2.0 API's ceiling for mode=artlist
GDELT_TIMESPAN = "1d"  # wider than any crawl interval; the store drops what it has seen


def endpoint_url(endpoint: Endpoint, *, now: datetime) -> str:
    """The URL to fetch now for ``endpoint`` (``now``: an aware datetime)."""
    if endpoint.kind == "gdelt":
        return _with_params(
            endpoint.url,
            override={"query": endpoint.query},
            defaults={
                "mode": "artlist",
                "format": "json",
                "maxrecords": str(min(endpoint.max_items, GDELT_MAX_RECORDS)),
                "sort": "DateDesc",
                "timespan": GDELT_TIMESPAN,
            },
        )
    if endpoint.kind == "google_news":
        return _with_params(endpoint.url, override={"q": endpoint.query}, defaults={})
    when = now.astimezone(UTC)
    return (
        endpoint.url.replace("{YYYY}", f"{when.year:04d}")
        .replace("{MM}", f"{when.month:02d}")
        .replace("{DD}", f"{when.day:02d}")
    )


def _with_params(url: str, *, override: dict[str, str | None], defaults: dict[str, str]) -> str:
    """``url`` with ``override`` parameters replaced (when not None) and ``defaults`` added
    where absent. Existing parameters keep their original encoding and order; new values
    are percent-encoded completely (spaces as %20, quotes, parentheses, colons)."""
    parts = urlsplit(url)
    pairs = [p for p in parts.query.split("&") if p]
    names = [p.partition("=")[0] for p in pairs]
    replace = {k for k, v in override.items() if v is not None}
    kept = [p for p, n in zip(pairs, names, strict=True) if n not in replace]
    added = [f"{k}={quote(v, safe='')}" for k, v in override.items() if v is not None]
    added += [f"{k}={quote(v, safe='')}" for k, v in defaults.items() if k not in names]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(added + kept), ""))
