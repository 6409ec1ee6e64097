"""Taming untrusted text before it reaches a digest.

Titles, sentences, outlet names, labels and URLs all come from scraped pages. They are
cleaned once when the digest is built (control and bidi-override characters removed,
white space folded, length capped) so every renderer starts from the same tame strings,
and each renderer then escapes for its own syntax: Jinja2 autoescape for HTML,
``escape_markdown`` for Markdown, ``json`` for JSON, ElementTree for Atom.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

# Bidi embeddings/overrides/isolates can make a title display as something it is not.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_SPACE = re.compile(r"\s+")
_NEWLINES = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
# Characters with a meaning in Markdown inline text (and "\" itself). "(" / ")" only act
# after "]", "!" only before "[", so escaping the brackets disarms links and images.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#&{}])")
# A list marker ("- ", "+ ", "1. ", "1) ") or a setext underline ("==") opening the text.
_MD_LEADING = re.compile(r"^(\d{0,9})([-+=.)])(?=\s|$|=)")


def clean_text(value: str | None, *, limit: int = 400) -> str:
    """One line of displayable text: no control, surrogate, non-character or bidi-override
    code points (they break XML or spoof the display), white space folded, at most
    ``limit`` characters (an ellipsis marks a cut)."""
    if not value:
        return ""
    kept = []
    for ch in str(value).translate(_BIDI):
        if ch in "\t\n\r\f\v":
            kept.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cs", "Co") or ch in "\ufffe\uffff":
            continue
        else:
            kept.append(ch)
    text = _SPACE.sub(" ", "".join(kept)).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def safe_url(value: str | None) -> str | None:
    """The URL if it may become a link (absolute http/https, no white space or control
    characters), else ``None`` — a ``javascript:`` or ``data:`` URL is shown as text only."""
    if not value:
        return None
    url = value.strip()
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def lang_tag(value: str | None) -> str | None:
    """A BCP 47-shaped language tag for a ``lang`` attribute, or ``None`` if the stored
    language is missing or malformed."""
    if value and _LANG.fullmatch(value.strip()):
        return value.strip()
    return None


def human_title(title: str) -> str:
    """Position titles are slugs in positions.yaml ("troops-unconfirmed"); an analyst
    reads "troops unconfirmed"."""
    title = clean_text(title, limit=120)
    return title.replace("-", " ") if " " not in title else title


def escape_markdown(value: object, *, line_start: bool = False) -> str:
    """Backslash-escape Markdown inline specials so scraped text cannot become a link,
    an image, emphasis, raw HTML, a code span or a table cell boundary. Line breaks become
    spaces (a newline could end a table row or a quote); other white space is kept, as the
    templates' separators pass through here too. With ``line_start`` a leading list marker
    or setext underline ("- ", "1. ", "==") is escaped as well."""
    text = _MD_SPECIAL.sub(r"\\\1", _NEWLINES.sub(" ", str(value)))
    return _MD_LEADING.sub(r"\1\\\2", text) if line_start else text


def markdown_url(url: str) -> str:
    """Percent-encode what would end or break a Markdown link destination."""
    return quote(url, safe="/:?&=#%@!$'*+,;~-._")
