"""What a page says about itself: JSON-LD, OpenGraph, ``<meta>``, ``<time>``, scripts.

Every field is collected as raw candidates in order of trust; :mod:`monitor.extract.article`
picks and cleans them. Order of trust, per field:

* title: JSON-LD ``headline`` / ``name`` → ``og:title`` → ``twitter:title`` → ``<title>``
  (with the " – Site name" tail removed);
* authors: JSON-LD ``author`` (Person names; Organizations are outlets) → ``article:author``
  → ``meta[name=author|byl|dc.creator…]``;
* dates: JSON-LD ``datePublished`` → ``article:published_time`` → ``meta[name=pubdate|date|
  dc.date…]`` → ``itemprop=datePublished`` → ``<time datetime>`` in the article → a
  ``"pubDate"`` in a page script (Guancha) → a short element whose class says "date"
  (the last four in :func:`fallback_dates`);
* language hints: JSON-LD ``inLanguage`` → ``og:locale``; ``<html lang>`` apart, since
  templates set it site-wide.

JSON-LD is read inside arrays and ``@graph``; malformed blocks (trailing commas, raw line
breaks in strings, comments, two objects back to back) are repaired where possible and
otherwise mined for their key fields with a regular expression, so one broken script never
costs the page its metadata.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extract.dom import similarity

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
        "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "blogposting",
        "liveblogposting", "report", "scholarlyarticle", "socialmediaposting", "webpage",
    }
)  # fmt: skip
_META_TITLE = ("og:title", "twitter:title", "dc.title", "dcterms.title", "title")
_META_AUTHOR = (
    "article:author", "author", "byl", "dc.creator", "dcterms.creator", "sailthru.author",
    "parsely-author", "citation_author",
)  # fmt: skip
_META_DATE = (
    "article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
    "publish-date", "publish_date", "publication_date", "date", "dc.date", "dc.date.issued",
    "dcterms.created", "dcterms.issued", "dcterms.date", "sailthru.date", "parsely-pub-date",
    "article.published", "citation_publication_date", "citation_date",
)  # fmt: skip
_PUBDATE_IN_SCRIPT = re.compile(r"""["']?pubDate["']?\s*[:=]\s*["']([^"'<>]{8,40})["']""")
_SALVAGE = {
    "headline": re.compile(r'"headline"\s*:\s*"((?:[^"\\]|\\.)*)"'),
    "datePublished": re.compile(r'"datePublished"\s*:\s*"((?:[^"\\]|\\.)*)"'),
    "author": re.compile(r'"author"\s*:\s*\{[^{}]*?"name"\s*:\s*"((?:[^"\\]|\\.)*)"'),
}
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")
_HTML_COMMENT = re.compile(r"^<!--|-->$")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·»/\\]\s+")
_DATE_CLASS_SELECTOR = ", ".join(
    f'[{attr}*="{word}" i]'
    for attr in ("class", "id")
    for word in ("date", "time", "publish", "posted")
)
_ITEMPROP_DATES = "[itemprop=datePublished], [itemprop=dateCreated]"
_DATE_ELEMENTS = f"{_ITEMPROP_DATES}, time[datetime], time[pubdate]"  # either of both kinds
_NOT_THE_PIECES = re.compile(
    r"related|comment|sidebar|teaser|recommend|masthead|top-?bar|site-?header|navbar|ticker",
    re.IGNORECASE,
)
_DATE_SHAPE = re.compile(
    r"\d{1,2}[./]\d{1,2}[./]\d{4}|\d{4}[-/年]\d{1,2}|\d{1,2}\s+[^\W\d_]{3,}\.?,?\s+\d{4}|"
    r"[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s+\d{4}"
)


@dataclass
class PageMeta:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    language_hints: list[str] = field(default_factory=list)  # declared for this piece
    html_lang: str | None = None  # the template's <html lang>, often site-wide
    outlets: list[str] = field(default_factory=list)  # publisher / site names
    article_body: str | None = None  # JSON-LD articleBody, a last-resort text


def read_metadata(tree: LexborHTMLParser) -> PageMeta:
    meta = PageMeta()
    title_node = tree.css_first("title")
    title_tag = " ".join(title_node.text().split()) if title_node else ""
    # <meta> and JSON-LD in one query: each query is a walk of the whole page in Lexbor
    found = tree.css(_METADATA_SELECTOR)
    ld = _json_ld([n for n in found if n.tag == "script"], title_tag)
    metas = _meta_values([n for n in found if n.tag == "meta"])

    meta.title = (
        ld.get("title") or _first(metas, _META_TITLE) or _page_title(tree, title_tag, metas)
    )
    meta.authors = [*ld.get("authors", []), *_all(metas, _META_AUTHOR)]
    meta.dates = [*ld.get("dates", []), *_all(metas, _META_DATE)]
    root = tree.css_first("html")
    meta.language_hints = [
        *ld.get("languages", []),
        *_all(metas, ("og:locale", "content-language", "language", "dc.language")),
    ]
    if root is not None:
        meta.html_lang = root.attributes.get("lang") or root.attributes.get("xml:lang")
    meta.outlets = [*ld.get("outlets", []), *_all(metas, ("og:site_name", "application-name"))]
    meta.article_body = ld.get("body")
    return meta


# ── <meta> ──────────────────────────────────────────────────────────────────────────


_JSON_LD_SELECTOR = 'script[type*="ld+json" i], script#link-ld-json'
_METADATA_SELECTOR = f"meta, {_JSON_LD_SELECTOR}"


def _meta_values(nodes: list[LexborNode]) -> dict[str, list[str]]:
    """All ``<meta>`` contents by lower-cased name / property / itemprop / http-equiv."""
    out: dict[str, list[str]] = {}
    for node in nodes:
        attrs = node.attributes
        content = (attrs.get("content") or "").strip()
        if not content:
            continue
        for key in ("property", "name", "itemprop", "http-equiv"):
            name = attrs.get(key)
            if name:
                out.setdefault(name.strip().lower(), []).append(content)
    return out


def _first(metas: dict[str, list[str]], names: tuple[str, ...]) -> str | None:
    for name in names:
        if metas.get(name):
            return metas[name][0]
    return None


def _all(metas: dict[str, list[str]], names: tuple[str, ...]) -> list[str]:
    return [value for name in names for value in metas.get(name, [])]


def _page_title(tree: LexborHTMLParser, text: str, metas: dict[str, list[str]]) -> str | None:
    """``<title>`` without the site name ("Title | Site", "Title - Section - Site"): the
    first part that is not the site's name and is long enough to be a headline."""
    if not text:
        h1 = tree.css("h1")
        return " ".join(h1[0].text().split()) or None if len(h1) == 1 else None
    sites = {s.casefold() for s in _all(metas, ("og:site_name",))}
    parts = [p for p in _TITLE_SEPARATORS.split(text) if p.casefold() not in sites]
    if len(parts) > 1 or (parts and parts[0] != text):
        for part in (*parts, max(parts, key=len)):
            if len(part.split()) >= 3 or len(part) >= 12:
                return part
    return text


# ── JSON-LD ─────────────────────────────────────────────────────────────────────────


def _json_ld(scripts: list[LexborNode], title_tag: str) -> dict[str, Any]:
    """Title, authors, dates, languages, outlets and body from the page's JSON-LD
    ``scripts``."""
    out: dict[str, Any] = {"authors": [], "dates": [], "languages": [], "outlets": []}
    articles: list[dict[str, Any]] = []
    for script in scripts:
        raw = script.text()
        for obj in _load(raw):
            articles.extend(_article_objects(obj))
    articles.sort(key=_article_rank)
    for obj in articles:
        title = _headline(obj, title_tag)
        if title and "title" not in out:
            out["title"] = title
        out["authors"] += _people(obj.get("author")) + _people(obj.get("creator"))
        for key in ("datePublished", "dateCreated", "pubDate", "uploadDate"):
            value = _string(obj.get(key))
            if value:
                out["dates"].append(value)
        language = obj.get("inLanguage")
        if isinstance(language, dict):
            language = language.get("alternateName") or language.get("name")
        if _string(language):
            out["languages"].append(_string(language))
        publisher = obj.get("publisher")
        for item in publisher if isinstance(publisher, list) else [publisher]:
            if isinstance(item, dict) and _string(item.get("name")):
                out["outlets"].append(_string(item.get("name")))
        body = _string(obj.get("articleBody"))
        if body and "body" not in out:
            out["body"] = body
    return out


def _headline(obj: dict[str, Any], title_tag: str) -> str | None:
    """``headline``, or ``name`` when only ``name`` is what the page's ``<title>`` says
    (encyclopaedias put a description in ``headline``; news sites their name in ``name``)."""
    headline, name = _string(obj.get("headline")), _string(obj.get("name"))
    if headline and name and headline != name and title_tag:
        if similarity(title_tag, headline) < 0.75 <= similarity(title_tag, name):
            return name
    return headline or name


def _load(raw: str) -> list[Any]:
    """Parse one script's JSON, repairing common breakage; salvage fields when hopeless."""
    text = raw.strip()
    # each wrapper looked for only where its marks are: the searches try every position
    # of the script (up to 52 KB on Readability's pages), most of what _load cost
    if "<![CDATA[" in text or "]]>" in text:
        text = _CDATA.sub("", text).strip()
    if "<!--" in text or "-->" in text:
        text = _HTML_COMMENT.sub("", text).strip()
    if not text:
        return []
    for candidate in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return [json.loads(candidate, strict=False)]
        except (json.JSONDecodeError, RecursionError):
            pass
        objects = _concatenated(candidate)
        if objects:
            return objects
    logger.debug("malformed JSON-LD; salvaging key fields")
    salvaged: dict[str, Any] = {"@type": "Article"}
    for key, pattern in _SALVAGE.items():
        m = pattern.search(text)
        if m:
            value = _unescape_json(m.group(1))
            salvaged[key] = {"name": value} if key == "author" else value
    return [salvaged] if len(salvaged) > 1 else []


def _concatenated(text: str) -> list[Any]:
    """``{…}{…}`` or ``{…}\\n{…}``: two objects in one script."""
    decoder = json.JSONDecoder(strict=False)
    out, index = [], 0
    try:
        while index < len(text):
            obj, index = decoder.raw_decode(text, index)
            out.append(obj)
            while index < len(text) and text[index] in " \t\r\n,;":
                index += 1
    except (json.JSONDecodeError, RecursionError):
        return []
    return out


def _unescape_json(value: str) -> str:
    try:
        return str(json.loads(f'"{value}"', strict=False))
    except json.JSONDecodeError:
        return value


def _article_objects(obj: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Article-like dicts in a JSON-LD value (arrays, ``@graph``, ``mainEntity``)."""
    if depth > 6:
        return
    if isinstance(obj, list):
        for item in obj:
            yield from _article_objects(item, depth + 1)
        return
    if not isinstance(obj, dict):
        return
    types = obj.get("@type")
    names = {str(t).lower() for t in (types if isinstance(types, list) else [types]) if t}
    if names & ARTICLE_TYPES or ("pubDate" in obj and "title" in obj):
        yield obj
    for key in ("@graph", "mainEntity"):  # not itemListElement: lists of *other* pieces
        if key in obj:
            yield from _article_objects(obj[key], depth + 1)


def _article_rank(obj: dict[str, Any]) -> int:
    """News articles before generic articles before web pages."""
    types = obj.get("@type")
    names = {str(t).lower() for t in (types if isinstance(types, list) else [types]) if t}
    if any("newsarticle" in n for n in names):
        return 0
    if names - {"webpage"}:
        return 1
    return 2


def _people(value: Any, depth: int = 0) -> list[str]:
    if isinstance(value, list):
        if depth > 3:  # a list of lists of lists of names is not a byline but an attack
            return []
        return [name for item in value for name in _people(item, depth + 1)]
    if isinstance(value, str):
        return [_clean(value)]
    if isinstance(value, dict):
        if str(value.get("@type", "")).lower() == "organization":
            return []
        name = _string(value.get("name"))
        return [name] if name else []
    return []


def _string(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, str) and value.strip():
        return _clean(value)
    return None


def _clean(value: str) -> str:
    """JSON-LD is script text, which the HTML parser does not decode: unescape once."""
    return " ".join(html.unescape(value).split())


# ── dates elsewhere in the page ─────────────────────────────────────────────────────


def fallback_dates(tree: LexborHTMLParser) -> Iterator[str]:
    """Date candidates outside JSON-LD and ``<meta>``, in order of trust (costlier to find,
    so only looked for when the metadata gave no date, and each kind only when the more
    trusted ones gave none that reads as a date: the caller stops at the first)."""
    # what the first two kinds look for, in one query: most pages have neither, and each
    # query is a walk of the whole page (the second kind's are two when it finds none)
    marked = tree.css_first(_DATE_ELEMENTS) is not None
    for kind in (_itemprop_dates, _time_elements) if marked else ():
        yield from kind(tree)
    for kind in (_script_pubdates, _visible_dates):
        yield from kind(tree)


def _itemprop_dates(tree: LexborHTMLParser) -> list[str]:
    out = []
    for node in tree.css(_ITEMPROP_DATES):
        attrs = node.attributes
        value = attrs.get("content") or attrs.get("datetime") or node.text()
        if value and value.strip():
            out.append(value.strip())
    return out


def _time_elements(tree: LexborHTMLParser) -> list[str]:
    """``<time datetime>`` inside the article, or anywhere if the page has only a few
    (outside site headers, rails and footers).

    A page with many ``<time>`` elements is a listing or carries "latest news" rails;
    outside ``<article>``/``<main>`` the first of them is then not the piece's date.
    """
    scoped = tree.css("article time[datetime], main time[datetime], time[pubdate]")
    nodes = scoped or tree.css("time[datetime]")
    if not scoped and len(nodes) > 3:
        return []
    if not scoped:
        nodes = [n for n in nodes if not _in_boilerplate(n)]
    return [v for n in nodes[:3] if (v := (n.attributes.get("datetime") or "").strip())]


def _script_pubdates(tree: LexborHTMLParser) -> list[str]:
    if not tree.scripts_contain("pubDate"):
        return []
    out = []
    for script in tree.css("script"):
        text = script.text()
        if "pubDate" in text:
            out += [m.group(1) for m in _PUBDATE_IN_SCRIPT.finditer(text)][:1]
    return out


def _visible_dates(tree: LexborHTMLParser) -> list[str]:
    """Short elements whose class or id says "date" and whose text looks like one."""
    body = tree.body
    if body is None:
        return []
    out = []
    for node in body.css(_DATE_CLASS_SELECTOR):
        text = " ".join(node.text(separator=" ").split())
        if 6 <= len(text) <= 80 and _DATE_SHAPE.search(text) and not _in_boilerplate(node):
            out.append(text)
            if len(out) >= 3:
                break
    return out


def _in_boilerplate(node: LexborNode) -> bool:
    """Dates in related-news rails, footers and comment threads are not the piece's, nor is
    the date a site's header or masthead shows: that is today's, the day of the crawl. A
    ``<header>`` inside the ``<article>`` or ``<main>`` is the piece's own."""
    parent = node.parent
    depth = 0
    in_site_header = False
    while parent is not None and depth < 12:
        tag = parent.tag
        if tag in ("aside", "footer", "nav"):
            return True
        if tag in ("article", "main"):
            return False
        if tag == "header":
            in_site_header = True
        cls = f"{parent.attributes.get('class') or ''} {parent.attributes.get('id') or ''}"
        if _NOT_THE_PIECES.search(cls):
            return True
        parent, depth = parent.parent, depth + 1
    return in_site_header
