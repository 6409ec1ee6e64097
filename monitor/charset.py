"""Bytes → text, the way browsers find a page's encoding: the one decoder of the monitor.

Discovery (feeds, sitemaps, listing pages) and extraction (article pages) both read
untrusted bytes whose declared encoding is often wrong, so both decode here (it is not a
stage: it is shared knowledge, like ``urls.py``).

Order of evidence, as the WHATWG encoding sniffing goes: a byte-order mark; the HTTP
``charset``; an in-document declaration (``<meta charset>`` / ``http-equiv`` for HTML, the
``<?xml encoding?>`` declaration for feeds and sitemaps, which outranks the header there);
then a UTF-8 check; then detection among the legacy encodings our outlets use
(windows-1251 for Russian and Ukrainian, GB18030 for Chinese, EUC-KR for Korean,
windows-1252 for the rest), keeping the decoding whose text looks like a real script.

Declarations lie more often than bytes do, and pages carry stray bytes. Three rules keep
either from turning a page into mojibake (and an on-topic article into an "off-topic" one):

* bytes that are UTF-8 with multi-byte sequences are read as UTF-8 even when a legacy
  encoding is declared — legacy-encoded text essentially never forms valid UTF-8
  sequences by accident, whereas a CMS that declares ``windows-1251`` over UTF-8 output is
  common;
* "UTF-8" tolerates a few broken bytes (at most one per twenty multi-byte characters, and
  never more than a page's worth of damage): they become U+FFFD and the rest of the page
  stays readable, instead of the whole page being re-read as a legacy code page;
* a declared legacy encoding must decode the bytes with at most a few errors and give
  believable text, or it is ignored.

A legacy guess happens only when the bytes are not mostly UTF-8.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass
from functools import cached_property

logger = logging.getLogger(__name__)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# WHATWG maps these labels to a superset; decoding with the superset never loses text.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "euc_kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "shift_jis": "cp932",
    "tis-620": "cp874",
}

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:\-]{2,40})""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([a-zA-Z0-9_.:\-]+)""")
_XML_DECLARATION = re.compile(
    rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']"""
)

# Encodings tried when nothing trustworthy is declared; on a tie the earlier wins (EUC-KR
# Hangul also decodes as common GB2312 characters, while Chinese read as EUC-KR mixes
# Hangul and Hanja inside words, so Korean must be tried first).
_FALLBACKS = ("cp949", "gb18030", "cp1251", "cp1252")


#: a declared legacy decoding may replace this share of the bytes (undefined code points)
_LEGACY_DAMAGE = 1 / 200
#: tolerant UTF-8: at most one broken byte per this many multi-byte characters…
_UTF8_EVIDENCE = 20
#: …and at most this share of the bytes: beyond it a page is not "mostly UTF-8"
_UTF8_DAMAGE = 1 / 100
_REPLACEMENT_BYTES = "\ufffd".encode()


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the Python codec name actually used
    source: str  # "bom", "http", "meta", "xml", "utf-8", "guess" or "str"
    replaced: int = 0  # bytes that could not be decoded and became U+FFFD


@dataclass(frozen=True)
class _Utf8:
    """The bytes read as UTF-8 with replacement, and how much evidence they hold."""

    text: str
    errors: int  # U+FFFD produced (not counting ones spelt out in the bytes)

    @cached_property
    def multibyte(self) -> int:
        """Well-formed non-ASCII characters: counted only when the decision needs them (a
        page with broken bytes, or one declaring a legacy encoding), since counting costs
        as much as decoding."""
        text = self.text
        non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
        return non_ascii - text.count("\ufffd")

    @property
    def mostly(self) -> bool:
        if self.errors == 0:
            return True
        return (
            self.errors * _UTF8_EVIDENCE <= self.multibyte
            and self.errors <= max(8, int((len(self.text) + 1) * _UTF8_DAMAGE))
        )


def decode_html(data: bytes | str, http_charset: str | None = None) -> Decoded:
    """Decode a page: BOM, HTTP charset, ``<meta>``, UTF-8, then a guess. Never raises."""
    if isinstance(data, str):
        return Decoded(data, "utf-8", "str")
    match = _META_CHARSET.search(data[:4096]) or _XML_ENCODING.search(data[:4096])
    meta = match.group(1).decode("ascii") if match else None
    return decode(data, [("http", http_charset), ("meta", meta)])


def decode_xml(data: bytes, http_charset: str | None = None) -> Decoded:
    """Decode a feed or sitemap: the XML declaration outranks the HTTP header (servers
    send a generic default far more often than a document declares the wrong codec)."""
    match = _XML_DECLARATION.match(data[:512])
    declared = match.group(1).decode("ascii") if match else None
    return decode(data, [("xml", declared), ("http", http_charset)])


def decode(data: bytes, declared: list[tuple[str, str | None]]) -> Decoded:
    """``data`` as text, given its declarations in order of authority (source, label)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            text = body.decode(name, errors="replace")
            return Decoded(text, name, "bom", _replacements(text, body))
    utf8 = _utf8(data)
    for source, label in declared:
        codec = _codec(label)
        if codec is None:
            continue
        if codec in ("utf-8", "utf-8-sig"):
            if utf8.mostly:
                return _as_utf8(utf8, source)
            continue  # declared UTF-8 but it is not: the heuristics decide
        if utf8.multibyte and utf8.mostly:
            logger.debug("declared %s over UTF-8 bytes: reading UTF-8", codec)
            return _as_utf8(utf8, "utf-8")
        legacy = _tolerant(data, codec)
        if legacy is not None and _plausible(legacy.text):
            return Decoded(legacy.text, codec, source, legacy.replaced)
    if utf8.mostly:
        return _as_utf8(utf8, "utf-8")
    return _guess(data)


def _as_utf8(utf8: _Utf8, source: str) -> Decoded:
    if utf8.errors:
        logger.debug("UTF-8 with %d broken bytes: they read as U+FFFD", utf8.errors)
    return Decoded(utf8.text, "utf-8", source, utf8.errors)


def _utf8(data: bytes) -> _Utf8:
    text = data.decode("utf-8", errors="replace")
    return _Utf8(text, _replacements(text, data))


def _replacements(text: str, data: bytes) -> int:
    """U+FFFD in ``text`` that decoding added (a page may spell some out itself). Looked
    for before it is counted: a search stops at the first, a count reads the whole page."""
    found = text.count("\ufffd") if "\ufffd" in text else 0
    return max(0, found - data.count(_REPLACEMENT_BYTES)) if found else 0


def _tolerant(data: bytes, codec: str) -> Decoded | None:
    """``data`` in a legacy ``codec``, a few undefined bytes replaced; None when the
    damage is too wide to be stray bytes (then the codec is simply wrong)."""
    try:
        text = data.decode(codec, errors="replace")
    except LookupError:
        return None
    replaced = _replacements(text, data)
    if replaced > max(8, int(len(data) * _LEGACY_DAMAGE)):
        return None
    return Decoded(text, codec, "guess", replaced)


def _codec(label: str | None) -> str | None:
    """A Python codec name for an encoding label, or None when it names no text codec."""
    if not label:
        return None
    try:
        info = codecs.lookup(label.strip().strip("\"'").lower())
    except (LookupError, ValueError):  # unknown, or not even a name (NUL bytes…)
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None  # base64, rot13…: cannot read a page
    name = info.name
    return _SUPERSETS.get(name, name)


def _guess(data: bytes) -> Decoded:
    """Try the legacy encodings and keep the decoding whose letters look like real text
    (a few undefined bytes cost a little, so a clean decoding wins a tie)."""
    best: tuple[float, Decoded] | None = None
    for codec in _FALLBACKS:
        decoded = _tolerant(data, codec)
        if decoded is None:
            continue
        score = _plausibility(decoded.text) - decoded.replaced / max(len(data), 1)
        if best is None or score > best[0]:
            best = (score, decoded)
    if best is None:
        text = data.decode("cp1252", errors="replace")
        return Decoded(text, "cp1252", "guess", _replacements(text, data))
    logger.debug("guessed encoding %s (plausibility %.2f)", best[1].encoding, best[0])
    return best[1]


def _plausible(text: str) -> bool:
    """False when a declared legacy decoding looks like mojibake of another script."""
    return _plausibility(text) >= 0.6


_WORD = re.compile(r"[^\W\d_]+")


def _plausibility(text: str) -> float:
    """A 0..1 score: the share of non-ASCII letters that sit in believable words.

    Mojibake has tell-tale shapes. Russian read as windows-1252 gives words made entirely
    of accented letters; French read as windows-1251 puts a Cyrillic letter inside a Latin
    word; Chinese read as windows-1251 mixes Cyrillic cases at random; bytes of another
    script read as GB18030 give rare characters outside GB2312 level 1.
    """
    good = total = upper = 0
    for match in _WORD.finditer(text, 0, 300_000):
        word = match.group()
        if word.isascii():
            continue
        total += len(word)
        good += _good_letters(word)
        upper += sum(1 for ch in word if ch.isupper())
        if total > 20_000:
            break
    if total == 0:
        return 1.0
    # Running text is mostly lower case: windows-1251 read as KOI8 is all capitals.
    shouting = 0.3 if upper > total / 2 and total > 20 else 1.0
    return shouting * good / total


def _good_letters(word: str) -> int:
    """How many letters of one non-ASCII word look like a real word of one script."""
    scripts = {_script(ch) for ch in word}
    if len(scripts) != 1:
        return 0
    script = scripts.pop()
    if script == "han":
        return sum(1 for ch in word if _is_common_han(ch))
    if script == "hangul":
        return sum(1 for ch in word if _is_common_hangul(ch))
    cased = word[1:].islower() or word.isupper() or len(word) == 1
    if script == "cyrillic":
        return len(word) if cased else 0
    if script == "latin":
        accented = sum(1 for ch in word if not ch.isascii())
        return len(word) if cased and accented * 2 <= len(word) else 0
    return 0


def _script(ch: str) -> str:
    o = ord(ch)
    if o < 0x250:
        return "latin"
    if 0x400 <= o <= 0x52F:
        return "cyrillic"
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
        return "han"
    if 0xAC00 <= o <= 0xD7A3:
        return "hangul"
    return "other"


def _is_common_han(ch: str) -> bool:
    try:
        lead = ch.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return 0xB0 <= lead <= 0xD7  # GB2312 level 1: the 3,755 most used characters


def _is_common_hangul(ch: str) -> bool:
    try:
        ch.encode("euc_kr")
    except UnicodeEncodeError:
        return False
    return True
