"""Reading a response body under a hard size limit, in two steps.

1. :func:`read_raw` streams the bytes as they came off the wire (still gzip'ed if the
   server compressed them) and stops as soon as they exceed the limit: a 1 GB body costs
   us ``limit`` bytes of memory and the time to read them, and the connection is dropped.
   A failure mid-body is not raised at once but returned with the partial bytes, so the
   fetcher can still write what arrived to WARC (marked truncated) before it raises.
2. :func:`decode` undoes ``Content-Encoding`` (gzip, deflate, brotli) with an output
   limit, so a small "zip bomb" cannot expand into gigabytes, and checks that each
   compressed stream reached its end: a body cut short inside the stream (its
   Content-Length matched what was sent, so HTTP saw nothing wrong) is a ``truncated``
   failure, never a shorter article.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from types import ModuleType

import httpx

from monitor.errors import BodyTooLarge, FetchError

try:  # a dependency; httpx advertises "br" in Accept-Encoding only when it is installed
    import brotli as _brotli

    brotli: ModuleType | None = _brotli
except ImportError:  # pragma: no cover - then no server sends us brotli
    brotli = None

#: decoding input chunk; bounds the memory one chunk of a compressed body can expand to
_DECODE_CHUNK = 16 * 1024


@dataclass(frozen=True)
class RawBody:
    """The payload as received; when incomplete, why (a ``WARC-Truncated`` value) and the
    error the fetch must end with."""

    data: bytes
    truncated: str | None = None
    error: FetchError | None = None


def declared_length(headers: httpx.Headers) -> int | None:
    value = headers.get("content-length")
    if value is None:
        return None
    try:
        length = int(value.split(",")[0].strip())
    except ValueError:
        return None
    return length if length >= 0 else None


async def read_raw(response: httpx.Response, url: str, limit: int) -> RawBody:
    """Read ``response``'s raw body, at most ``limit`` bytes (plus one network chunk)."""
    declared = declared_length(response.headers)
    if declared is not None and declared > limit:  # refuse before reading a byte
        return RawBody(b"", "length", BodyTooLarge(url, limit))
    buffer = bytearray()
    try:
        async for chunk in response.aiter_raw():
            buffer += chunk
            if len(buffer) > limit:
                return RawBody(bytes(buffer), "length", BodyTooLarge(url, limit))
    except httpx.TimeoutException:
        error = FetchError(url, "timed out while reading the body", reason="timeout")
        return RawBody(bytes(buffer), "time", error)
    except httpx.RemoteProtocolError as exc:
        error = FetchError(
            url,
            f"the server broke off the body after {len(buffer):,} bytes ({exc})",
            reason="truncated",
        )
        return RawBody(bytes(buffer), "disconnect", error)
    except httpx.TransportError as exc:
        error = FetchError(
            url, f"the connection failed while reading the body ({exc})", reason="connect"
        )
        return RawBody(bytes(buffer), "disconnect", error)
    return RawBody(bytes(buffer))


def decode(headers: httpx.Headers, raw: bytes, url: str, limit: int) -> bytes:
    """``raw`` with its Content-Encoding undone (``gzip, br`` is undone right to left).

    Raises BodyTooLarge past ``limit`` decoded bytes, FetchError ``truncated`` when a
    compressed stream stops before its end (the server cut the body, whatever its
    Content-Length said), and ``decode`` when it is corrupt. Unknown codings pass through
    as httpx passes them (``Content-Encoding: utf-8`` is a common misconfiguration)."""
    codings = [c.strip().lower() for c in headers.get("content-encoding", "").split(",")]
    data = raw
    for coding in reversed([c for c in codings if c]):
        if not data:
            break  # an empty body under a Content-Encoding header is just empty
        if coding in ("gzip", "x-gzip"):
            data = _inflate(data, _GZIP, url, limit)
        elif coding == "deflate":
            try:  # RFC 9110 says zlib-wrapped; some servers send raw deflate
                data = _inflate(data, zlib.MAX_WBITS, url, limit)
            except _Corrupt:
                data = _inflate(data, -zlib.MAX_WBITS, url, limit)
        elif coding == "br" and brotli is not None:
            data = _unbrotli(data, url, limit)
    return data


_GZIP = 16 + zlib.MAX_WBITS
_GZIP_MAGIC = b"\x1f\x8b"


class _Corrupt(FetchError):
    def __init__(self, url: str, coding: str, detail: str) -> None:
        super().__init__(url, f"the {coding} body is corrupt ({detail})", reason="decode")


def _truncated(url: str, coding: str, size: int) -> FetchError:
    return FetchError(
        url,
        f"the {coding} body stops before its end ({size:,} bytes decoded): the server cut it",
        reason="truncated",
    )


def _inflate(data: bytes, wbits: int, url: str, limit: int) -> bytes:
    """gzip (every member) or deflate, never more than ``limit`` bytes of output."""
    coding = "gzip" if wbits == _GZIP else "deflate"
    out = bytearray()
    inflater = zlib.decompressobj(wbits)
    pending = data
    while True:
        try:
            out += inflater.decompress(pending, limit + 1 - len(out))
        except zlib.error as exc:
            raise _Corrupt(url, coding, str(exc)) from None
        if len(out) > limit:
            raise BodyTooLarge(url, limit)
        if inflater.eof:
            rest = inflater.unused_data
            if wbits == _GZIP and rest[:2] == _GZIP_MAGIC:  # another gzip member follows
                inflater, pending = zlib.decompressobj(wbits), rest
                continue
            return bytes(out)  # trailing junk after a complete stream is ignored
        pending = inflater.unconsumed_tail
        if not pending:
            raise _truncated(url, coding, len(out))


def _unbrotli(data: bytes, url: str, limit: int) -> bytes:
    out = bytearray()
    decompressor = brotli.Decompressor()
    try:
        for start in range(0, len(data), _DECODE_CHUNK):
            out += decompressor.process(
                data[start : start + _DECODE_CHUNK], output_buffer_limit=limit + 1 - len(out)
            )
            while len(out) <= limit and not decompressor.can_accept_more_data():
                out += decompressor.process(b"", output_buffer_limit=limit + 1 - len(out))
            if len(out) > limit:
                raise BodyTooLarge(url, limit)
    except brotli.error as exc:
        raise _Corrupt(url, "br", str(exc)) from None
    if not decompressor.is_finished():
        raise _truncated(url, "br", len(out))
    return bytes(out)
