"""Every piece of the week, not only the strongest: outlet, camp, date, linked title and
its call on each position, grouped by camp so an analyst can check each camp's count
against the pieces behind it.

Within a camp pieces run by date (then outlet), as the week happened. Calls carry the
differ's confidence; an analyst's label has already replaced the differ's call (the store
hands stances over that way) and is flagged as corrected.
"""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.models import StoredArticle, StoredStance

from .model import Call, CampRows, PieceRow
from .text import clean_text, lang_tag, safe_url
from .view import WeekView

_NEVER = datetime.min.replace(tzinfo=UTC)


def every_piece(view: WeekView) -> tuple[CampRows, ...]:
    """One group per camp that has pieces this week, in the digest's camp order."""
    groups = []
    for camp in view.camps:
        rows = [piece_row(view, a) for a in view.articles_of(camp)]
        if rows:
            rows.sort(key=lambda r: (r.date or _NEVER, r.outlet.casefold(), r.article_id))
            groups.append(CampRows(camp=camp, name=view.camp_name(camp), rows=tuple(rows)))
    return tuple(groups)


def piece_row(view: WeekView, article: StoredArticle) -> PieceRow:
    return PieceRow(
        article_id=article.id,
        title=clean_text(article.title, limit=300) or "(untitled)",
        url=clean_text(article.url, limit=500),
        link=safe_url(article.url),
        outlet=view.outlet(article.source_id),
        source_id=article.source_id,
        camp=article.camp,
        camp_name=view.camp_name(article.camp),
        date=article.published_at or article.first_seen,
        language=lang_tag(article.language),
        calls=tuple(_call(view.stance_of(article.id, pid)) for pid in view.position_ids),
    )


def _call(stance: StoredStance | None) -> Call | None:
    if stance is None:
        return None
    return Call(
        stance=stance.stance,
        score=stance.score,
        confidence=stance.confidence,
        weak=stance.weak,
        corrected=stance.correction is not None,
    )
