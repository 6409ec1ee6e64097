"""Fetching one page from a real server on loopback: what the pipeline gets back, what lands
in the WARC archive, and how each kind of bad server ends as one typed error."""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import os
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from monitor.errors import BodyTooLarge, FetchError
from monitor.fetch import Fetcher, iter_archive

from .conftest import FIXED_NOW, FakeTime, LoopbackServer, Reply

# our own sentences, in the shape of a news page
PAGE = (
    "<html><head><meta charset='utf-8'><title>Договор и его последствия</title></head>"
    "<body><article><h1>Договор и его последствия</h1>"
    "<p>Стороны подписали соглашение о всеобъемлющем стратегическом партнёрстве.</p>"
    "<p>Аналитики спорят, что оно значит для региона.</p></article></body></html>"
).encode()

Make = Callable[..., Fetcher]


def _record_at(path: str, offset: int):  # type: ignore[no-untyped-def]
    handle = open(path, "rb")  # noqa: SIM115 - the record streams from it
    handle.seek(offset)
    return next(iter(ArchiveIterator(handle))), handle


async def test_a_page_comes_back_with_its_headers_and_lands_in_warc_byte_for_byte(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    server.route(
        "/politics/treaty",
        Reply(200, PAGE, {"Content-Type": "text/html; charset=utf-8", "ETag": '"v1"'}),
    )
    fetcher = make_fetcher()

    response = await fetcher.get(server.url("/politics/treaty"))

    assert response.status == 200
    assert response.body == PAGE
    assert response.url == response.final_url == server.url("/politics/treaty")
    assert response.headers["etag"] == '"v1"'
    assert response.content_type == "text/html" and response.charset == "utf-8"
    assert response.sha256 == hashlib.sha256(PAGE).hexdigest()
    assert response.fetched_at == FIXED_NOW
    assert fetcher.stats["ok"] == 1
    name = f"monitor-20241023-{socket.gethostname()}-{os.getpid()}.warc.gz"
    assert Path(response.warc_path or "").name == name

    record, handle = _record_at(response.warc_path or "", response.warc_offset or 0)
    with handle:
        assert record.rec_type == "response"
        assert record.rec_headers["WARC-Target-URI"] == server.url("/politics/treaty")
        assert record.rec_headers["WARC-Date"] == "2024-10-23T08:15:02.123456Z"
        digest = base64.b32encode(hashlib.sha1(PAGE).digest()).decode()
        assert record.rec_headers["WARC-Payload-Digest"] == f"sha1:{digest}"
        assert record.http_headers.get_statuscode() == "200"
        assert record.content_stream().read() == PAGE


async def test_each_exchange_is_a_request_record_and_a_response_record(
    server: LoopbackServer, make_fetcher: Make, warc_dir: Path
) -> None:
    server.route("/a", Reply(200, PAGE))
    response = await make_fetcher().get(server.url("/a"))

    with open(response.warc_path or "", "rb") as handle:
        records = [
            (
                r.rec_type,
                r.rec_headers["WARC-Target-URI"],
                dict(r.rec_headers.headers),
                r.http_headers,
            )
            for r in ArchiveIterator(handle)
        ]
    kinds = [(kind, uri) for kind, uri, _, _ in records]
    assert kinds == [
        ("warcinfo", None),
        ("request", server.url("/robots.txt")),
        ("response", server.url("/robots.txt")),
        ("request", server.url("/a")),
        ("response", server.url("/a")),
    ]
    request_headers, response_headers = records[3][2], records[4][2]
    assert request_headers["WARC-Concurrent-To"] == response_headers["WARC-Record-ID"]
    request_line = records[3][3]
    assert f"{request_line.protocol} {request_line.statusline}" == "GET /a HTTP/1.1"
    assert records[3][3].get_header("User-Agent").startswith("monitor/")
    assert response_headers["WARC-IP-Address"] == "127.0.0.1"


async def test_a_kept_alive_connection_the_server_hung_up_is_not_used_again(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    """A server may close an idle connection at any moment without saying so beforehand.
    The next request to that host must go out on a fresh connection, not fail on the dead
    one: the pool asks each idle connection whether it has been closed (``is_readable``)."""
    hung_up = threading.Event()

    def answer_then_hang_up(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)  # no "Connection: close": the client keeps it alive
        handler.send_header("Content-Length", str(len(PAGE)))
        handler.end_headers()
        handler.wfile.write(PAGE)
        handler.wfile.flush()
        handler.connection.shutdown(socket.SHUT_RDWR)
        handler.close_connection = True
        hung_up.set()

    server.route("/a", answer_then_hang_up)
    server.route("/b", Reply(200, PAGE))
    fetcher = make_fetcher(max_retries=0)  # a request sent on the dead connection would fail
    assert (await fetcher.get(server.url("/a"))).body == PAGE
    assert await asyncio.to_thread(hung_up.wait, 10)  # on loopback its FIN is in by then
    response = await fetcher.get(server.url("/b"))
    assert response.body == PAGE
    assert fetcher.stats["error:connect"] == fetcher.stats["error:protocol"] == 0


async def test_the_user_agent_from_the_settings_is_sent(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    server.route("/a", Reply(200, PAGE))
    await make_fetcher(user_agent="monitor-test/9 (+mailto:desk@example.org)").get(server.url("/a"))
    assert all(
        h["user-agent"] == "monitor-test/9 (+mailto:desk@example.org)" for _, h in server.requests
    )


async def test_a_gzipped_page_is_returned_decoded_and_archived_as_sent(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    squeezed = gzip.compress(PAGE)
    server.route(
        "/z", Reply(200, squeezed, {"Content-Encoding": "gzip", "Content-Type": "text/html"})
    )

    response = await make_fetcher().get(server.url("/z"))

    assert response.body == PAGE
    record, handle = _record_at(response.warc_path or "", response.warc_offset or 0)
    with handle:
        assert record.http_headers.get_header("Content-Encoding") == "gzip"
        assert record.raw_stream.read() == squeezed


async def test_a_small_compressed_body_that_expands_past_the_limit_is_refused(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)  # ~5 KB on the wire
    server.route("/bomb", Reply(200, bomb, {"Content-Encoding": "gzip"}))

    with pytest.raises(BodyTooLarge) as caught:
        await make_fetcher(max_body_bytes=100_000).get(server.url("/bomb"))
    assert caught.value.reason == "too_large"


async def test_a_conditional_get_answered_304_is_not_modified_with_an_empty_body(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    def conditional(handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.send_response(304)
            handler.send_header("ETag", '"v1"')
            handler.end_headers()
        else:
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(PAGE)))
            handler.end_headers()
            handler.wfile.write(PAGE)

    server.route("/feed", conditional)
    fetcher = make_fetcher()

    response = await fetcher.get(
        server.url("/feed"), etag='"v1"', last_modified="Tue, 22 Oct 2024 10:00:00 GMT"
    )

    assert response.not_modified and response.status == 304 and response.body == b""
    sent = server.requests[-1][1]
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Tue, 22 Oct 2024 10:00:00 GMT"
    assert fetcher.stats["not_modified"] == 1
    fresh = await fetcher.get(server.url("/feed"), etag='"v0"')
    assert fresh.body == PAGE and not fresh.not_modified


async def test_an_accept_header_can_be_asked_for(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    server.route("/rss", Reply(200, b"<rss/>"))
    await make_fetcher().get(server.url("/rss"), accept="application/rss+xml")
    assert server.requests[-1][1]["accept"] == "application/rss+xml"


async def test_a_404_is_a_status_error_and_still_archived(
    server: LoopbackServer, make_fetcher: Make, warc_dir: Path
) -> None:
    server.route("/gone", Reply(404, b"no such article"))
    fetcher = make_fetcher()

    with pytest.raises(FetchError) as caught:
        await fetcher.get(server.url("/gone"))

    assert caught.value.reason == "status" and caught.value.status == 404
    assert server.hits["/gone"] == 1  # a 404 is not retried
    assert fetcher.stats["error:status"] == 1
    archived = {a.url: a for a in iter_archive([warc_dir])}
    assert archived[server.url("/gone")].status == 404
    assert archived[server.url("/gone")].body == b"no such article"


async def test_429_with_retry_after_waits_that_long_then_succeeds(
    server: LoopbackServer, make_fetcher: Make, fake_time: FakeTime
) -> None:
    server.route("/busy", Reply(429, b"slow down", {"Retry-After": "7"}), Reply(200, PAGE))
    fetcher = make_fetcher()

    response = await fetcher.get(server.url("/busy"))

    assert response.body == PAGE
    assert fake_time.sleeps == [7.0]
    assert server.hits["/busy"] == 2
    assert fetcher.stats["retry:429"] == 1 and fetcher.stats["ok"] == 1


async def test_a_retry_after_of_a_day_gives_up_at_once_instead_of_stalling(
    server: LoopbackServer, make_fetcher: Make, fake_time: FakeTime
) -> None:
    server.route("/later", Reply(503, b"maintenance", {"Retry-After": "86400"}))
    with pytest.raises(FetchError) as caught:
        await make_fetcher().get(server.url("/later"))
    assert caught.value.status == 503
    assert server.hits["/later"] == 1 and fake_time.sleeps == []


async def test_503_forever_gives_up_after_max_retries_with_growing_backoff(
    server: LoopbackServer, make_fetcher: Make, fake_time: FakeTime, warc_dir: Path
) -> None:
    server.route("/down", Reply(503, b"unavailable"))
    fetcher = make_fetcher(max_retries=3)

    with pytest.raises(FetchError) as caught:
        await fetcher.get(server.url("/down"))

    assert caught.value.reason == "status" and caught.value.status == 503
    assert server.hits["/down"] == 4
    assert fetcher.stats["retry:503"] == 3 and fetcher.stats["error:status"] == 1
    assert len(fake_time.sleeps) == 3
    assert fake_time.sleeps == sorted(fake_time.sleeps) and fake_time.sleeps[0] >= 1.0
    attempts = [a for a in iter_archive([warc_dir]) if a.url == server.url("/down")]
    assert [a.status for a in attempts] == [503] * 4


def _endless(handler: BaseHTTPRequestHandler, server: LoopbackServer, declare: bool) -> None:
    """Stream 50 MB of filler, chunked or with a Content-Length, until the client hangs up."""
    total = 50_000_000
    piece = b"x" * 65536
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    if declare:
        handler.send_header("Content-Length", str(total))
    else:
        handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    sent = 0
    try:
        while sent < total:
            if declare:
                handler.wfile.write(piece)
            else:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            sent += len(piece)
            server.bytes_sent[handler.path] = sent
    except OSError:  # the client hung up: that is the point
        handler.close_connection = True


@pytest.mark.parametrize("declare", [False, True], ids=["chunked", "content-length"])
async def test_a_50mb_body_is_cut_off_at_the_limit_and_the_next_request_still_works(
    server: LoopbackServer, make_fetcher: Make, warc_dir: Path, declare: bool
) -> None:
    server.route("/huge", lambda h: _endless(h, server, declare))
    server.route("/small", Reply(200, PAGE))
    fetcher = make_fetcher(max_body_bytes=100_000)

    with pytest.raises(BodyTooLarge) as caught:
        await fetcher.get(server.url("/huge"))

    assert caught.value.reason == "too_large" and fetcher.stats["error:too_large"] == 1
    assert (await fetcher.get(server.url("/small"))).body == PAGE
    assert server.bytes_sent["/huge"] < 50_000_000  # we hung up; it did not all come
    huge = [a for a in iter_archive([warc_dir]) if a.url == server.url("/huge")]
    assert [a.truncated for a in huge] == ["length"]
    assert len(huge[0].body) <= 100_000 + 65536 + 16


async def test_a_body_cut_short_by_the_server_is_truncated_retried_once_and_archived_so(
    server: LoopbackServer, make_fetcher: Make, warc_dir: Path
) -> None:
    def short(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(PAGE[:100])
        handler.close_connection = True

    server.route("/short", short)
    fetcher = make_fetcher()

    with pytest.raises(FetchError) as caught:
        await fetcher.get(server.url("/short"))

    assert caught.value.reason == "truncated"
    assert server.hits["/short"] == 2  # retried once: a dropped connection may be a blip
    short_records = [a for a in iter_archive([warc_dir]) if a.url == server.url("/short")]
    assert [(a.truncated, a.body) for a in short_records] == [("disconnect", PAGE[:100])] * 2


async def test_a_server_that_never_answers_times_out_after_retries(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    def stall(handler: BaseHTTPRequestHandler) -> None:
        server.release.wait(10)  # until teardown; the client gives up long before
        handler.close_connection = True

    server.route("/slow", stall)
    fetcher = make_fetcher(timeout_seconds=0.2, max_retries=1, respect_robots=False)

    with pytest.raises(FetchError) as caught:
        await fetcher.get(server.url("/slow"))

    assert caught.value.reason == "timeout"
    assert fetcher.stats["retry:timeout"] == 1 and fetcher.stats["error:timeout"] == 1
    assert server.hits["/slow"] == 2


async def test_a_refused_connection_is_a_connect_error(make_fetcher: Make) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fetcher = make_fetcher(max_retries=1, respect_robots=False)

    with pytest.raises(FetchError) as caught:
        await fetcher.get(f"http://127.0.0.1:{port}/x")

    assert caught.value.reason == "connect"
    assert fetcher.stats["retry:connect"] == 1


@pytest.mark.parametrize("url", ["ftp://example.org/file", "not a url", "http://"])
async def test_a_url_that_is_not_http_is_refused_without_a_request(
    make_fetcher: Make, url: str
) -> None:
    with pytest.raises(FetchError) as caught:
        await make_fetcher().get(url)
    assert caught.value.reason == "protocol"


async def test_a_validator_with_non_ascii_bytes_goes_back_as_the_server_sent_it(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    server.route("/feed", Reply(304, b""))
    response = await make_fetcher().get(server.url("/feed"), etag='W/"выпуск-7"')
    assert response.not_modified
    sent = server.requests[-1][1]["if-none-match"]
    assert sent.encode("latin-1").decode("utf-8") == 'W/"выпуск-7"'


async def test_a_page_that_cannot_be_archived_is_not_handed_out(
    server: LoopbackServer, make_fetcher: Make, warc_dir: Path
) -> None:
    server.route("/a", Reply(200, PAGE))
    warc_dir.parent.mkdir(parents=True, exist_ok=True)
    warc_dir.write_text("a file where the archive directory should be")

    with pytest.raises(FetchError) as caught:
        await make_fetcher(respect_robots=False).get(server.url("/a"))
    assert caught.value.reason == "archive"
