"""Replaying WARC archives as an httpx transport, so the pipeline runs with no network.

:class:`ReplayTransport` indexes every ``response`` record of the given WARC files (or
directories of them) by URL and answers a request with the recorded status, headers and
payload. The httpx client above it then behaves exactly as online: it decodes gzip,
the fetcher follows recorded 3xx hops itself, and a URL the archive lacks raises
:class:`~monitor.errors.NotArchived`.

Which record answers a URL: the latest one, except that a *weak* record (a 304 Not
Modified, or a body marked ``WARC-Truncated``) never displaces a complete one — otherwise
the daemon's second, conditional visit would hide the page it archived on the first.

It reads WARC/1.0 and 1.1, gzipped or plain, as written by this package or by other tools
through warcio; a chunked payload stored with its framing is de-chunked here. A damaged
file is indexed up to the damage and logged, never fatal.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeadersParserException

from monitor.errors import FetchError, NotArchived

log = logging.getLogger(__name__)

_WARC_SUFFIXES = (".warc", ".warc.gz")


@dataclass(frozen=True)
class ArchivedResponse:
    """One response record as stored: payload de-chunked but still content-encoded."""

    url: str
    date: str  # WARC-Date as written
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    path: str
    offset: int
    truncated: str | None = None  # WARC-Truncated reason, if the body is partial

    @property
    def weak(self) -> bool:
        """A record that must not replace a complete capture of the same URL."""
        return self.status == 304 or self.truncated is not None

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None


def replay_key(url: str) -> str:
    """The lookup key of a URL: normalised as httpx sends it (host case, default port,
    percent-encoding, IDNA), fragment dropped. Raises ``httpx.InvalidURL`` on garbage."""
    parsed = httpx.URL(url.strip().strip("<>"))
    port = f":{parsed.port}" if parsed.port else ""
    path = parsed.raw_path.decode("ascii") or "/"
    return f"{parsed.scheme}://{parsed.raw_host.decode('ascii')}{port}{path}"


def warc_files(paths: Iterable[Path | str]) -> list[Path]:
    """The WARC files named, directories expanded (sorted, so older days come first)."""
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(_WARC_SUFFIXES))
            )
        elif path.is_file():
            found.append(path)
        else:
            raise FetchError(str(path), "no such WARC file or directory", reason="not_archived")
    return found


def iter_archive(paths: Iterable[Path | str]) -> Iterator[ArchivedResponse]:
    """Every response record in ``paths``, in file order (directories expanded)."""
    for path in warc_files(paths):
        yield from _iter_file(path)


def read_response(path: str | Path, offset: int) -> ArchivedResponse:
    """The response record at ``offset`` of ``path`` (an offset :func:`iter_archive` or the
    recorder reported)."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        iterator = ArchiveIterator(handle)
        try:
            record = next(iter(iterator))
        except (StopIteration, ArchiveLoadFailed, StatusAndHeadersParserException) as exc:
            raise FetchError(
                f"{path}@{offset}", f"no readable WARC record there ({exc})", reason="not_archived"
            ) from exc
        archived = _archived(record, str(path), offset)
    if archived is None:
        raise FetchError(f"{path}@{offset}", "not an HTTP response record", reason="not_archived")
    return archived


def _iter_file(path: Path) -> Iterator[ArchivedResponse]:
    with open(path, "rb") as handle:
        iterator = ArchiveIterator(handle)
        try:
            for record in iterator:
                if record.rec_type != "response":
                    continue
                archived = _archived(record, str(path), None, iterator)
                if archived is not None:
                    yield archived
        except (ArchiveLoadFailed, StatusAndHeadersParserException, ValueError, OSError) as exc:
            log.warning(
                "%s: unreadable beyond this point (%s); indexed what came before", path, exc
            )


def _archived(
    record: ArcWarcRecord,
    path: str,
    offset: int | None,
    iterator: ArchiveIterator | None = None,
) -> ArchivedResponse | None:
    """Read one record into an :class:`ArchivedResponse`; ``None`` if it is not usable."""
    if record.rec_type != "response" or not record.http_headers:
        return None
    raw = record.raw_stream.read()
    if offset is None and iterator is not None:
        offset = iterator.get_record_offset()  # valid once the record is read
    target = record.rec_headers.get_header("WARC-Target-URI") or ""
    http = record.http_headers
    try:
        status = int(http.get_statuscode())
    except (TypeError, ValueError):
        log.warning("%s@%s: response record without a status code; skipped", path, offset)
        return None
    headers = list(http.headers)
    if (http.get_header("Transfer-Encoding") or "").lower() == "chunked":
        raw = ChunkedDataReader(io.BytesIO(raw), raise_exceptions=False).read()
        headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
    reason = http.statusline.partition(" ")[2].strip()
    return ArchivedResponse(
        url=target.strip().strip("<>"),
        date=record.rec_headers.get_header("WARC-Date") or "",
        status=status,
        reason=reason,
        headers=tuple(headers),
        body=raw,
        path=path,
        offset=offset or 0,
        truncated=record.rec_headers.get_header("WARC-Truncated"),
    )


@dataclass(frozen=True)
class _Entry:
    path: str
    offset: int
    date: str
    weak: bool


class ReplayTransport(httpx.AsyncBaseTransport):
    """An httpx transport that answers from WARC files instead of the network."""

    #: tells the fetcher there is no server to be polite to and nothing to retry
    offline = True

    def __init__(self, paths: Sequence[Path]) -> None:
        self._index: dict[str, _Entry] = {}
        for archived in iter_archive(paths):
            try:
                key = replay_key(archived.url)
            except httpx.InvalidURL:
                log.warning(
                    "%s@%s: unusable target URI %r", archived.path, archived.offset, archived.url
                )
                continue
            entry = _Entry(archived.path, archived.offset, archived.date, archived.weak)
            if _replaces(entry, self._index.get(key)):
                self._index[key] = entry
        log.info("replay index: %d URLs", len(self._index))

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, url: object) -> bool:
        try:
            return isinstance(url, str) and replay_key(url) in self._index
        except httpx.InvalidURL:
            return False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        entry = self._index.get(replay_key(url))
        if entry is None:
            raise NotArchived(url)
        archived = read_response(entry.path, entry.offset)
        headers = [
            (k.encode("utf-8"), v.encode("utf-8"))
            for k, v in archived.headers
            if k.lower() != "transfer-encoding"
        ]
        extensions: dict[str, object] = {
            "http_version": b"HTTP/1.1",
            "reason_phrase": archived.reason.encode("utf-8", errors="replace"),
            "warc_path": archived.path,
            "warc_offset": archived.offset,
        }
        if archived.truncated:
            extensions["warc_truncated"] = archived.truncated
        return httpx.Response(
            archived.status,
            headers=headers,
            stream=httpx.ByteStream(archived.body),
            request=request,
            extensions=extensions,
        )


def _replaces(new: _Entry, old: _Entry | None) -> bool:
    """Latest wins, but a weak record (304, truncated) never displaces a complete one.
    Ties go to the later record."""
    if old is None:
        return True
    if new.weak and not old.weak:
        return False
    if old.weak and not new.weak:
        return True
    return _sortable(new.date) >= _sortable(old.date)


def _sortable(warc_date: str) -> str:
    """WARC-Date with its fraction padded to microseconds, so text order is time order
    across WARC/1.0 (seconds) and WARC/1.1 (microseconds) files."""
    stamp = warc_date.strip().rstrip("Z")
    whole, _, fraction = stamp.partition(".")
    return f"{whole}.{fraction:0<6}"
