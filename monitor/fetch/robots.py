"""robots.txt: what a host allows us, fetched once per origin and day (protego parses it).

The rules follow Google's documented handling (developers.google.com/search/docs/crawling-
indexing/robots/robots_txt), because sites write their robots.txt with Google in mind:

* 2xx: the file's rules apply to our product token (``monitor``), else to ``*``.
* 4xx (404, 410, also 401/403): there is no robots.txt, everything is allowed.
* 429, 5xx, timeout, refused connection: the host is treated as **disallowed for now** and
  asked again after an hour. This is the conservative choice, made on purpose: a daemon
  that polls news sites every couple of hours loses one round at most, and a host that is
  failing is exactly the host not to add load to. If an earlier copy of the file was
  fetched successfully, that copy keeps being honoured instead (as Google does), so a
  brief outage of robots.txt alone does not stop a well-known site.
* ``Crawl-delay`` raises that host's spacing (capped at a minute so that one odd file
  cannot freeze a source; a larger value is logged).

This module is pure apart from :class:`RobotsCache`, which only remembers policies and
asks an injected loader (the fetcher, so robots.txt goes through the same client, the
same politeness slot and the same WARC recorder as everything else).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

import httpx
from protego import Protego

log = logging.getLogger(__name__)

#: how long a fetched robots.txt is trusted
ROBOTS_TTL_SECONDS = 24 * 3600.0
#: how soon an unreachable robots.txt is asked for again
UNAVAILABLE_TTL_SECONDS = 3600.0
#: the largest Crawl-delay honoured as such
MAX_CRAWL_DELAY_SECONDS = 60.0

PolicyKind = Literal["rules", "allow_all", "unavailable"]


@dataclass(frozen=True)
class RobotsPolicy:
    """What one origin's robots.txt says, or why there is nothing to say."""

    kind: PolicyKind
    detail: str = ""
    parser: Protego | None = field(default=None, compare=False, repr=False)
    #: unavailable: the failure reason the host's pages get meanwhile ("connect" when the
    #: host is unreachable, "robots_unavailable" when it answers robots.txt with 5xx)
    cause: str = "robots_unavailable"

    def allows(self, url: str, agent: str) -> bool:
        if self.kind == "allow_all":
            return True
        if self.kind == "unavailable" or self.parser is None:
            return False
        return bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float | None:
        """The host's Crawl-delay for ``agent`` in seconds (capped), if it sets one."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        if delay is None or delay <= 0:
            return None
        if delay > MAX_CRAWL_DELAY_SECONDS:
            log.warning(
                "robots.txt asks for a %.0f s crawl delay; using %.0f s",
                delay,
                MAX_CRAWL_DELAY_SECONDS,
            )
            return MAX_CRAWL_DELAY_SECONDS
        return float(delay)


def allow_all(detail: str) -> RobotsPolicy:
    return RobotsPolicy("allow_all", detail)


def unavailable(detail: str, cause: str = "robots_unavailable") -> RobotsPolicy:
    return RobotsPolicy("unavailable", detail, cause=cause)


def parse_robots(body: bytes) -> RobotsPolicy:
    """Parse a robots.txt body (UTF-8 per RFC 9309; stray bytes are replaced, not fatal)."""
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff")
    try:
        parser = Protego.parse(text)
    except Exception as exc:  # protego is lenient; this guards a hostile file, not a normal one
        log.warning("robots.txt could not be parsed (%s); treating it as allowing all", exc)
        return allow_all(f"unparseable robots.txt ({exc})")
    return RobotsPolicy("rules", "robots.txt", parser)


def policy_from_response(status: int, body: bytes) -> RobotsPolicy:
    """The policy a robots.txt answer implies (Google's rules; see the module docstring)."""
    if 200 <= status < 300:
        return parse_robots(body)
    if status == 429 or status >= 500:
        return unavailable(f"robots.txt answered HTTP {status}")
    return allow_all(f"robots.txt answered HTTP {status}: no rules")


def product_token(user_agent: str) -> str:
    """The name robots.txt groups are matched against: ``monitor`` of ``monitor/0.1 (…)``."""
    token = user_agent.strip().split("/", 1)[0].split(" ", 1)[0]
    return token or user_agent


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` — robots.txt applies per origin (RFC 9309 §2.3)."""
    parsed = httpx.URL(url)
    port = f":{parsed.port}" if parsed.port else ""
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host  # IPv6 literal
    return f"{parsed.scheme}://{host}{port}"


def robots_url(url: str) -> str:
    return origin_of(url) + "/robots.txt"


@dataclass
class _Entry:
    policy: RobotsPolicy
    expires: float


class RobotsCache:
    """Policies per origin, each loaded once per TTL even under concurrent requests."""

    def __init__(
        self,
        load: Callable[[str], Awaitable[RobotsPolicy]],
        *,
        clock: Callable[[], float],
        ttl: float = ROBOTS_TTL_SECONDS,
        unavailable_ttl: float = UNAVAILABLE_TTL_SECONDS,
    ) -> None:
        self._load = load
        self._clock = clock
        self._ttl = ttl
        self._unavailable_ttl = unavailable_ttl
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def policy_for(self, url: str) -> RobotsPolicy:
        origin = origin_of(url)
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            entry = self._entries.get(origin)
            if entry is not None and self._clock() < entry.expires:
                return entry.policy
            policy = await self._load(robots_url(url))
            ttl = self._ttl
            if policy.kind == "unavailable":
                ttl = self._unavailable_ttl
                if entry is not None and entry.policy.kind != "unavailable":
                    log.warning(
                        "%s: %s; keeping the robots.txt fetched before", origin, policy.detail
                    )
                    policy = entry.policy
                else:
                    log.warning("%s: %s; not crawling this host for now", origin, policy.detail)
            self._entries[origin] = _Entry(policy, self._clock() + ttl)
            return policy
