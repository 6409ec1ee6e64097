"""Cleaning what discovery endpoints say about a link: titles, summaries and the URL itself.

Feeds and listing pages are written by CMSs that put HTML in titles, escape entities twice,
wrap links in newlines and link to ``javascript:`` handlers. Everything a discoverer hands
on passes through these few pure functions, so the rules live in one place.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

TITLE_MAX_CHARS = 500
SUMMARY_MAX_CHARS = 1000

_WS = re.compile(r"\s+")
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
# Elements whose text is never prose a reader sees.
_BLOCK_TAG = re.compile(
    r"<(/?(?:p|div|br|li|ul|ol|dd|dt|h[1-6]|tr|td|th|table|blockquote|section|article|"
    r"header|footer|figure|figcaption|aside|nav|hr)\b)",
    re.I,
)
_INVISIBLE = ["script", "style", "noscript", "template", "iframe", "object", "svg"]
_ASSET_SUFFIXES = (
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".bmp", ".avif",
    ".css", ".js", ".mp3", ".mp4", ".m4a", ".webm", ".mov", ".zip", ".woff", ".woff2",
)  # fmt: skip


def collapse(text: str) -> str:
    """Collapse runs of whitespace (including no-break spaces) into one space, trimmed."""
    return _WS.sub(" ", text.replace("\xa0", " ")).strip()


def html_to_text(markup: str) -> str:
    """The visible text of an HTML fragment, entities unescaped, whitespace collapsed.

    Plain text passes through untouched apart from whitespace, so calling this on a title
    that happens to contain no markup is cheap and harmless.
    """
    if "<" not in markup and "&" not in markup:
        return collapse(markup)
    # A space where a block (or <br>) starts or ends, none between inline elements:
    # "<p>One</p><p>Two</p>" reads "One Two", but "Russia<b>n</b>" stays one word.
    tree = LexborHTMLParser(_BLOCK_TAG.sub(r" <\1", markup))
    tree.strip_tags(_INVISIBLE)
    root = tree.body or tree.root
    return collapse(root.text(separator="") if root is not None else "")


def trim(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters, at a word boundary, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def clean_title(raw: str | None, *, is_html: bool = True) -> str | None:
    """A one-line title, or None when there is nothing left of it."""
    if not raw:
        return None
    text = html_to_text(raw) if is_html else collapse(raw)
    return trim(text, TITLE_MAX_CHARS) or None


def clean_summary(raw: str | None) -> str | None:
    """Plain-text teaser of about a thousand characters, or None when empty."""
    if not raw:
        return None
    return trim(html_to_text(raw), SUMMARY_MAX_CHARS) or None


def clean_href(raw: str | None) -> str:
    """Strip what browsers strip from an href: tabs and newlines anywhere, and spaces and
    control characters at either end; inner spaces are percent-encoded."""
    if not raw:
        return ""
    href = _TAB_NEWLINE.sub("", raw).strip(" \x00\x0b\x0c\xa0")
    return href.replace(" ", "%20")


def absolute_url(href: str, base: str) -> str | None:
    """``href`` resolved against ``base``, as an ASCII URI without its fragment; None when
    it is not an http(s) page address (``javascript:``, ``mailto:``, a bare fragment, or
    something urljoin cannot read)."""
    if not href or href.startswith("#"):
        return None
    try:
        parts = urlsplit(urljoin(base, href))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        _ = parts.port  # raises on a malformed port
        netloc = parts.netloc
        if not netloc.isascii():
            netloc = netloc.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    # Feeds carry Chinese and Cyrillic slugs raw; percent-encode them (as a browser does)
    # so the same page reached from a feed and from a listing compares equal.
    path = quote(parts.path, safe=_PATH_SAFE) or "/"
    query = quote(parts.query, safe=_QUERY_SAFE)
    return urlunsplit((parts.scheme.lower(), netloc, path, query, ""))


_PATH_SAFE = "/:@!$&'()*+,;=%~-._"
_QUERY_SAFE = _PATH_SAFE + "?"


def is_asset(url: str) -> bool:
    """True for links to images, scripts, media and the like (never an article)."""
    return urlsplit(url).path.lower().endswith(_ASSET_SUFFIXES)


def is_home_page(url: str) -> bool:
    """True for a site's front page (``/``, or a language edition's ``/en/``): every
    listing links to it, but it is never a piece."""
    parts = urlsplit(url)
    return not parts.query and _HOME_PATH.fullmatch(parts.path) is not None


_HOME_PATH = re.compile(r"/?(?:[a-z]{2}(?:[-_][a-z]{2,4})?/?)?", re.I)


_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "or", "ne", "go", "mil"})


def site_of(host: str) -> str:
    """The registrable part of a host name, approximately (``user.guancha.cn`` →
    ``guancha.cn``, ``en.yna.co.kr`` → ``yna.co.kr``), without a public-suffix list:
    a listing's same-site rule only needs to tell an outlet's hosts from everyone else's."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])
