"""The fetcher: the only code in monitor that talks HTTP.

``Fetcher.get(url)`` reads top to bottom as the steps it takes::

    get ─► _follow  (one hop after another, robots.txt checked per hop's host)
             └─► _exchange  (one hop, retried per retry.next_delay, spaced per politeness)
                    └─► _send_once  (send, stream the body under a limit, record to WARC)

Every exchange is written to WARC before its body is decoded or returned; errors leave
only as :mod:`monitor.errors` types (httpx exceptions are translated in one place,
:func:`_translate`), and each outcome is counted in :attr:`Fetcher.stats`.

The transport is injected: ``None`` is the network, a :class:`~monitor.fetch.replay.
ReplayTransport` replays an archive (then nothing is spaced or retried: there is no server
to be polite to, and the archive answers the same way every time), and tests may pass
``httpx.MockTransport``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

import httpx

from monitor.config import Defaults
from monitor.errors import (
    AddressRefused,
    BodyTooLarge,
    FetchError,
    NotArchived,
    RobotsDisallowed,
)
from monitor.fetch import body as bodies
from monitor.fetch.addresses import AddressPolicy, Origin
from monitor.fetch.network import InternalAddress, Resolver, guarded_transport, system_resolver
from monitor.fetch.politeness import HostSlots, host_key
from monitor.fetch.retry import RetryPolicy, is_retryable, next_delay
from monitor.fetch.robots import (
    RobotsCache,
    RobotsPolicy,
    allow_all,
    policy_from_response,
    product_token,
    unavailable,
)
from monitor.fetch.warc import WarcRecorder, now_utc
from monitor.models import Response

log = logging.getLogger(__name__)
T = TypeVar("T")

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: robots.txt redirects followed (RFC 9309 §2.3.1.2 asks for at least five)
ROBOTS_MAX_REDIRECTS = 5
#: bodies this large are decoded and archived in a thread, off the event loop
OFF_LOOP_BYTES = 256 * 1024
#: one exchange (headers and whole body) may take at most this many read timeouts, so a
#: server trickling a byte every few seconds cannot hold a slot for ever
TOTAL_TIMEOUT_FACTOR = 4


@dataclass(frozen=True)
class _Hop:
    """One request/response exchange, recorded and with its body decoded."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes
    warc_path: str | None
    warc_offset: int | None

    @property
    def location(self) -> str | None:
        if self.status in REDIRECT_STATUSES:
            return self.headers.get("location") or None
        return None


#: the counts of the visit this task is fetching for (see ``Fetcher.counting``)
_VISIT: ContextVar[MutableMapping[str, int] | None] = ContextVar("fetch_visit", default=None)
#: how a fetcher counter is named in a visit's counts
VISIT_PREFIX = "fetch:"


class Fetcher:
    """Polite, recorded, retried HTTP GETs. Use as ``async with Fetcher(settings) as f``."""

    def __init__(
        self,
        settings: Defaults,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        recorder: WarcRecorder | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        now: Callable[[], datetime] = now_utc,
        private_origins: Iterable[Origin] = (),
        resolver: Resolver = system_resolver,
    ) -> None:
        """``transport=None`` is the network, through the SSRF guard: internal addresses
        are refused except on ``private_origins`` (``(host, port)`` pairs the operator
        trusted in sources.yaml). ``resolver`` is the guard's name resolution."""
        self.settings = settings
        self.stats: Counter[str] = Counter()
        self._recorder = recorder
        self._now = now
        self._rng = rng or random.Random()
        self._offline = bool(getattr(transport, "offline", False))
        self._agent = product_token(settings.user_agent)
        self._retry = RetryPolicy(max_retries=settings.max_retries)
        self._timeout = settings.timeout_seconds
        limits = httpx.Limits(
            max_connections=settings.concurrency * 2,
            max_keepalive_connections=settings.concurrency,
        )
        if transport is None:
            transport = guarded_transport(
                AddressPolicy.trusting(private_origins), limits, resolver=resolver
            )
        self._client = httpx.AsyncClient(
            transport=transport,
            headers={"User-Agent": settings.user_agent, "Accept": DEFAULT_ACCEPT},
            timeout=httpx.Timeout(settings.timeout_seconds),
            follow_redirects=False,
        )
        self._slots = HostSlots(
            delay=settings.per_host_delay_seconds,
            per_host=settings.per_host_concurrency,
            concurrency=settings.concurrency,
            clock=clock,
            sleep=sleep,
            rng=self._rng,
            enabled=not self._offline,
        )
        self._robots = RobotsCache(self._load_robots, clock=clock)

    @contextmanager
    def counting(self, counts: MutableMapping[str, int]) -> Iterator[None]:
        """Inside the block (and in tasks started from it), every counter this fetcher
        moves — retries by reason, robots outcomes, errors, 304s — is also added to
        ``counts`` under ``fetch:<counter>``: one visit's share of a fetcher that serves
        many visits at once."""
        token = _VISIT.set(counts)
        try:
            yield
        finally:
            _VISIT.reset(token)

    def _count(self, key: str) -> None:
        self.stats[key] += 1
        visit = _VISIT.get()
        if visit is not None:
            visit[VISIT_PREFIX + key] = visit.get(VISIT_PREFIX + key, 0) + 1

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def pace(self, url: str, seconds: float) -> None:
        """Keep at least ``seconds`` between requests to ``url``'s host, for services
        that publish their own rate limit (GDELT asks for one request every 5 s)."""
        self._slots.raise_delay(host_key(url), seconds)

    # ── the one public operation ────────────────────────────────────────────────────

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> Response:
        """GET ``url``: the final 2xx (or 304) response, recorded; else a FetchError."""
        # values go out as UTF-8 bytes: a validator a server once sent with non-ASCII in it
        # must come back as sent, not crash the request (httpx encodes str as ASCII)
        headers: dict[str, bytes] = {}
        if etag:
            headers["If-None-Match"] = etag.encode("utf-8")
        if last_modified:
            headers["If-Modified-Since"] = last_modified.encode("utf-8")
        if accept:
            headers["Accept"] = accept.encode("utf-8")
        try:
            _check_http_url(url, url)
            hop = await self._follow(
                url,
                headers,
                check_robots=self.settings.respect_robots,
                max_redirects=self.settings.max_redirects,
            )
            if hop.status == 304 and (etag or last_modified):
                self._count("not_modified")
                return self._response(url, hop, b"", not_modified=True)
            if not 200 <= hop.status < 300:
                raise FetchError(
                    hop.url,
                    f"the server answered HTTP {hop.status}",
                    reason="status",
                    status=hop.status,
                )
        except FetchError as exc:
            self._count(f"error:{exc.reason}")
            raise
        self._count("ok")
        return self._response(url, hop, hop.body)

    def _response(
        self, url: str, hop: _Hop, body: bytes, *, not_modified: bool = False
    ) -> Response:
        return Response(
            url=url,
            final_url=hop.url,
            status=hop.status,
            headers={k.lower(): v for k, v in hop.headers.items()},
            body=body,
            fetched_at=self._now(),
            sha256=hashlib.sha256(body).hexdigest(),
            warc_path=hop.warc_path,
            warc_offset=hop.warc_offset,
            not_modified=not_modified,
        )

    # ── redirects and robots ────────────────────────────────────────────────────────

    async def _follow(
        self, url: str, headers: dict[str, bytes], *, check_robots: bool, max_redirects: int
    ) -> _Hop:
        """Follow redirects by hand so every hop is checked, spaced and recorded."""
        chain = [url]
        seen = {_same(url)}
        current = url
        while True:
            if check_robots:
                await self._check_robots(current)
            hop = await self._exchange(current, headers)
            location = hop.location
            if location is None:
                return hop
            try:
                target = str(httpx.URL(current).join(location))
            except (httpx.InvalidURL, ValueError) as exc:
                raise FetchError(
                    url, f"redirect to an invalid URL {location!r}", reason="redirects"
                ) from exc
            _check_http_url(url, target, reason="redirects")
            if _same(target) in seen:
                raise FetchError(
                    url, "redirect loop: " + " → ".join([*chain, target]), reason="redirects"
                )
            if len(chain) > max_redirects:
                raise FetchError(url, f"more than {max_redirects} redirects", reason="redirects")
            self._count("redirect")
            chain.append(target)
            seen.add(_same(target))
            current = target

    async def _check_robots(self, url: str) -> None:
        try:
            policy = await self._robots.policy_for(url)
        except AddressRefused as exc:  # the hop's own host: name the hop, not robots.txt
            raise AddressRefused(url, exc.host, exc.address, exc.kind) from None
        if policy.kind == "unavailable":
            self._count("robots:unavailable")
            raise FetchError(
                url,
                f"{policy.detail}; not crawling this host for now",
                reason=policy.cause,
            )
        if not policy.allows(url, self._agent):
            self._count("robots:disallowed")
            raise RobotsDisallowed(url)
        delay = policy.crawl_delay(self._agent)
        if delay is not None:
            self._slots.raise_delay(host_key(url), delay)

    async def _load_robots(self, robots_url: str) -> RobotsPolicy:
        """Fetch robots.txt through the same machinery (spaced, retried, recorded)."""
        try:
            hop = await self._follow(
                robots_url, {}, check_robots=False, max_redirects=ROBOTS_MAX_REDIRECTS
            )
        except NotArchived:
            return allow_all("robots.txt is not in the archive being replayed")
        except AddressRefused as exc:
            if exc.host == httpx.URL(robots_url).host:
                raise  # the page is on the same refused host: say that, not "robots"
            return allow_all(f"robots.txt redirects to a refused address ({exc.kind})")
        except FetchError as exc:
            self._count(f"robots:error:{exc.reason}")
            if exc.reason in ("timeout", "connect"):  # the host itself is unreachable
                return unavailable(f"robots.txt could not be fetched ({exc.reason})", exc.reason)
            if exc.reason in ("protocol", "truncated"):
                return unavailable(f"robots.txt could not be fetched ({exc.reason})")
            # too large, undecodable, endless redirects: Google reads these as "no rules"
            log.warning("%s: %s; treating it as allowing all", robots_url, exc.message)
            return allow_all(f"robots.txt unusable ({exc.reason})")
        self._count("robots:fetched")
        return policy_from_response(hop.status, hop.body)

    # ── one hop, retried ────────────────────────────────────────────────────────────

    async def _exchange(self, url: str, headers: dict[str, bytes]) -> _Hop:
        key = host_key(url)
        attempt = 0
        while True:
            failure: FetchError | None = None
            hop: _Hop | None = None
            try:
                async with self._slots.slot(key):
                    hop = await self._send_once(url, headers)
                outcome: int | str = hop.status
            except FetchError as exc:
                if not is_retryable(exc.reason):
                    raise
                failure, outcome = exc, exc.reason
            if not is_retryable(outcome):
                assert hop is not None
                return hop
            retry_after = hop.headers.get("retry-after") if hop is not None else None
            delay = None
            if not self._offline:
                delay = next_delay(
                    outcome,
                    attempt,
                    retry_after,
                    policy=self._retry,
                    rng=self._rng,
                    now=self._now(),
                )
            if delay is None:
                if failure is not None:
                    raise failure
                assert hop is not None
                return hop  # get() turns the status into an error
            self._count(f"retry:{outcome}")
            log.info("%s: %s, retry %d in %.1f s", url, outcome, attempt + 1, delay)
            self._slots.defer(key, delay)
            attempt += 1

    async def _send_once(self, url: str, headers: dict[str, bytes]) -> _Hop:
        request = self._client.build_request(
            "GET", url, headers=[(name.encode("ascii"), value) for name, value in headers.items()]
        )
        limit = self.settings.max_body_bytes
        try:
            async with asyncio.timeout(self._timeout * TOTAL_TIMEOUT_FACTOR):
                response = await self._client.send(request, stream=True)
                try:
                    ip = _peer_ip(response)
                    raw = await bodies.read_raw(response, url, limit)
                finally:
                    await response.aclose()
        except TimeoutError as exc:
            raise FetchError(url, "the exchange took too long", reason="timeout") from exc
        except InternalAddress as exc:
            raise AddressRefused(url, exc.host, exc.address, exc.kind) from None
        except httpx.HTTPError as exc:
            raise _translate(url, exc) from exc
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"invalid URL ({exc})", reason="protocol") from exc
        failure, truncated = raw.error, raw.truncated
        replayed = response.extensions.get("warc_truncated")  # replaying a partial capture
        body = b""
        if failure is None and replayed:
            failure = _replayed_truncation(url, replayed, limit)
        if failure is None and not (
            response.status_code in REDIRECT_STATUSES and "location" in response.headers
        ):  # a redirect's body is never read; do not fail on its encoding
            try:
                body = await _off_loop(
                    len(raw.data), bodies.decode, response.headers, raw.data, url, limit
                )
            except FetchError as exc:
                failure = exc
                if exc.reason == "truncated":  # complete on the wire, cut inside the stream
                    truncated = "unspecified"
        # the record is fsync'ed: a disk under load can take tens of milliseconds, which
        # the event loop must not wait out (a thread does; the recorder holds a lock)
        archive = OFF_LOOP_BYTES if self._recorder is not None else len(raw.data)
        warc_path, warc_offset = await _off_loop(
            archive, self._record, request, response, raw.data, ip, truncated
        )
        if failure is not None:
            raise failure
        return _Hop(url, response.status_code, response.headers, body, warc_path, warc_offset)

    def _record(
        self,
        request: httpx.Request,
        response: httpx.Response,
        raw: bytes,
        ip: str | None,
        truncated: str | None,
    ) -> tuple[str | None, int | None]:
        if self._recorder is not None:
            try:
                return self._recorder.record(
                    request,
                    response,
                    raw,
                    truncated=truncated,
                    ip=ip,
                    fetched_at=self._now(),
                )
            except OSError as exc:  # disk full, permissions: never hand out an unarchived page
                raise FetchError(
                    str(request.url), f"could not write the WARC record ({exc})", reason="archive"
                ) from exc
        path = response.extensions.get("warc_path")
        offset = response.extensions.get("warc_offset")
        return (
            str(path) if path is not None else None,
            int(offset) if offset is not None else None,
        )


async def _off_loop(size: int, work: Callable[..., T], *args: Any) -> T:
    """``work(*args)``, in a thread when ``size`` bytes make it slow: inflating a body and
    gzip-compressing and fsyncing its WARC record cost ~50 ms per megabyte, and on the
    event loop that time would be taken from every other host's requests."""
    if size < OFF_LOOP_BYTES:
        return work(*args)
    return await asyncio.to_thread(work, *args)


def _replayed_truncation(url: str, truncated: str, limit: int) -> FetchError:
    """The failure a capture marked ``WARC-Truncated`` stands for, as when it was fetched."""
    if truncated == "length":
        return BodyTooLarge(url, limit)
    return FetchError(url, f"the archived body is incomplete ({truncated})", reason="truncated")


def _translate(url: str, exc: httpx.HTTPError) -> FetchError:
    """The one place an httpx exception becomes a monitor error."""
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(url, f"timed out ({type(exc).__name__})", reason="timeout")
    if isinstance(exc, httpx.NetworkError):
        return FetchError(
            url, f"could not connect or the connection failed ({exc})", reason="connect"
        )
    if isinstance(exc, httpx.DecodingError):
        return FetchError(url, f"the body could not be decoded ({exc})", reason="decode")
    return FetchError(url, f"HTTP protocol error ({type(exc).__name__}: {exc})", reason="protocol")


def _check_http_url(url: str, target: str, *, reason: str = "protocol") -> None:
    try:
        parsed = httpx.URL(target)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError(url, f"invalid URL {target!r} ({exc})", reason=reason) from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise FetchError(url, f"not an http(s) URL: {target!r}", reason=reason)


def _same(url: str) -> str:
    """Redirect-loop identity: the URL without its fragment."""
    return str(httpx.URL(url).copy_with(fragment=None))


def _peer_ip(response: httpx.Response) -> str | None:
    """The server's IP address (for WARC-IP-Address), when the transport tells it."""
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    try:
        address = stream.get_extra_info("server_addr")
    except Exception:  # an optional nicety; transports differ
        return None
    return str(address[0]) if address else None
