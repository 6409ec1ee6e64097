"""``monitor export``: the stored pieces with their stances, for a spreadsheet (CSV) or
for other tools (JSON Lines), an analyst's label winning as everywhere else.

One line / row per piece. CSV is wide — per position its stance, the confidence and
whether an analyst set it — because that is what a spreadsheet filters and pivots; JSONL
nests the same per position, with the differ's own call beside an analyst's label.

Scraped text is untrusted here too: a title starting with ``=``, ``+``, ``-`` or ``@``
would run as a formula when the CSV is opened in a spreadsheet, so such cells get a
leading apostrophe (the usual guard against CSV injection). JSON needs no such care.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC
from typing import Any

from monitor.models import StoredArticle, StoredStance

FORMATS = ("csv", "jsonl")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BASE_COLUMNS = (
    "article_id",
    "date",
    "source_id",
    "outlet",
    "camp",
    "language",
    "title",
    "url",
)


def csv_header(position_ids: Sequence[str]) -> list[str]:
    columns = list(BASE_COLUMNS)
    for pid in position_ids:
        columns += [pid, f"{pid}_confidence", f"{pid}_corrected"]
    return [*columns, "notes"]


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _date(article: StoredArticle) -> str | None:
    moment = article.published_at or article.first_seen
    return moment.astimezone(UTC).isoformat() if moment else None


def csv_row(
    article: StoredArticle,
    stances: Iterable[StoredStance],
    position_ids: Sequence[str],
    *,
    outlet: str,
) -> list[str]:
    by_position = {s.position_id: s for s in stances}
    row = [
        str(article.id),
        _date(article) or "",
        _cell(article.source_id),
        _cell(outlet),
        article.camp,
        _cell(article.language),
        _cell(article.title),
        _cell(article.url),
    ]
    notes = []
    for pid in position_ids:
        s = by_position.get(pid)
        if s is None:
            row += ["", "", ""]
            continue
        row += [s.stance, f"{s.confidence:.3f}", "yes" if s.correction else ""]
        if s.correction is not None and s.correction.note:
            notes.append(f"{pid}: {s.correction.note}")
    return [*row, _cell("; ".join(notes))]


def json_line(
    article: StoredArticle,
    stances: Iterable[StoredStance],
    position_ids: Sequence[str],
    *,
    outlet: str,
) -> dict[str, Any]:
    by_position = {s.position_id: s for s in stances}
    return {
        "article_id": article.id,
        "date": _date(article),
        "source_id": article.source_id,
        "outlet": outlet,
        "camp": article.camp,
        "language": article.language,
        "title": article.title,
        "url": article.url,
        "stances": {pid: _stance(by_position.get(pid)) for pid in position_ids},
    }


def _stance(s: StoredStance | None) -> dict[str, Any] | None:
    if s is None:
        return None
    correction = s.correction
    return {
        "stance": s.stance,
        "score": round(s.score, 3),
        "confidence": round(s.confidence, 3),
        "weak": s.weak,
        "corrected": correction is not None,
        "positions_version": s.positions_version or None,
        "correction": None
        if correction is None
        else {
            "note": correction.note,
            "labelled_by": correction.labelled_by,
            "labelled_at": correction.labelled_at.isoformat(),
            "differ_stance": s.differ_stance,
            "differ_confidence": s.differ_confidence,
        },
    }


def csv_text(rows: Iterable[list[str]]) -> Iterator[str]:
    """Each row as one CSV line (RFC 4180 quoting, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
