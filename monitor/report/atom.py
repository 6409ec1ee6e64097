"""``render_atom``: an Atom 1.0 feed (RFC 4287) of weekly digests, one entry per week, so
an analyst's feed reader announces each new digest with its "at a glance" lead.

Entry ids are ``tag:`` URIs (RFC 4151) named after the week alone, so setting or moving
``public_url`` changes where the links point but never makes a reader show old weeks as
new. Each entry carries the plain-text summary and the grouped lead as HTML content.
Earlier weeks come from their published JSON files (``feed_entries``), never rebuilt from
the store: the feed costs the same however long the archive is.

Built with ElementTree rather than a template: it escapes every text node and attribute,
and ``text.clean_text`` has already removed the characters XML cannot carry at all.
"""

from __future__ import annotations

import json
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from markupsafe import escape

from monitor.errors import ReportError

from .formatting import date_range
from .model import Digest, GlanceGroup
from .text import clean_text
from .weeks import week_bounds

log = logging.getLogger(__name__)

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)
# RFC 4151: an authority and a date it held the name; fixed, so ids never change.
TAG_AUTHORITY = "tag:monitor,2024:"
FEED_FILE = "digests.atom"


def feed_id() -> str:
    return f"{TAG_AUTHORITY}digests"


def entry_id(week: str) -> str:
    """``tag:monitor,2024:digest/2024-W44``: the same wherever the digest is served."""
    return f"{TAG_AUTHORITY}digest/{week}"


@dataclass(frozen=True)
class FeedEntry:
    """What the feed says of one week's digest."""

    week: str
    generated_at: datetime
    articles: int
    summary: str
    glance: tuple[GlanceGroup, ...] = ()
    content_html: str | None = None  # the lead as an earlier feed carried it


def entry_of(digest: Digest) -> FeedEntry:
    return FeedEntry(
        week=digest.week,
        generated_at=digest.generated_at,
        articles=digest.articles,
        summary=digest.summary,
        glance=digest.glance,
    )


def entry_from_json(data: dict[str, object]) -> FeedEntry:
    """An entry from a digest's JSON file (see ``jsonout``); raises KeyError, TypeError or
    ValueError when the file is not a digest."""
    totals = data["totals"]
    assert isinstance(totals, dict)
    glance = tuple(
        GlanceGroup(key=str(g["key"]), heading=str(g["heading"]), lines=tuple(map(str, g["lines"])))
        for g in data.get("glance", ())  # type: ignore[union-attr]
    )
    generated = datetime.fromisoformat(str(data["generated_at"]))
    if generated.utcoffset() is None:
        raise ValueError("generated_at has no time zone")
    week = str(data["week"])
    week_bounds(week)
    return FeedEntry(
        week=week,
        generated_at=generated,
        articles=int(totals["articles"]),
        summary=str(data["summary"]),
        glance=glance,
    )


_ARTICLES = re.compile(r": (\d+) pieces?$")


def published_entries(feed: Path) -> dict[str, FeedEntry]:
    """The entries of the feed written last time, by week: a few kilobytes to read,
    where a busy week's JSON holds megabytes. Entries this monitor did not write (or an
    unreadable feed) are left out, and those weeks are read from their JSON instead."""
    try:
        root = ET.parse(feed).getroot()
    except (OSError, ET.ParseError):
        return {}
    prefix = entry_id("")
    found = {}
    for element in root.findall(f"{{{ATOM}}}entry"):
        ident = element.findtext(f"{{{ATOM}}}id") or ""
        title = element.findtext(f"{{{ATOM}}}title") or ""
        count = _ARTICLES.search(title)
        try:
            updated = datetime.fromisoformat(
                (element.findtext(f"{{{ATOM}}}updated") or "").replace("Z", "+00:00")
            )
        except ValueError:
            continue
        if not ident.startswith(prefix) or count is None or updated.utcoffset() is None:
            continue
        week = ident[len(prefix) :]
        found[week] = FeedEntry(
            week=week,
            generated_at=updated,
            articles=int(count.group(1)),
            summary=element.findtext(f"{{{ATOM}}}summary") or "",
            content_html=element.findtext(f"{{{ATOM}}}content"),
        )
    return found


def feed_entries(directory: Path, *, latest: Digest, weeks: int = 8) -> list[FeedEntry]:
    """The newest ``weeks`` digests in ``directory``: ``latest`` as built, the others as
    the feed already carries them, else read from their JSON files. A file that is not a
    readable digest is logged and left out."""
    labels = sorted({p.stem for p in directory.glob("*-W*.json")} | {latest.week}, reverse=True)
    published = published_entries(directory / FEED_FILE)
    entries = []
    for week in labels[:weeks]:
        if week == latest.week:
            entries.append(entry_of(latest))
            continue
        if week in published:
            entries.append(published[week])
            continue
        path = directory / f"{week}.json"
        try:
            entries.append(entry_from_json(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, KeyError, TypeError, AssertionError, ReportError) as exc:
            log.warning("feed: %s left out, not a readable digest (%s)", path, exc)
    return entries


def render_atom(digests: Iterable[Digest | FeedEntry], *, feed_url: str, now: datetime) -> str:
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
    latest: dict[str, FeedEntry] = {}
    for item in digests:
        entry = entry_of(item) if isinstance(item, Digest) else item
        kept = latest.get(entry.week)
        if kept is None or entry.generated_at > kept.generated_at:
            latest[entry.week] = entry

    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", feed_id())
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


def _entry(feed: ET.Element, item: FeedEntry, feed_url: str) -> None:
    page = urljoin(feed_url, f"{item.week}.html")
    start, end = week_bounds(item.week)
    entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
    _text(entry, "id", entry_id(item.week))
    _text(
        entry,
        "title",
        f"Digest {item.week} ({date_range(start, end)}): "
        f"{item.articles} piece{'' if item.articles == 1 else 's'}",
    )
    _text(entry, "updated", _rfc3339(item.generated_at))
    ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page)
    summary = _text(entry, "summary", clean_text(item.summary, limit=4000))
    summary.set("type", "text")
    lead = _glance_html(item.glance) if item.glance else item.content_html
    if lead:
        content = _text(entry, "content", lead)
        content.set("type", "html")


def _glance_html(groups: Sequence[GlanceGroup]) -> str:
    """The lead as an HTML fragment, every line escaped (ElementTree escapes it again as
    XML text, which is what ``type="html"`` content is)."""
    return "".join(
        f"<h3>{escape(clean_text(g.heading, limit=200))}</h3><ul>"
        + "".join(f"<li>{escape(clean_text(line, limit=2000))}</li>" for line in g.lines)
        + "</ul>"
        for g in groups
    )


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = text
    return element


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
