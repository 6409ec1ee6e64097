"""Bytes → text: find the encoding a page is really in.

Order of evidence: a byte-order mark; the HTTP ``charset``; a ``<meta charset>`` or
``http-equiv`` declaration; UTF-8 if the bytes decode as UTF-8; then heuristics that try
the legacy encodings our outlets use (windows-1251 for Russian and Ukrainian, GB18030 for
Chinese, EUC-KR for Korean, windows-1252 for the rest) and keep the decoding whose text
looks like a real script.

Declarations lie more often than bytes do. Two rules keep a wrong declaration from turning
a page into mojibake:

* a declared encoding must decode the bytes without errors, or it is ignored;
* bytes that are valid UTF-8 *and* contain multi-byte sequences are read as UTF-8 even when
  a single-byte or GB encoding is declared: legacy-encoded text essentially never forms
  valid UTF-8 sequences by accident, whereas a CMS that declares ``windows-1251`` over
  UTF-8 output is common.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

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

# Encodings tried when nothing trustworthy is declared; on a tie the earlier wins (EUC-KR
# Hangul also decodes as common GB2312 characters, while Chinese read as EUC-KR mixes
# Hangul and Hanja inside words, so Korean must be tried first).
_FALLBACKS = ("cp949", "gb18030", "cp1251", "cp1252")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the Python codec name actually used
    source: str  # "bom", "http", "meta", "utf-8", "guess" or "str"


def decode_html(data: bytes | str, http_charset: str | None = None) -> Decoded:
    """Decode a page. Never raises: the last resort decodes windows-1252 with replacement."""
    if isinstance(data, str):
        return Decoded(data, "utf-8", "str")
    for bom, name in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom) :].decode(name, errors="replace"), name, "bom")

    head = data[:4096]
    declared = [("http", _codec(http_charset))]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    declared.append(("meta", _codec(match.group(1).decode("ascii")) if match else None))

    utf8 = _strict(data, "utf-8")
    has_multibyte = utf8 is not None and not data.isascii()
    for source, codec in declared:
        if codec is None:
            continue
        if codec in ("utf-8", "utf-8-sig"):
            if utf8 is not None:
                return Decoded(utf8, "utf-8", source)
            continue  # declared UTF-8 but it is not: the heuristics decide
        if has_multibyte:
            logger.debug("declared %s over valid UTF-8 bytes: reading UTF-8", codec)
            return Decoded(utf8 or "", "utf-8", "utf-8")
        text = _strict(data, codec)
        if text is not None and _plausible(text):
            return Decoded(text, codec, source)
    if utf8 is not None:
        return Decoded(utf8, "utf-8", "utf-8")
    return _guess(data)


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


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _guess(data: bytes) -> Decoded:
    """Try the legacy encodings and keep the decoding whose letters look like real text."""
    best: tuple[float, str, str] | None = None
    for codec in _FALLBACKS:
        text = _strict(data, codec)
        if text is None:
            continue
        score = _plausibility(text)
        if best is None or score > best[0]:
            best = (score, codec, text)
    if best is None:
        return Decoded(data.decode("cp1252", errors="replace"), "cp1252", "guess")
    logger.debug("guessed encoding %s (plausibility %.2f)", best[1], best[0])
    return Decoded(best[2], best[1], "guess")


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
