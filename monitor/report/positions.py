"""Each baseline position in turn: its claim, how each camp leans on it, and the pieces
that carry it most strongly, with their evidence sentences quoted.

"Strongest" is by |score|; the analyst wants to see both sides, so when any piece echoes
and any contests, the strongest of each direction is kept before the rest are filled in.
Every call shown carries its confidence, and an analyst's correction carries its note;
``corrected_calls`` lists every correction on the week's pieces, strong or not.
"""

from __future__ import annotations

from monitor.models import PositionInfo, StoredArticle, StoredStance

from .model import (
    AnalystLabel,
    CampBalance,
    CampPieces,
    CorrectedCall,
    PieceRef,
    PositionDigest,
    Quote,
)
from .text import clean_text, human_title, lang_tag, safe_url
from .view import WeekView

STRONGEST = 3
QUOTES_PER_PIECE = 3


def position_digests(view: WeekView) -> tuple[PositionDigest, ...]:
    return tuple(_position(view, info) for info in view.positions)


def corrected_calls(view: WeekView) -> tuple[CorrectedCall, ...]:
    """The analyst's corrections on this week's pieces, by position then piece."""
    calls = []
    for info in view.positions:
        for article in view.data.articles:
            stance = view.stance_of(article.id, info.id)
            if stance is not None and stance.correction is not None:
                calls.append(
                    CorrectedCall(
                        position_id=info.id,
                        position_title=human_title(info.title),
                        piece=_piece(view, article, stance),
                    )
                )
    return tuple(calls)


def _position(view: WeekView, info: PositionInfo) -> PositionDigest:
    by_camp = []
    pieces = []
    for camp in view.camps:
        counts = view.counts(view.articles_of(camp), info.id)
        if counts.total:
            by_camp.append(CampBalance(camp=camp, name=view.camp_name(camp), counts=counts))
            pieces.append(_behind(view, camp, info.id))
    return PositionDigest(
        id=info.id,
        title=human_title(info.title),
        claim=clean_text(info.claim, limit=2000),
        totals=view.counts(view.data.articles, info.id),
        by_camp=tuple(by_camp),
        strongest=tuple(_piece(view, a, s) for a, s in strongest(view, info.id)),
        pieces=tuple(pieces),
    )


def _behind(view: WeekView, camp: str, position_id: str) -> CampPieces:
    """The camp's pieces that addressed the position: what its count in the camp ×
    position table is made of. Echo first, then mixed, then contest; by date within."""
    order = {"echo": 0, "mixed": 1, "contest": 2}
    pairs = [
        (a, s)
        for a in view.articles_of(camp)
        if (s := view.stance_of(a.id, position_id)) is not None and s.stance != "absent"
    ]
    pairs.sort(
        key=lambda p: (order.get(p[1].stance, 3), p[0].published_at or p[0].first_seen, p[0].id)
    )
    return CampPieces(
        camp=camp,
        name=view.camp_name(camp),
        pieces=tuple(_piece(view, a, s, quotes=False) for a, s in pairs),
    )


def strongest(
    view: WeekView, position_id: str, limit: int = STRONGEST
) -> list[tuple[StoredArticle, StoredStance]]:
    """The pieces that address the position, strongest first, both directions kept."""
    candidates = []
    for article in view.data.articles:
        stance = view.stance_of(article.id, position_id)
        if stance is not None and stance.stance != "absent":
            candidates.append((article, stance))
    candidates.sort(key=lambda pair: (-abs(pair[1].score), pair[0].id))
    picked: list[tuple[StoredArticle, StoredStance]] = []
    for direction in (1, -1):
        best = next((p for p in candidates if _direction(p[1]) == direction), None)
        if best is not None and len(picked) < limit:
            picked.append(best)
    for pair in candidates:
        if len(picked) >= limit:
            break
        if pair not in picked:
            picked.append(pair)
    picked.sort(key=lambda pair: (-abs(pair[1].score), pair[0].id))
    return picked


def _direction(stance: StoredStance) -> int:
    if stance.stance == "echo":
        return 1
    if stance.stance == "contest":
        return -1
    return 1 if stance.score > 0 else -1 if stance.score < 0 else 0


def _piece(
    view: WeekView, article: StoredArticle, stance: StoredStance, *, quotes: bool = True
) -> PieceRef:
    evidence = sorted(stance.evidence, key=lambda e: (-abs(e.score), e.index)) if quotes else []
    quoted = tuple(
        Quote(sentence=text, stance=e.stance, score=e.score)
        for e in evidence[:QUOTES_PER_PIECE]
        if (text := clean_text(e.sentence, limit=600))
    )
    url = clean_text(article.url, limit=500)
    return PieceRef(
        article_id=article.id,
        title=clean_text(article.title, limit=300) or "(untitled)",
        url=url,
        link=safe_url(article.url),
        outlet=view.outlet(article.source_id),
        camp=article.camp,
        camp_name=view.camp_name(article.camp),
        date=article.published_at or article.first_seen,
        language=lang_tag(article.language),
        stance=stance.stance,
        score=stance.score,
        quotes=quoted,
        confidence=stance.confidence,
        weak=stance.weak,
        label=_label(stance),
    )


def _label(stance: StoredStance) -> AnalystLabel | None:
    correction = stance.correction
    if correction is None:
        return None
    return AnalystLabel(
        note=clean_text(correction.note, limit=1000) or None,
        labelled_by=clean_text(correction.labelled_by, limit=128) or "analyst",
        labelled_at=correction.labelled_at,
        differ_stance=stance.differ_stance,
        differ_confidence=stance.differ_confidence,
    )
