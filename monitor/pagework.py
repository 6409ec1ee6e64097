"""Page work: extraction and the relevance rule, as the worker processes run it.

Pure and picklable, and kept apart from ``pipeline`` on purpose: a worker process imports
what the functions it runs live in, and ``pipeline`` pulls in the fetcher, the store, the
report and their libraries (~35 MiB a process) that page work never uses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from monitor import extract, relevance, stories
from monitor.config import Selectors, Topic
from monitor.models import ExtractedArticle, Link, Relevance


@dataclass(frozen=True)
class PageInput:
    """What page work needs of a fetched page."""

    body: bytes
    url: str
    selectors: Selectors | None
    charset: str | None
    default_language: str | None


def read_page(page: PageInput, link: Link, topic: Topic) -> tuple[ExtractedArticle, Relevance]:
    """Extract the article from a fetched page and judge it against the topic.

    Raises ``ExtractError`` when the page holds no article."""
    article = extract.extract(
        page.body,
        page.url,
        selectors=page.selectors,
        charset=page.charset,
        default_language=page.default_language,
    )
    return judge(article, link, topic)


def read_for_store(
    page: PageInput, link: Link, topic: Topic
) -> tuple[ExtractedArticle, Relevance, stories.Fingerprint | None]:
    """``read_page``, and the story fingerprint of a page that will be stored (None for
    one that will not): shingling and hashing its text is CPU work like extraction, done
    here so that the daemon's own process, which every page passes through, only looks
    the fingerprint up in its story index."""
    article, verdict = read_page(page, link, topic)
    return article, verdict, stories.fingerprint(article.text) if verdict.relevant else None


#: a page a worker reads once at start, so that its first real page does not pay for the
#: parser's and the language model's loading (a second or more on a busy machine, long
#: enough to pass for a slow page and start a spare worker)
_WARM_UP = (
    b"<html><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
    b"<p>This page is read once when a worker starts, so that the parser and the language "
    b"model are loaded before the first page of a crawl arrives.</p></article></body></html>"
)


def warm_up() -> None:
    """Load what page work needs now (see ``_WARM_UP``)."""
    extract.extract(_WARM_UP, "http://localhost/warm-up", default_language="en")


def judge(
    article: ExtractedArticle, link: Link, topic: Topic
) -> tuple[ExtractedArticle, Relevance]:
    """Fill what the page lacks from the feed item, then apply the relevance rule."""
    article = fill_from_link(article, link)
    return article, relevance.assess(article.title, article.text, article.language, topic)


def article_from_link(link: Link, language: str) -> ExtractedArticle:
    """A feed-only piece (paywalled outlet, search result): title and teaser are its text."""
    text = "\n\n".join(x.strip() for x in (link.title, link.summary) if x and x.strip())
    return ExtractedArticle(
        url=link.url,
        title=link.title,
        authors=(),
        published=link.published,
        language=language,
        text=text,
    )


def fill_from_link(article: ExtractedArticle, link: Link) -> ExtractedArticle:
    """The page is the authority; the feed fills only what the page lacks."""
    changes: dict[str, object] = {}
    if article.published is None and link.published is not None:
        changes["published"] = link.published
    if not article.title and link.title:
        changes["title"] = link.title
    return replace(article, **changes) if changes else article
