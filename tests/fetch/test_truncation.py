"""A body cut short is a typed ``truncated`` failure, retried once, never a shorter page.

The cut the issue found is the sly one: the server compresses the page, then sends only
part of the compressed stream with a Content-Length that matches what it sent. HTTP sees a
complete message; only the decompressor can tell the stream never reached its end. The
WARC record of such an exchange is marked ``WARC-Truncated`` so a replay fails the same way.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable
from pathlib import Path

import brotli
import pytest

from monitor.errors import BodyTooLarge, FetchError
from monitor.fetch import Fetcher, ReplayTransport, iter_archive

from .conftest import LoopbackServer, Reply

Make = Callable[..., Fetcher]
PAGE = (
    "<html><head><meta charset='utf-8'><title>Кимы и Курская область</title></head><body>"
    + "".join(
        f"<p>Абзац {n}: стороны обсуждали поставки и присутствие войск у Курска.</p>"
        for n in range(40)
    )
    + "</body></html>"
).encode()


def deflate(data: bytes, raw: bool = False) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "deflate": deflate,
    "br": brotli.compress,
}


@pytest.mark.parametrize("coding", sorted(COMPRESSORS))
async def test_a_complete_compressed_page_reads_whole(
    server: LoopbackServer, make_fetcher: Make, coding: str
) -> None:
    server.route("/p", Reply(200, COMPRESSORS[coding](PAGE), {"Content-Encoding": coding}))
    assert (await make_fetcher().get(server.url("/p"))).body == PAGE


@pytest.mark.parametrize("coding", sorted(COMPRESSORS))
async def test_a_compressed_stream_cut_short_is_truncated_retried_once_and_marked(
    server: LoopbackServer, make_fetcher: Make, warc_dir: Path, coding: str
) -> None:
    squeezed = COMPRESSORS[coding](PAGE)
    cut = squeezed[: len(squeezed) * 2 // 5]  # Content-Length says exactly this much
    server.route("/p", Reply(200, cut, {"Content-Encoding": coding}))
    fetcher = make_fetcher()

    with pytest.raises(FetchError) as caught:
        await fetcher.get(server.url("/p"))

    assert caught.value.reason == "truncated"
    assert "stops before its end" in caught.value.message
    assert server.hits["/p"] == 2
    assert fetcher.stats["retry:truncated"] == 1 and fetcher.stats["error:truncated"] == 1
    records = [a for a in iter_archive([warc_dir]) if a.url == server.url("/p")]
    assert [r.truncated for r in records] == ["unspecified", "unspecified"]
    assert all(r.body == cut for r in records)  # kept as sent, for the record


async def test_a_truncated_capture_replays_as_the_same_failure(
    server: LoopbackServer, make_fetcher: Make, warc_dir: Path
) -> None:
    squeezed = gzip.compress(PAGE)
    server.route("/p", Reply(200, squeezed[:-30], {"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError):
        await make_fetcher(max_retries=0).get(server.url("/p"))

    replay = make_fetcher(transport=ReplayTransport([warc_dir]))
    with pytest.raises(FetchError) as caught:
        await replay.get(server.url("/p"))
    assert caught.value.reason == "truncated"


async def test_a_page_that_recovers_on_the_retry_is_read_whole(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    squeezed = gzip.compress(PAGE)
    server.route(
        "/p",
        Reply(200, squeezed[:100], {"Content-Encoding": "gzip"}),
        Reply(200, squeezed, {"Content-Encoding": "gzip"}),
    )
    assert (await make_fetcher().get(server.url("/p"))).body == PAGE


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (gzip.compress(PAGE[:500]) + gzip.compress(PAGE[500:]), PAGE),  # two gzip members
        (gzip.compress(PAGE) + b"\r\n", PAGE),  # a stray newline after the stream
        (deflate(PAGE, raw=True), PAGE),  # raw deflate, as some servers send it
    ],
    ids=["members", "trailing-newline", "raw-deflate"],
)
async def test_compressed_bodies_servers_really_send_still_read(
    server: LoopbackServer, make_fetcher: Make, body: bytes, expected: bytes
) -> None:
    coding = "deflate" if body[:2] != b"\x1f\x8b" else "gzip"
    server.route("/p", Reply(200, body, {"Content-Encoding": coding}))
    assert (await make_fetcher().get(server.url("/p"))).body == expected


async def test_a_corrupt_gzip_body_is_a_decode_failure_not_retried(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    squeezed = bytearray(gzip.compress(PAGE))
    squeezed[30:40] = b"\xff" * 10
    server.route("/p", Reply(200, bytes(squeezed), {"Content-Encoding": "gzip"}))

    with pytest.raises(FetchError) as caught:
        await make_fetcher().get(server.url("/p"))
    assert caught.value.reason == "decode"
    assert server.hits["/p"] == 1


async def test_a_brotli_bomb_is_refused_at_the_limit(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    bomb = brotli.compress(b"\0" * 20_000_000)  # a few bytes on the wire
    server.route("/p", Reply(200, bomb, {"Content-Encoding": "br"}))
    with pytest.raises(BodyTooLarge):
        await make_fetcher(max_body_bytes=100_000).get(server.url("/p"))


async def test_an_empty_body_under_a_content_encoding_header_is_just_empty(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    server.route("/p", Reply(200, b"", {"Content-Encoding": "gzip"}))
    assert (await make_fetcher().get(server.url("/p"))).body == b""
