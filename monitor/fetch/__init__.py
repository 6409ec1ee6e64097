"""The fetch stage: the only code that talks HTTP.

    client.py      Fetcher — GET with redirects, robots.txt, retries, politeness, WARC
    content.py     is a response an article page at all (declared type, sniffed HTML)
    network.py     the one place that connects: resolve, refuse internal addresses, connect
    addresses.py   which addresses are internal, and which origins a source trusted (pure)
    politeness.py  one slot per host: concurrency, spacing, jitter, back-off
    retry.py       the retry decision as a pure function (status/error, attempt, Retry-After)
    robots.py      robots.txt policies (protego) and their per-origin cache
    body.py        bounded body reading and Content-Encoding decoding
    warc.py        WarcRecorder — request + response records, one gzipped file per day
    replay.py      ReplayTransport — answer httpx requests from WARC files (offline runs)

Online::

    async with Fetcher(config.defaults, recorder=WarcRecorder(root / "warc")) as fetcher:
        response = await fetcher.get(url, etag=previous_etag)

Offline (replay): ``Fetcher(config.defaults, transport=ReplayTransport([root / "warc"]))``.
"""

from monitor.fetch.addresses import AddressPolicy, internal_kind, origin_of
from monitor.fetch.client import Fetcher
from monitor.fetch.content import check_page
from monitor.fetch.replay import ArchivedResponse, ReplayTransport, iter_archive, read_response
from monitor.fetch.warc import WarcRecorder, cut_torn_tails, files_before, now_utc

__all__ = [
    "AddressPolicy",
    "ArchivedResponse",
    "Fetcher",
    "ReplayTransport",
    "check_page",
    "WarcRecorder",
    "cut_torn_tails",
    "files_before",
    "internal_kind",
    "iter_archive",
    "now_utc",
    "origin_of",
    "read_response",
]
