"""``render_atom``: an Atom 1.0 feed (RFC 4287) of weekly digests, one entry per week, so
an analyst's feed reader announces each new digest with its "at a glance" paragraph.

Built with ElementTree rather than a template: it escapes every text node and attribute,
and ``text.clean_text`` has already removed the characters XML cannot carry at all.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from monitor.errors import ReportError

from .formatting import date_range
from .model import Digest
from .text import clean_text

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)


def render_atom(digests: Sequence[Digest], *, feed_url: str, now: datetime) -> str:
    """The feed at ``feed_url``; each entry links to ``<week>.html`` beside it. If several
    digests share a week, the most recently generated one is kept."""
    parts = urlsplit(feed_url)
    if not parts.scheme or not (parts.netloc or (parts.scheme == "file" and parts.path)):
        raise ReportError(
            f"feed URL {feed_url!r} must be absolute (e.g. https://host/feed.xml, "
            "or a file:// URL for a local feed reader)",
            reason="bad_feed_url",
        )
    if now.utcoffset() is None:
        raise ReportError("render_atom needs a timezone-aware 'now'", reason="naive_datetime")
    latest: dict[str, Digest] = {}
    for digest in digests:
        kept = latest.get(digest.week)
        if kept is None or digest.generated_at > kept.generated_at:
            latest[digest.week] = digest

    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", feed_url)
    _text(feed, "title", "Russia–DPRK coverage: weekly digests")
    _text(
        feed,
        "subtitle",
        "How Russian, Chinese, Western, Korean and Ukrainian outlets frame "
        "the 2024 treaty and the Kursk deployment, set against one baseline",
    )
    _text(feed, "updated", _rfc3339(now))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=feed_url)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "monitor")
    _text(feed, "generator", "monitor")
    for week in sorted(latest, reverse=True):
        _entry(feed, latest[week], feed_url)
    ET.indent(feed)
    body = ET.tostring(feed, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def _entry(feed: ET.Element, digest: Digest, feed_url: str) -> None:
    page = urljoin(feed_url, f"{digest.week}.html")
    entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
    _text(entry, "id", page)
    _text(
        entry,
        "title",
        f"Digest {digest.week} ({date_range(digest.start, digest.end)}): "
        f"{digest.articles} piece{'' if digest.articles == 1 else 's'}",
    )
    _text(entry, "updated", _rfc3339(digest.generated_at))
    ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page)
    summary = _text(entry, "summary", clean_text(digest.summary, limit=4000))
    summary.set("type", "text")


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = text
    return element


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
