"""Recording every HTTP exchange to WARC before anyone parses it.

One gzipped WARC/1.1 file per UTC day and process (``monitor-20241023-<host>-<pid>.warc.gz``;
the host name keeps apart daemons in containers, where every one may be pid 1), so
several daemons sharing a disk never write into the same file, and a day's crawl can be
archived or replayed as a unit. Each exchange becomes a ``request`` record and a
``response`` record (linked by ``WARC-Concurrent-To``); each record is its own gzip
member, so the files can be appended to, read by any WARC tool, and entered at the offset
we return.

The response payload is stored as it came off the wire *after* HTTP/1.1 de-chunking
(httpx does not expose the chunk framing), so ``Transfer-Encoding`` is dropped from the
stored headers; ``Content-Encoding`` (gzip…) and its compressed bytes are kept as sent,
and the payload digest is computed over them. A body we stopped reading (too large, peer
hung up, timed out) is still stored, marked ``WARC-Truncated`` as the standard provides.

Every record is flushed and fsync'ed before :meth:`WarcRecorder.record` returns: the
fetcher returns a response only after that, so a crash loses nothing it handed out. A
crash *while* writing leaves a torn last gzip member; :func:`cut_torn_tails`, run before a
new recorder starts, cuts it off every file no live recorder holds (a recorder holds an
``flock`` on its open file), so every file reads to its end again.
"""

from __future__ import annotations

import fcntl
import io
import json
import logging
import os
import re
import socket
import threading
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

import httpx
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

log = logging.getLogger(__name__)

#: this machine (or container) in file names: letters, digits, dot, underscore, dash only
_HOST = re.sub(r"[^A-Za-z0-9_.-]", "_", socket.gethostname())[:64] or "host"

SOFTWARE = "monitor/0.1 (httpx, warcio)"
#: headers that describe the transfer, not the payload we store
_HOP_HEADERS = frozenset({"transfer-encoding"})


def now_utc() -> datetime:
    return datetime.now(UTC)


def warc_date(moment: datetime) -> str:
    """WARC/1.1 date: UTC with microseconds (``2024-10-23T08:15:02.123456Z``)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return str(datetime_to_iso_date(moment.astimezone(UTC).replace(tzinfo=None), True))


def header_text(value: bytes) -> str:
    """A raw header value as text: UTF-8 when it is (Location headers on many non-English
    sites are), else Latin-1 (what HTTP/1.1 bytes mean). warcio %-encodes non-ASCII."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def _pairs(
    raw: Iterable[tuple[bytes, bytes]], drop: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    return [
        (header_text(name), header_text(value))
        for name, value in raw
        if name.decode("latin-1").lower() not in drop
    ]


class WarcRecorder:
    """Appends request/response record pairs to today's WARC file in ``directory``."""

    def __init__(
        self,
        directory: Path,
        *,
        clock: Callable[[], datetime] = now_utc,
        prefix: str = "monitor",
        fsync: bool = True,
    ) -> None:
        self.directory = Path(directory)
        self._clock = clock
        self._prefix = prefix
        self._fsync = fsync
        self._lock = threading.Lock()  # one event loop is the norm; threads stay safe too
        self._day: date | None = None
        self._file: BinaryIO | None = None
        self._path: Path | None = None
        self._writer: WARCWriter | None = None

    @property
    def current_path(self) -> Path | None:
        """The file being written, if any record was written yet."""
        return self._path

    def record(
        self,
        request: httpx.Request,
        response: httpx.Response,
        body: bytes,
        *,
        truncated: str | None = None,
        ip: str | None = None,
        fetched_at: datetime | None = None,
    ) -> tuple[str, int]:
        """Write one exchange; return ``(path, offset)`` of its response record.

        ``body`` is the payload as received (still content-encoded); ``truncated`` is a
        ``WARC-Truncated`` reason (``length``, ``time``, ``disconnect``) when it is partial.
        """
        moment = fetched_at or self._clock()
        url = str(request.url)
        date_text = warc_date(moment)
        with self._lock:
            writer, handle, path = self._open_for(moment)
            response_record = self._response_record(writer, url, response, body, date_text)
            if truncated:
                response_record.rec_headers.add_header("WARC-Truncated", truncated)
            if ip:
                response_record.rec_headers.add_header("WARC-IP-Address", ip)
            request_record = self._request_record(writer, url, request, date_text)
            request_record.rec_headers.add_header(
                "WARC-Concurrent-To", response_record.rec_headers.get_header("WARC-Record-ID")
            )
            start = handle.tell()
            try:
                writer.write_record(request_record)
                offset = handle.tell()
                writer.write_record(response_record)
                handle.flush()
                if self._fsync:
                    os.fsync(handle.fileno())
            except OSError as exc:
                self._undo(path, start)
                raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        return str(path), offset

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
            self._file = self._writer = self._path = None
            self._day = None

    # ── internals ───────────────────────────────────────────────────────────────────

    def _undo(self, path: Path, start: int) -> None:
        """A write failed (disk full…): drop what reached the file of this exchange, so the
        file stays whole, and reopen it for the next record."""
        handle, self._file, self._writer, self._day = self._file, None, None, None
        if handle is not None:
            try:
                handle.close()  # may fail again flushing its buffer: it is dropped anyway
            except OSError:
                pass
        try:
            os.truncate(path, start)
        except OSError as exc:
            log.error("%s: could not cut a failed record (%s); cut at the next start", path, exc)

    def _open_for(self, moment: datetime) -> tuple[WARCWriter, BinaryIO, Path]:
        day = moment.astimezone(UTC).date()
        if self._file is None or self._writer is None or self._path is None or day != self._day:
            if self._file is not None:
                self._file.close()
            self.directory.mkdir(parents=True, exist_ok=True)
            name = f"{self._prefix}-{day:%Y%m%d}-{_HOST}-{os.getpid()}.warc.gz"
            self._path = self.directory / name
            self._file = open(self._path, "ab")  # noqa: SIM115 - kept open across records
            # held while open: cut_torn_tails leaves a file alone while its writer lives
            # (never waited for: another recorder of this process may hold the same file)
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pass
            self._writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
            self._day = day
            if self._file.tell() == 0:
                self._write_warcinfo(self._writer, name, moment)
            log.info("recording to %s", self._path)
        return self._writer, self._file, self._path

    def _write_warcinfo(self, writer: WARCWriter, name: str, moment: datetime) -> None:
        record = writer.create_warcinfo_record(
            name, {"software": SOFTWARE, "format": "WARC File Format 1.1"}
        )
        record.rec_headers.replace_header("WARC-Date", warc_date(moment))
        writer.write_record(record)

    @staticmethod
    def _response_record(
        writer: WARCWriter, url: str, response: httpx.Response, body: bytes, date_text: str
    ) -> ArcWarcRecord:
        status_line = f"{response.status_code} {response.reason_phrase}".strip()
        protocol = (
            response.http_version if response.http_version.startswith("HTTP/1") else "HTTP/1.1"
        )
        http_headers = StatusAndHeaders(
            status_line, _pairs(response.headers.raw, _HOP_HEADERS), protocol=protocol
        )
        return writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date_text},
        )

    @staticmethod
    def _request_record(
        writer: WARCWriter, url: str, request: httpx.Request, date_text: str
    ) -> ArcWarcRecord:
        target = request.url.raw_path.decode("ascii", errors="replace") or "/"
        http_headers = StatusAndHeaders(
            f"{request.method} {target} HTTP/1.1",
            _pairs(request.headers.raw),
            is_http_request=True,
        )
        return writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date_text},
        )


_DAY_FILE = re.compile(r"^(?P<prefix>.+?)-(?P<day>\d{8})-.+\.warc\.gz$")


def files_before(directory: Path, day: date, *, prefix: str = "monitor") -> list[Path]:
    """The recorder's day files in ``directory`` from before ``day``, oldest first.

    The day is read from the name (``monitor-20241023-<host>-<pid>.warc.gz``), not the file's
    mtime, which a copy or a restore moves; files of another name are never touched.
    """
    found = []
    for path in directory.glob(f"{prefix}-*.warc.gz") if directory.is_dir() else ():
        m = _DAY_FILE.match(path.name)
        if m and m.group("prefix") == prefix:
            try:
                file_day = datetime.strptime(m.group("day"), "%Y%m%d").date()
            except ValueError:
                continue
            if file_day < day:
                found.append((file_day, path.name, path))
    return [path for _, _, path in sorted(found)]


# ── after a crash ───────────────────────────────────────────────────────────────────

#: the files found whole, with their sizes, so a restart reads only what changed
_COMPLETE_INDEX = ".complete.json"


def cut_torn_tails(directory: Path) -> list[Path]:
    """Cut a torn last record (a crash mid-write) off every WARC file in ``directory``
    that no running recorder holds; returns the files that were cut.

    Each record is its own gzip member, so the file is whole up to the end of its last
    complete member. Files checked once are remembered with their size and not read again.
    """
    if not directory.is_dir():
        return []
    index_path = directory / _COMPLETE_INDEX
    try:
        known: dict[str, int] = json.loads(index_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    cut: list[Path] = []
    for path in sorted(directory.glob("*.warc.gz")):
        with open(path, "r+b") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live recorder is writing it
            size = os.fstat(handle.fileno()).st_size
            if known.get(path.name) == size:
                continue
            whole = _whole_length(handle)
            if whole < size:
                handle.truncate(whole)
                handle.flush()
                os.fsync(handle.fileno())
                log.warning(
                    "%s: cut a torn last record (%d bytes) left by a crash", path, size - whole
                )
                cut.append(path)
            known[path.name] = whole
    tmp = index_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(known), encoding="utf-8")
    tmp.replace(index_path)
    return cut


def _whole_length(handle: BinaryIO, chunk: int = 1 << 20) -> int:
    """Bytes from the start up to the end of the last complete gzip member."""
    handle.seek(0)
    whole = position = 0
    inflater = zlib.decompressobj(wbits=31)
    while True:
        data = handle.read(chunk)
        if not data:
            return whole
        while data:
            try:
                inflater.decompress(data)
            except zlib.error:
                return whole  # garbage after the last whole member
            if not inflater.eof:
                position += len(data)
                break
            used = len(data) - len(inflater.unused_data)
            position += used
            whole = position
            data = inflater.unused_data
            inflater = zlib.decompressobj(wbits=31)
