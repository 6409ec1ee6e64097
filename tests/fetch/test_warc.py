"""The recorder: one gzipped WARC/1.1 file per UTC day and process, each starting with a
warcinfo record, every record on disk (and readable by warcio) as soon as it is written."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
from warcio.archiveiterator import ArchiveIterator

from monitor.fetch import WarcRecorder, iter_archive, read_response


def exchange(url: str, body: bytes, **headers: str) -> tuple[httpx.Request, httpx.Response, bytes]:
    request = httpx.Request("GET", url, headers={"User-Agent": "monitor/0.1"})
    response = httpx.Response(200, headers={"Content-Type": "text/html", **headers}, content=body)
    return request, response, body


def test_files_rotate_at_midnight_utc_and_each_starts_with_warcinfo(tmp_path: Path) -> None:
    moments = iter(
        [
            datetime(2024, 10, 23, 23, 59, 59, tzinfo=UTC),
            # 00:00:30 UTC next day, given in Moscow time: rotation follows UTC
            datetime(2024, 10, 24, 3, 0, 30, tzinfo=timezone(timedelta(hours=3))),
        ]
    )
    recorder = WarcRecorder(tmp_path, clock=lambda: next(moments))

    first, _ = recorder.record(*exchange("https://example.org/a", b"a"))
    second, _ = recorder.record(*exchange("https://example.org/b", b"b"))
    recorder.close()

    pid = os.getpid()
    host = socket.gethostname()
    assert Path(first).name == f"monitor-20241023-{host}-{pid}.warc.gz"
    assert Path(second).name == f"monitor-20241024-{host}-{pid}.warc.gz"
    for path in (first, second):
        with open(path, "rb") as handle:
            kinds = [r.rec_type for r in ArchiveIterator(handle)]
        assert kinds == ["warcinfo", "request", "response"]


def test_a_record_is_readable_at_its_offset_while_the_file_is_still_open(tmp_path: Path) -> None:
    recorder = WarcRecorder(tmp_path)
    path, offset = recorder.record(*exchange("https://example.org/a", b"<p>one</p>", ETag='"1"'))
    path2, offset2 = recorder.record(*exchange("https://example.org/b", b"<p>two</p>"))

    assert path == path2 and offset2 > offset
    archived = read_response(path, offset)
    assert (archived.url, archived.status, archived.body) == (
        "https://example.org/a",
        200,
        b"<p>one</p>",
    )
    assert archived.header("etag") == '"1"'
    assert read_response(path2, offset2).body == b"<p>two</p>"
    recorder.close()


def test_a_restarted_recorder_appends_to_the_days_file(tmp_path: Path) -> None:
    for n in range(2):
        recorder = WarcRecorder(tmp_path)
        recorder.record(*exchange(f"https://example.org/{n}", b"x"))
        recorder.close()
    assert [a.url for a in iter_archive([tmp_path])] == [
        "https://example.org/0",
        "https://example.org/1",
    ]


def test_non_ascii_header_values_are_stored_readably(tmp_path: Path) -> None:
    request = httpx.Request("GET", "https://example.org/short")
    response = httpx.Response(
        301, headers=[(b"Location", "/статья".encode()), (b"Content-Length", b"0")]
    )
    recorder = WarcRecorder(tmp_path)
    path, offset = recorder.record(request, response, b"")
    recorder.close()
    location = read_response(path, offset).header("location")
    assert location == "/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F"


def test_a_torn_last_record_is_cut_and_the_file_reads_to_its_end(tmp_path: Path) -> None:
    """A crash in the middle of writing a record (here: half of its bytes reached the
    disk) leaves a file warcio cannot read to its end; the next start cuts the torn part."""
    from monitor.fetch.warc import cut_torn_tails

    recorder = WarcRecorder(tmp_path)
    path, _ = recorder.record(*exchange("https://example.org/a", b"<p>one</p>"))
    recorder.record(*exchange("https://example.org/b", b"<p>two</p>"))
    recorder.close()
    whole = Path(path).read_bytes()
    torn = WarcRecorder(tmp_path / "scratch")
    scratch, _ = torn.record(*exchange("https://example.org/c", b"<p>three</p>" * 50))
    torn.close()
    tail = Path(scratch).read_bytes()
    Path(scratch).unlink()
    with open(path, "ab") as handle:
        handle.write(tail[len(tail) // 2 :][:300])  # the middle of a gzip member

    assert cut_torn_tails(tmp_path) == [Path(path)]
    assert Path(path).read_bytes() == whole
    with open(path, "rb") as handle:
        urls = [
            r.rec_headers.get_header("WARC-Target-URI")
            for r in ArchiveIterator(handle)
            if r.rec_type == "response"
        ]
    assert urls == ["https://example.org/a", "https://example.org/b"]
    assert cut_torn_tails(tmp_path) == []  # whole now


def test_the_file_a_running_recorder_writes_is_left_alone(tmp_path: Path) -> None:
    from monitor.fetch.warc import cut_torn_tails

    recorder = WarcRecorder(tmp_path)
    path, _ = recorder.record(*exchange("https://example.org/a", b"<p>one</p>"))
    with open(path, "ab") as handle:
        handle.write(b"\x1f\x8b\x08\x00half a member")  # as if a write were under way
    size = Path(path).stat().st_size
    assert cut_torn_tails(tmp_path) == []
    assert Path(path).stat().st_size == size
    recorder.close()
    assert cut_torn_tails(tmp_path) == [Path(path)]  # its writer gone, the tail is cut
