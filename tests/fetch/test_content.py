"""A link that leads to a PDF, an image or a JSON API is refused as ``content_type``,
never read as an article; HTML under a wrong type is read only where a source opts in."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from monitor.errors import FetchError
from monitor.fetch import check_page
from monitor.fetch.content import clearly_html
from monitor.models import Response

PAGE = b"<!DOCTYPE html>\n<html><head><title>t</title></head><body><p>x</p></body></html>"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def response(body: bytes, content_type: str | None) -> Response:
    headers = {"content-type": content_type} if content_type is not None else {}
    return Response(
        url="https://news.example/a/1",
        final_url="https://news.example/a/1",
        status=200,
        headers=headers,
        body=body,
        fetched_at=datetime(2024, 11, 1, tzinfo=UTC),
        sha256=hashlib.sha256(body).hexdigest(),
    )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (PAGE, "text/html; charset=utf-8"),
        (PAGE, "application/xhtml+xml"),
        (PAGE, None),  # no type: sniffed, as browsers do
        (PAGE, "application/octet-stream"),
        (b"\xef\xbb\xbf  <!-- cms -->\n<html lang=ru><body>x</body></html>", ""),
    ],
)
def test_html_pages_are_read(body: bytes, content_type: str | None) -> None:
    check_page(response(body, content_type))


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (PDF, "application/pdf"),
        (PAGE, "application/pdf"),  # HTML under a wrong type: only with the opt-in
        (PNG, "image/png"),
        (b'{"items": []}', "application/json"),
        (PAGE, "text/plain"),
        (PDF, None),
        (PNG, "application/octet-stream"),
        (b"<rss version='2.0'></rss>", "application/octet-stream"),
    ],
)
def test_other_types_are_refused_with_a_typed_reason(body: bytes, content_type: str | None) -> None:
    with pytest.raises(FetchError) as caught:
        check_page(response(body, content_type))
    assert caught.value.reason == "content_type"
    assert "not a web page" in caught.value.message


def test_a_source_that_opts_in_reads_html_under_a_wrong_type_but_never_a_real_pdf() -> None:
    check_page(response(PAGE, "application/pdf"), read_mislabelled_html=True)
    check_page(response(PAGE, "text/plain"), read_mislabelled_html=True)
    with pytest.raises(FetchError):
        check_page(response(PDF, "application/pdf"), read_mislabelled_html=True)


@pytest.mark.parametrize(
    "body",
    [b"<HTML>", b"<!doctype html>", b"  <head>", b"<?xml version='1.0'?>\n<html xmlns='x'>"],
)
def test_clearly_html_recognises_document_starts(body: bytes) -> None:
    assert clearly_html(body)


@pytest.mark.parametrize("body", [b"", b"hello <html>", b"<htmlx>", PDF, b"<\x00h\x00t\x00"])
def test_clearly_html_is_strict(body: bytes) -> None:
    assert not clearly_html(body)
