"""Reading a response body under a hard size limit, in two steps.

1. :func:`read_raw` streams the bytes as they came off the wire (still gzip'ed if the
   server compressed them) and stops as soon as they exceed the limit: a 1 GB body costs
   us ``limit`` bytes of memory and the time to read them, and the connection is dropped.
   A failure mid-body is not raised at once but returned with the partial bytes, so the
   fetcher can still write what arrived to WARC (marked truncated) before it raises.
2. :func:`decode` undoes ``Content-Encoding`` with httpx's own decoders, chunk by chunk,
   and applies the same limit to the decoded size, so a small "zip bomb" cannot expand
   into gigabytes either.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from monitor.errors import BodyTooLarge, FetchError

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
            reason="protocol",
        )
        return RawBody(bytes(buffer), "disconnect", error)
    except httpx.TransportError as exc:
        error = FetchError(
            url, f"the connection failed while reading the body ({exc})", reason="connect"
        )
        return RawBody(bytes(buffer), "disconnect", error)
    return RawBody(bytes(buffer))


class _Chunks(httpx.SyncByteStream):
    def __init__(self, data: bytes) -> None:
        self._data = data

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self._data), _DECODE_CHUNK):
            yield self._data[start : start + _DECODE_CHUNK]


def decode(headers: httpx.Headers, raw: bytes, url: str, limit: int) -> bytes:
    """``raw`` with its Content-Encoding undone; raises BodyTooLarge past ``limit``."""
    if not headers.get("content-encoding"):
        return raw
    response = httpx.Response(200, headers=headers, stream=_Chunks(raw))
    out = bytearray()
    try:
        for piece in response.iter_bytes():
            out += piece
            if len(out) > limit:
                raise BodyTooLarge(url, limit)
    except httpx.DecodingError as exc:
        raise FetchError(url, f"the body could not be decoded ({exc})", reason="decode") from exc
    return bytes(out)
