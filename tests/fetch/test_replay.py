"""Replay: the pipeline runs from WARC files with no network — our own archives and
those other tools wrote with warcio — and gets what the live fetch got."""

from __future__ import annotations

import gzip
import random
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from monitor.errors import BodyTooLarge, FetchError, NotArchived
from monitor.fetch import Fetcher, ReplayTransport, iter_archive

from .conftest import FIXED_NOW, FakeTime, LoopbackServer, Reply, settings

Make = Callable[..., Fetcher]
ARTICLE = (
    "<html><body><h1>Войска в Курской области</h1>"
    "<p>Корреспондент описывает, как меняется обстановка у границы.</p></body></html>"
).encode()


def replayer(paths: list[Path], fake_time: FakeTime, **overrides: object) -> Fetcher:
    return Fetcher(
        settings(**overrides),
        transport=ReplayTransport(paths),
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        rng=random.Random(1),
        now=lambda: FIXED_NOW,
    )


def write_response(
    writer: WARCWriter,
    url: str,
    status_line: str,
    headers: list[tuple[str, str]],
    payload: bytes,
    *,
    date: str | None = None,
    extra: dict[str, str] | None = None,
) -> None:
    http = StatusAndHeaders(status_line, headers, protocol="HTTP/1.1")
    warc_headers = dict(extra or {})
    if date:
        warc_headers["WARC-Date"] = date
    record = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(payload),
        length=len(payload),
        http_headers=http,
        warc_headers_dict=warc_headers,
    )
    writer.write_record(record)


async def test_a_recorded_crawl_replays_identically_with_the_server_gone(
    server: LoopbackServer, make_fetcher: Make, fake_time: FakeTime, warc_dir: Path
) -> None:
    server.route("/old-link", Reply(301, b"", {"Location": "/article"}))
    server.route(
        "/article",
        Reply(
            200, gzip.compress(ARTICLE), {"Content-Encoding": "gzip", "Content-Type": "text/html"}
        ),
    )
    live = await make_fetcher().get(server.url("/old-link"))
    server.stop()

    async with replayer([warc_dir], fake_time) as offline:
        again = await offline.get(server.url("/old-link"))

    assert (again.status, again.final_url, again.body) == (live.status, live.final_url, live.body)
    assert again.headers == live.headers
    assert (again.warc_path, again.warc_offset) == (live.warc_path, live.warc_offset)
    assert again.sha256 == live.sha256
    assert offline.stats["ok"] == 1 and fake_time.sleeps == []


async def test_a_url_not_in_the_archive_is_not_archived(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    path = tmp_path / "one.warc.gz"
    with open(path, "wb") as handle:
        write_response(WARCWriter(handle, gzip=True), "https://example.org/a", "200 OK", [], b"a")

    async with replayer([path], fake_time) as offline:
        with pytest.raises(NotArchived) as caught:
            await offline.get("https://example.org/b")
    assert caught.value.reason == "not_archived"
    assert offline.stats["error:not_archived"] == 1


async def test_a_warc_written_by_another_tool_replays_with_its_redirect(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    """WARC/1.0, not gzipped, a chunked and gzip-encoded payload stored with its framing,
    and a WARC/1.1 file whose target URIs are written in angle brackets."""
    squeezed = gzip.compress(ARTICLE)
    half = len(squeezed) // 2
    chunked = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (
        half,
        squeezed[:half],
        len(squeezed) - half,
        squeezed[half:],
    )
    plain = tmp_path / "other-tool.warc"
    with open(plain, "wb") as handle:
        writer = WARCWriter(handle, gzip=False, warc_version="1.0")
        write_response(
            writer,
            "https://news.example.org/kursk/",
            "200 OK",
            [
                ("Content-Type", "text/html"),
                ("Content-Encoding", "gzip"),
                ("Transfer-Encoding", "chunked"),
            ],
            chunked,
        )
    bracketed = tmp_path / "brackets.warc.gz"
    with open(bracketed, "wb") as handle:
        write_response(
            WARCWriter(handle, gzip=True, warc_version="1.1"),
            "<http://news.example.org/kursk>",
            "301 Moved Permanently",
            [("Location", "https://news.example.org/kursk/")],
            b"",
        )

    async with replayer([plain, bracketed], fake_time) as offline:
        response = await offline.get("http://news.example.org/kursk")

    assert response.final_url == "https://news.example.org/kursk/"
    assert response.body == ARTICLE
    assert "transfer-encoding" not in response.headers


async def test_the_latest_complete_capture_wins_and_a_304_never_hides_it(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    path = tmp_path / "visits.warc.gz"
    url = "https://example.org/feed"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True, warc_version="1.1")
        write_response(writer, url, "200 OK", [], b"first", date="2024-10-21T10:00:00Z")
        write_response(writer, url, "200 OK", [], b"second", date="2024-10-22T10:00:00.5Z")
        write_response(writer, url, "304 Not Modified", [], b"", date="2024-10-23T10:00:00Z")
        write_response(
            writer,
            url,
            "200 OK",
            [],
            b"cut",
            date="2024-10-24T10:00:00Z",
            extra={"WARC-Truncated": "length"},
        )
        write_response(writer, url, "200 OK", [], b"older", date="2024-10-20T10:00:00Z")

    async with replayer([path], fake_time) as offline:
        assert (await offline.get(url)).body == b"second"


async def test_a_replayed_503_is_an_error_at_once_without_retrying(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    path = tmp_path / "down.warc.gz"
    with open(path, "wb") as handle:
        write_response(
            WARCWriter(handle), "https://example.org/x", "503 Service Unavailable", [], b""
        )
    async with replayer([path], fake_time, max_retries=5) as offline:
        with pytest.raises(FetchError) as caught:
            await offline.get("https://example.org/x")
    assert caught.value.status == 503 and fake_time.sleeps == []


async def test_a_capture_that_was_too_large_replays_as_too_large(
    server: LoopbackServer, make_fetcher: Make, fake_time: FakeTime, warc_dir: Path
) -> None:
    server.route("/big", Reply(200, b"x" * 200_000))
    with pytest.raises(BodyTooLarge):
        await make_fetcher(max_body_bytes=100_000).get(server.url("/big"))
    async with replayer([warc_dir], fake_time, max_body_bytes=100_000) as offline:
        with pytest.raises(BodyTooLarge):
            await offline.get(server.url("/big"))


async def test_a_damaged_warc_is_indexed_up_to_the_damage(
    tmp_path: Path, fake_time: FakeTime
) -> None:
    path = tmp_path / "damaged.warc.gz"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        write_response(writer, "https://example.org/ok", "200 OK", [], b"fine")
        handle.write(gzip.compress(b"WARC/1.0\r\nthis is not a record\r\n\r\n")[:20])

    assert [a.url for a in iter_archive([path])] == ["https://example.org/ok"]
    async with replayer([path], fake_time) as offline:
        assert (await offline.get("https://example.org/ok")).body == b"fine"


def test_a_missing_archive_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError) as caught:
        ReplayTransport([tmp_path / "nowhere.warc.gz"])
    assert caught.value.reason == "not_archived"
