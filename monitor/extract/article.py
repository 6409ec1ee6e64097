"""HTML page → :class:`ExtractedArticle`, reading top to bottom.

1. refuse what is not an HTML page (empty, PDF, JSON, a feed, binary) with a reason;
2. decode the bytes (:mod:`.encoding`), hold the page to its budgets (:mod:`.budget`:
   size and element count refused, nesting cut) and parse with Lexbor;
3. read the page's metadata (:mod:`.metadata`) and the source's selectors (:mod:`.selectors`);
4. take the body from the selectors when they find a real body, else from the generic
   extractor (:mod:`.body`), else from JSON-LD ``articleBody``; no text → ``no_text``;
5. pick title, authors (:mod:`.authors`), date (:mod:`.dates`) and language
   (:mod:`.language`) from the candidates, most trusted first.

The Lexbor tree is never modified, so the selector and generic paths can both read it.
"""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser

from monitor.charset import Decoded, decode_html
from monitor.config import Selectors
from monitor.errors import ExtractError
from monitor.extract.authors import clean_authors
from monitor.extract.blocks import normalize_space, paragraphs, strip_furniture
from monitor.extract.body import boilerplate_blocks, extract_body
from monitor.extract.budget import (
    MAX_ELEMENTS,
    MAX_HTML_CHARS,
    bound_nesting,
    may_exceed_elements,
    nests_too_deep,
    parse_first,
)
from monitor.extract.dates import date_from_url, local_zone, parse_date
from monitor.extract.dom import build
from monitor.extract.metadata import PageMeta, fallback_dates, read_metadata
from monitor.extract.selectors import Selected, apply_selectors
from monitor.language import detect_language
from monitor.models import ExtractedArticle

logger = logging.getLogger(__name__)

MIN_TEXT = 25  # characters (CJK count double): below this a page has no article text
_SELECTOR_TRUSTED = 400  # a selector body this long is taken without a second opinion
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")
_FEED_ROOT = re.compile(r"<(?:rss|feed|urlset|sitemapindex|rdf:RDF)[\s>]", re.IGNORECASE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3]")


def extract(
    html: bytes | str,
    url: str,
    *,
    selectors: Selectors | None = None,
    charset: str | None = None,
    default_language: str | None = None,
) -> ExtractedArticle:
    """Read one article page. Raises ``ExtractError`` when the page holds no article
    (reason ``empty``, ``not_html`` or ``no_text``) or is over budget (``too_large``,
    ``too_complex``). Synchronous and CPU-bound: callers on an event loop run it in a
    worker.

    Python's cycle collector is paused while a page is read (and resumed however the
    reading ends). Reading a page allocates thousands of small records that live until
    it is done and form no reference cycles (elements refer to each other by index), so
    each collection the allocations would trigger only walks them to find nothing: 7–8%
    of the extractor's time on Readability's pages. A cycle made elsewhere meanwhile
    waits a few milliseconds for the next collection."""
    with _collector_paused():
        return _extract(html, url, selectors, charset, default_language)


@contextmanager
def _collector_paused() -> Iterator[None]:
    if not gc.isenabled():  # paused already (another page in another thread, or the app)
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _extract(
    html: bytes | str,
    url: str,
    selectors: Selectors | None,
    charset: str | None,
    default_language: str | None,
) -> ExtractedArticle:
    _refuse_non_html_bytes(html, url)
    decoded = decode_html(html, charset)
    text = decoded.text
    _refuse_non_html_text(text, url)
    tree = _parse(text, url, _utf8_bytes(html, decoded))

    meta = read_metadata(tree)
    chosen = apply_selectors(tree, selectors, url)
    title = _title(chosen, meta)
    named = _named_authors(chosen, meta)
    body, byline = _body(tree, chosen, title, url, hunt_bylines=not named)
    body = strip_furniture(body, title)
    if _too_short(body) and meta.article_body:
        logger.info("%s: no body in the HTML; using JSON-LD articleBody", url)
        body = [p for p in (normalize_space(x) for x in meta.article_body.split("\n")) if p]
    if _too_short(body):
        raise ExtractError(url, "the page holds no article text", reason="no_text")
    article_text = "\n\n".join(body)

    return ExtractedArticle(
        url=url,
        title=title,
        authors=named or clean_authors((byline,), outlets=meta.outlets),
        published=_published(tree, chosen, meta, url),
        language=detect_language(
            article_text, [*meta.language_hints, default_language, meta.html_lang]
        ),
        text=article_text,
    )


# ── 1. refuse ───────────────────────────────────────────────────────────────────────


def _refuse_non_html_bytes(html: bytes | str, url: str) -> None:
    if not html or not (html.strip() if isinstance(html, str) else html.strip(b" \t\r\n\x00")):
        raise ExtractError(url, "the page is empty", reason="empty")
    if isinstance(html, bytes):
        head = html.lstrip()[:1024]
        if head.startswith(_BINARY_MAGIC):
            raise ExtractError(url, "the body is a binary file, not HTML", reason="not_html")
        if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ExtractError(url, "the body is binary, not HTML", reason="not_html")


def _refuse_non_html_text(text: str, url: str) -> None:
    head = text.lstrip("\ufeff \t\r\n")[:2048]
    if head[:1] in ("{", "["):
        raise ExtractError(url, "the body is JSON, not HTML", reason="not_html")
    if head.startswith("<?xml") and _FEED_ROOT.search(head):
        raise ExtractError(url, "the body is a feed or sitemap, not HTML", reason="not_html")
    if "<" not in text[:65536]:
        raise ExtractError(url, "the body has no HTML markup", reason="not_html")


# ── 2. parse within budget ────────────────────────────────────────────────────────


def _utf8_bytes(html: bytes | str, decoded: Decoded) -> bytes | None:
    """The page's own bytes when they are exactly the decoded text in UTF-8 (no mark, no
    broken byte): Lexbor reads UTF-8 bytes as they are, and handing it the text instead
    would cost an encoding back to those same bytes, a third of the parse."""
    if isinstance(html, bytes) and decoded.encoding == "utf-8" and decoded.source != "bom":
        return html if decoded.replaced == 0 else None
    return None


def _parse(text: str, url: str, utf8: bytes | None = None) -> LexborHTMLParser:
    """``utf8``, when given, is ``text`` encoded: parsed instead unless nesting was cut.
    A page of few tags is parsed before its depth is known (see :mod:`.budget`)."""
    if len(text) > MAX_HTML_CHARS:
        raise ExtractError(
            url,
            f"the page is {len(text):,} characters long; the limit is {MAX_HTML_CHARS:,}",
            reason="too_large",
        )
    source = text if utf8 is None else utf8
    tree = None
    if parse_first(text.count("<")):
        tree = LexborHTMLParser(source)
        if not nests_too_deep(tree):
            return tree  # the usual page: one parse, no scan
    text, cut = bound_nesting(text)
    if cut:
        logger.warning("%s: nesting cut at the depth limit (%d tags left out)", url, cut)
        tree = LexborHTMLParser(text)
    elif tree is None:
        tree = LexborHTMLParser(source)
    if may_exceed_elements(text):
        count = len(tree.css("*"))
        if count > MAX_ELEMENTS:
            raise ExtractError(
                url,
                f"the page has {count:,} elements; the limit is {MAX_ELEMENTS:,}",
                reason="too_complex",
            )
    return tree


# ── 4. body ─────────────────────────────────────────────────────────────────────────


def _body(
    tree: LexborHTMLParser, chosen: Selected, title: str | None, url: str, *, hunt_bylines: bool
) -> tuple[list[str], str | None]:
    """The article's paragraphs, and a byline the generic path found in passing (looked
    for inside the boilerplate it leaves out only with ``hunt_bylines``)."""
    selected: list[str] = []
    byline = None
    for node in chosen.body:
        doc = build(node, skip=chosen.remove, title=title)
        selected += paragraphs(doc, [0], boilerplate_blocks(doc))
        byline = byline or doc.byline
    if _weighted_length(selected) >= _SELECTOR_TRUSTED:
        return selected, byline

    generic: list[str] = []
    root = tree.body
    if root is not None:
        found = extract_body(
            build(
                root,
                skip=chosen.remove,
                title=title,
                strip_unlikely=True,
                hunt_bylines=hunt_bylines,
            ),
            lambda: build(root, skip=chosen.remove, title=title),
        )
        generic, byline = found.paragraphs, byline or found.byline
    if selected and _weighted_length(generic) < 2 * _weighted_length(selected):
        return selected, byline
    if chosen.body and generic:
        logger.info("%s: the body selector found little text; using the generic extractor", url)
    return generic, byline


def _weighted_length(paras: list[str]) -> int:
    return sum(len(p) + len(_CJK.findall(p)) for p in paras)


def _too_short(paras: list[str]) -> bool:
    """Under :data:`MIN_TEXT` weighted characters. A CJK character only adds weight, so
    the plain length settles it for any real article without a search for CJK."""
    return sum(map(len, paras)) < MIN_TEXT and _weighted_length(paras) < MIN_TEXT


# ── 5. fields ───────────────────────────────────────────────────────────────────────


def _title(chosen: Selected, meta: PageMeta) -> str | None:
    if chosen.title:
        return chosen.title
    return normalize_space(meta.title) if meta.title else None


def _named_authors(chosen: Selected, meta: PageMeta) -> tuple[str, ...]:
    """The authors the source's selector or else the page's metadata names. Only when
    neither names anyone does a byline box found in the page count (the least precise:
    it may hold a job title or a date next to the name), so only then is one looked for
    everywhere."""
    for raw in (chosen.authors, meta.authors):
        names = clean_authors(raw, outlets=meta.outlets)
        if names:
            return names
    return ()


def _published(
    tree: LexborHTMLParser, chosen: Selected, meta: PageMeta, url: str
) -> datetime | None:
    zone = local_zone(url)
    for value in (*chosen.published, *meta.dates):
        parsed = parse_date(value, zone)
        if parsed:
            return parsed
    for value in fallback_dates(tree):
        parsed = parse_date(value, zone)
        if parsed:
            return parsed
    return date_from_url(url, zone)
