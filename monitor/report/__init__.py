"""The report stage: the weekly digest an analyst reads.

The pipeline gathers a ``DigestInput`` from the store and calls::

    digest = build_digest(data)            # every number computed once
    write_digest(digest, storage / "digests")   # YYYY-Www.html / .md / .json

``render_html`` (self-contained, no script), ``render_markdown``, ``render_json`` (documented
keys) and ``render_atom`` (a feed of weekly digests) only lay the digest out. All scraped text
is escaped for each output. ``week_bounds`` / ``week_of`` convert ISO week labels.
``labelled_line`` writes an analyst-corrected piece as a line of labelled data.
"""

from __future__ import annotations

from .atom import FEED_FILE, FeedEntry, feed_entries, render_atom
from .build import build_digest
from .delivery import compose as compose_email
from .delivery import send as send_email
from .export import csv_header, csv_text
from .export import csv_row as export_csv_row
from .export import json_line as export_json_line
from .files import atomic_write, write_digest
from .jsonout import render_json
from .labels import labelled_line
from .model import Digest
from .renderers import render_html, render_markdown
from .weeks import earlier_weeks, week_bounds, week_of

__all__ = [
    "FEED_FILE",
    "Digest",
    "FeedEntry",
    "atomic_write",
    "earlier_weeks",
    "feed_entries",
    "build_digest",
    "compose_email",
    "send_email",
    "csv_header",
    "csv_text",
    "export_csv_row",
    "export_json_line",
    "labelled_line",
    "render_atom",
    "render_html",
    "render_json",
    "render_markdown",
    "week_bounds",
    "week_of",
    "write_digest",
]
