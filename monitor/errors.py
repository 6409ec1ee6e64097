"""One exception tree for the whole monitor.

    MonitorError                 anything the monitor itself raises on purpose
     ├── ConfigError             a config file is unreadable or invalid (file, line, field)
     ├── FetchError              an HTTP exchange failed; ``reason`` says how
     │    ├── RobotsDisallowed   robots.txt forbids the URL
     │    ├── BodyTooLarge       the body exceeded the configured limit
     │    ├── AddressRefused     the host resolves to an internal address (SSRF guard)
     │    └── NotArchived        replay mode: the URL is not in the WARC archive
     ├── DiscoverError           a feed / sitemap / listing could not be read
     ├── ExtractError            a page gave no article (not HTML, empty body…)
     │    └── PageTimeout        its work overran page_timeout_seconds
     ├── WorkerError             a worker process died before answering
     │    └── WorkerTimeout      a job overran its limit; its process was killed
     ├── StoreError              the database refused an operation
     └── ReportError             a digest could not be built or written

Every error carries a short machine ``reason`` (used as a counter key and in the per-source
status row) and a human message. Code never signals failure by returning ``None``.
Every error pickles whole (class, message, reason and fields): page work raises them in
worker processes and the parent reads them from there.
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error the monitor raises deliberately."""

    reason: str = "error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if reason is not None:
            self.reason = reason

    def __reduce__(self) -> tuple[object, ...]:
        # subclasses take other arguments than ``args`` holds: rebuild without __init__
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(cls: type[MonitorError], args: tuple[object, ...], state: dict) -> MonitorError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ConfigError(MonitorError):
    """A configuration file is wrong. The message is one paragraph a user can act on."""

    reason = "config"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        where = path or "<config>"
        if line is not None:
            where += f", line {line}"
        if field:
            where += f", field '{field}'"
        super().__init__(f"{where}: {message}")
        self.detail = message


class FetchError(MonitorError):
    """An HTTP exchange failed. ``reason`` is one of: timeout, connect, status, too_large,
    redirects, robots, robots_unavailable, not_archived, protocol, decode, truncated,
    internal_address, content_type."""

    reason = "fetch"

    def __init__(
        self, url: str, message: str, *, reason: str | None = None, status: int | None = None
    ) -> None:
        self.url = url
        self.status = status
        super().__init__(f"{url}: {message}", reason=reason)


class RobotsDisallowed(FetchError):
    reason = "robots"

    def __init__(self, url: str) -> None:
        super().__init__(url, "robots.txt disallows this URL for our user agent")


class BodyTooLarge(FetchError):
    reason = "too_large"

    def __init__(self, url: str, limit: int) -> None:
        self.limit = limit
        super().__init__(url, f"response body exceeds the {limit:,}-byte limit")


class AddressRefused(FetchError):
    """The URL's host resolves to an address the crawler must not reach (loopback,
    private, link-local, metadata…), on the first request or on a redirect hop."""

    reason = "internal_address"

    def __init__(self, url: str, host: str, address: str, kind: str) -> None:
        self.host = host
        self.address = address
        self.kind = kind
        super().__init__(
            url,
            f"refused: {host} resolves to {address}, a {kind} address (only a source's own "
            "hosts can be allowed, with allow_private_addresses: true in sources.yaml)",
        )


class NotArchived(FetchError):
    reason = "not_archived"

    def __init__(self, url: str) -> None:
        super().__init__(url, "not in the WARC archive being replayed")


class DiscoverError(MonitorError):
    reason = "discover"

    def __init__(self, url: str, message: str, *, reason: str | None = None) -> None:
        self.url = url
        super().__init__(f"{url}: {message}", reason=reason)


class ExtractError(MonitorError):
    reason = "extract"

    def __init__(self, url: str, message: str, *, reason: str | None = None) -> None:
        self.url = url
        super().__init__(f"{url}: {message}", reason=reason)


class PageTimeout(ExtractError):
    """The work on a page (extraction, relevance) overran ``page_timeout_seconds``: its
    worker process was killed so that the other hosts' pages go on."""

    reason = "page_timeout"

    def __init__(self, url: str, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            url,
            f"page work took over {seconds:g} s (page_timeout_seconds); its worker "
            "process was stopped and the page is not asked for again",
        )


class WorkerError(MonitorError):
    """Work handed to a worker process did not come back: the process died."""

    reason = "worker_died"


class WorkerTimeout(WorkerError):
    """A job ran past its limit; its process was killed and replaced."""

    reason = "worker_timeout"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"the job ran past its {seconds:g} s limit; its process was killed")


class StoreError(MonitorError):
    """The database refused an operation; ``reason`` is ``store``, or ``store_full`` when
    it has no room left (see ``STORE_FULL``)."""

    reason = "store"


#: the reason of a write the database refused for want of space (a full disk, or
#: SQLite's page limit): nothing is wrong with the data, the work waits for space
STORE_FULL = "store_full"


class ReportError(MonitorError):
    reason = "report"


def failure_reason(exc: BaseException) -> tuple[str, str]:
    """Turn any failure into ``(reason, message)`` for a per-source status row and counter.

    Unexpected exceptions are kept distinguishable (``bug:<Type>``) so a defect is never
    mistaken for a flaky site.
    """
    if isinstance(exc, MonitorError):
        return exc.reason, exc.message
    return f"bug:{type(exc).__name__}", f"{type(exc).__name__}: {exc}"
