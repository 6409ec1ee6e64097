"""The bytes of a discovery response, made readable: gunzipped, capped and decoded.

Sitemaps come gzipped whatever the Content-Type says (``.xml.gz`` served as
``application/octet-stream``), so gzip is recognised by its magic bytes. Decompression is
capped, because a 1 MB gzip body can inflate to gigabytes.

Encodings lie too: a feed declared UTF-8 with one stray Latin-1 byte makes feedparser fall
back to a legacy codec for the *whole* document and turn every Cyrillic or Chinese title
into mojibake. So text is decoded by the monitor's one decoder (:mod:`monitor.charset`,
which prefers what the bytes prove over what the headers claim) and handed on as clean
UTF-8.
"""

from __future__ import annotations

import logging
import re
import zlib

from monitor.charset import decode_html, decode_xml
from monitor.errors import DiscoverError
from monitor.models import Response

log = logging.getLogger(__name__)

# The sitemap protocol's own limit for one uncompressed file; no feed or listing is larger.
MAX_DECODED_BYTES = 50 * 1024 * 1024

_GZIP_MAGIC = b"\x1f\x8b"
_XML_DECL_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*)[\"'][^\"']*[\"']")
_LEADING_JUNK = re.compile(r"^(?:\s|<!--.*?-->|<\?xml[^>]*>)*", re.S)


def payload(body: bytes, url: str, *, limit: int = MAX_DECODED_BYTES) -> bytes:
    """``body`` gunzipped when it starts with the gzip magic bytes; refuses more than
    ``limit`` bytes either way (DiscoverError reason ``too_large`` / ``bad_gzip``)."""
    if body[:2] == _GZIP_MAGIC:
        body = _gunzip(body, url, limit)
    if len(body) > limit:
        raise DiscoverError(url, f"body exceeds {limit:,} bytes", reason="too_large")
    return body


def read_payload(response: Response, *, what: str, empty_reason: str) -> bytes:
    """The response's ``payload``; an empty body is refused (``empty_reason``), because
    "nothing" from an endpoint that should list pieces is a fault to report, not news."""
    data = payload(response.body, response.final_url)
    if not data.strip():
        raise DiscoverError(
            response.final_url, f"the body is empty, not a {what}", reason=empty_reason
        )
    return data


def _gunzip(data: bytes, url: str, limit: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise DiscoverError(url, f"gzip body is corrupt ({exc})", reason="bad_gzip") from None
    if len(out) > limit:
        raise DiscoverError(
            url, f"gzip body inflates past {limit:,} bytes", reason="too_large"
        ) from None
    if not inflater.eof:
        log.warning("%s: gzip body is truncated; reading the %d bytes it held", url, len(out))
    return out


def xml_to_utf8(body: bytes, header_charset: str | None) -> tuple[bytes, bool]:
    """An XML document re-encoded as UTF-8 with its declaration saying so; the flag says
    whether broken bytes were replaced (the one decoder, :mod:`monitor.charset`)."""
    decoded = decode_xml(body, header_charset)
    text = _XML_DECL_ENCODING.sub(r'\1"utf-8"', decoded.text.lstrip("\ufeff"), count=1)
    return text.encode("utf-8"), decoded.replaced > 0


def html_text(body: bytes, header_charset: str | None) -> str:
    """An HTML page as text, read as the extractor reads article pages."""
    return decode_html(body, header_charset).text


def looks_like_html(text_or_bytes: str | bytes) -> bool:
    """True when a body that should be a feed or sitemap is an HTML page (an error page,
    a consent wall, a captcha)."""
    head = text_or_bytes[:2048]
    if isinstance(head, bytes):
        head = head.decode("latin-1")
    head = _LEADING_JUNK.sub("", head.lstrip("\ufeff")).lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body"))


def looks_like_json(body: bytes, content_type: str) -> bool:
    """JSON by its Content-Type, or by its first character when servers say text/html."""
    if content_type.endswith("json") or "+json" in content_type:
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def valid_char_refs(data: bytes) -> bytes:
    """Numeric character references to characters XML forbids (``&#0;``, a lone surrogate
    ``&#xD800;``, beyond U+10FFFF) replaced by U+FFFD: left in, they crash parsers that
    later encode the text."""

    def fix(match: re.Match[bytes]) -> bytes:
        hex_digits, decimal = match.groups()
        code = int(hex_digits, 16) if hex_digits else int(decimal)
        allowed = code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF
        allowed = allowed or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF
        return match.group(0) if allowed else b"&#xFFFD;"

    return _CHAR_REF.sub(fix, data)
