"""The demo archive is a sound WARC file that the builder reproduces exactly."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from monitor.demo_data import ARCHIVE

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo"
MANIFEST = DEMO / "manifest.json"
BUILDER = DEMO / "build_archive.py"


def test_every_record_parses_with_valid_digests_and_requests_pair_with_responses() -> None:
    kinds: Counter[str] = Counter()
    ids: set[str] = set()
    responses: dict[str, str] = {}
    concurrent: dict[str, str] = {}
    with ARCHIVE.open("rb") as fh:
        for rec in ArchiveIterator(fh, check_digests="raise"):
            kinds[rec.rec_type] += 1
            assert rec.rec_headers.protocol == "WARC/1.1"
            rid = rec.rec_headers.get_header("WARC-Record-ID")
            assert rid not in ids, f"record id {rid} used twice"
            ids.add(rid)
            url = rec.rec_headers.get_header("WARC-Target-URI")
            if rec.rec_type == "response":
                assert url not in responses, f"{url} recorded twice"
                responses[url] = rid
                headers = dict(rec.http_headers.headers)
                assert "Date" in headers and "Content-Type" in headers, url
                body = rec.content_stream().read()
                assert int(headers["Content-Length"]) == len(body), url
            elif rec.rec_type == "request":
                concurrent[url] = rec.rec_headers.get_header("WARC-Concurrent-To")
    assert kinds["warcinfo"] == 1
    assert kinds["request"] == kinds["response"] > 80
    assert concurrent == responses, "each request must point at the response for its URL"


def test_text_responses_declare_their_charset(captures) -> None:
    for cap in captures.values():
        ctype = cap.headers["content-type"].lower()
        assert "charset=" in ctype, f"{cap.url}: {ctype}"
        cap.text  # decodes with the declared charset  # noqa: B018


def test_rerunning_the_builder_reproduces_both_files_byte_for_byte(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(BUILDER), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / ARCHIVE.name).read_bytes() == ARCHIVE.read_bytes(), (
        "demo.warc.gz differs from a fresh build: run tests/fixtures/demo/build_archive.py "
        "and commit the result"
    )
    assert (tmp_path / MANIFEST.name).read_bytes() == MANIFEST.read_bytes()


def test_the_archive_stays_small_enough_to_ship() -> None:
    assert ARCHIVE.stat().st_size < 1_500_000
