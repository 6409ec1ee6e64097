"""Analyst corrections as labelled data: one JSON line per corrected piece, in the shape of
the labelled corpus files (``corpus/pieces`` + ``corpus/labels``), so what an analyst fixes
in the digest can grow the differ's development set.

    {"id": "store-42", "url", "outlet", "camp", "lang", "date": "YYYY-MM-DD" | null,
     "title", "text", "stance": {"P1": "absent", …}, "corrected": ["P4"], "note": "P4: …"}

``stance`` holds every position of the loaded positions.yaml, in natural order: the
analyst's label where there is one, else the differ's current stance (null only if the
differ has no call on that position). Text is kept as stored (JSON escapes it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC
from typing import Any

from monitor.models import PositionInfo, StoredArticle, StoredStance, position_order


def labelled_line(
    article: StoredArticle,
    stances: Iterable[StoredStance],
    positions: Sequence[PositionInfo],
    *,
    outlet: str,
) -> dict[str, Any]:
    """The piece with its labels, as one corpus line."""
    by_position = {s.position_id: s for s in stances}
    order = sorted((p.id for p in positions), key=position_order)
    corrected = [pid for pid in order if (s := by_position.get(pid)) and s.correction]
    notes = [
        f"{pid}: {note}"
        for pid in corrected
        if (note := by_position[pid].correction.note)  # type: ignore[union-attr]
    ]
    published = article.published_at
    return {
        "id": f"store-{article.id}",
        "url": article.url,
        "outlet": outlet,
        "camp": article.camp,
        "lang": article.language,
        "date": published.astimezone(UTC).date().isoformat() if published else None,
        "title": article.title,
        "text": article.text,
        "stance": {pid: (by_position[pid].stance if pid in by_position else None) for pid in order},
        "corrected": corrected,
        "note": "; ".join(notes),
    }
