"""The bytes of a discovery response, made readable: gunzipped, capped and decoded.

Sitemaps come gzipped whatever the Content-Type says (``.xml.gz`` served as
``application/octet-stream``), so gzip is recognised by its magic bytes. Decompression is
capped, because a 1 MB gzip body can inflate to gigabytes.

Encodings lie too: a feed declared UTF-8 with one stray Latin-1 byte makes feedparser fall
back to a legacy codec for the *whole* document and turn every Cyrillic or Chinese title
into mojibake. So text is decoded here, with a rule that prefers what the bytes prove over
what the headers claim, and handed on as clean UTF-8.
"""

from __future__ import annotations

import codecs
import logging
import re
import zlib

from monitor.errors import DiscoverError
from monitor.models import Response

log = logging.getLogger(__name__)

# The sitemap protocol's own limit for one uncompressed file; no feed or listing is larger.
MAX_DECODED_BYTES = 50 * 1024 * 1024
# A stray byte or two in a big feed is damage to repair; thousands mean a wrong codec.
_REPAIRABLE_SHARE = 1 / 200

_GZIP_MAGIC = b"\x1f\x8b"
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_XML_DECL_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*)[\"'][^\"']*[\"']")
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
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


def decode(body: bytes, declared: list[str | None]) -> tuple[str | None, bool]:
    """Decode ``body``: a BOM wins, then valid UTF-8 (non-ASCII text that happens to be
    valid UTF-8 in another codec is vanishingly rare), then each ``declared`` charset in
    order; a UTF-8 document with a few broken bytes is repaired (they become U+FFFD).

    Returns ``(text, repaired)``; text is None when no declared codec fits and the damage
    is too wide to repair — the caller then lets its parser guess.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace"), False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    codecs_named = [c for c in (_codec(n) for n in declared if n) if c]
    for codec in codecs_named:
        if codec != "utf-8":
            try:
                return body.decode(codec), False
            except UnicodeDecodeError:
                continue
    if not codecs_named or "utf-8" in codecs_named:
        text = body.decode("utf-8", errors="replace")
        if text.count("\ufffd") <= max(8, int(len(body) * _REPAIRABLE_SHARE)):
            return text, True
    return None, False


def xml_to_utf8(body: bytes, header_charset: str | None) -> tuple[bytes, bool]:
    """An XML document re-encoded as UTF-8 with its declaration saying so.

    Returns ``(bytes, repaired)``; when the encoding cannot be settled the original bytes
    come back unchanged for feedparser's own detection.
    """
    match = _XML_DECL.match(body[:512])
    declared = match.group(1).decode("ascii") if match else None
    # The XML declaration is read first: a server's header is more often a generic default.
    text, repaired = decode(body, [declared, header_charset])
    if text is None:
        return body, False
    text = _XML_DECL_ENCODING.sub(r'\1"utf-8"', text.lstrip("\ufeff"), count=1)
    return text.encode("utf-8"), repaired


def html_text(body: bytes, header_charset: str | None) -> str:
    """An HTML page as text: header charset, then ``<meta charset>``, then UTF-8."""
    meta = _META_CHARSET.search(body[:4096])
    text, _ = decode(body, [header_charset, meta.group(1).decode("ascii") if meta else None])
    return text if text is not None else body.decode("cp1252", errors="replace")


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


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
