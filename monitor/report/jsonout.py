"""``render_json``: the digest as plain JSON for other tools. The keys are a contract.

Top level (``schema`` = ``"monitor.digest/1"``; a key is only ever added, never renamed)::

    week, start, end, generated_at      "2024-W44", ISO 8601 UTC times (end exclusive)
    summary                             the "at a glance" paragraph, plain text
    totals        {articles, previous_articles, outlets, not_compared}
    calls         {echo, contest, mixed, weak, corrected, total}   every counted call
    weak_below    0.6: calls whose confidence is under this are weak
    camps         [{camp, name, count, previous, change, outlets, compared}]
    sources       [{id, name, camp, count}]                 every configured outlet
    stance_table  [{camp, name, compared, positions: {P1: COUNTS, …}}]
    positions     [{id, title, claim, addressed, totals: COUNTS,
                    by_camp: {camp: COUNTS},
                    strongest: [CALL]}]
    corrections   [{position, position_title, **CALL}]      analyst corrections this week
    framing       [{camp, name, pieces, labels: [{label, count}],
                    troop_counts: {pieces, min, median, max} | null,
                    epistemic: [{mode, count, share}], cited: [{label, count}],
                    loaded_terms: [{label, count}]}]
    crawl         [{source_id, name, camp, state, last_run, last_ok, last_error,
                    counts: {name: n}}]                     state: ok | failing | never
    method, positions_versions

    COUNTS = {echo, contest, mixed, weak, corrected}: pieces per stance; ``weak`` and
             ``corrected`` count how many of those calls were weak / set by an analyst
    CALL   = {article_id, title, url, linkable, outlet, camp, date, language, stance,
              score, confidence, weak, corrected, correction,
              evidence: [{sentence, stance, score}]}
             ``correction`` is null, or {note, labelled_by, labelled_at, differ_stance,
             differ_confidence} when an analyst set the call (then confidence is 1.0)

Positions are listed in natural order (P1, P2, …, P10, P11), as many as positions.yaml
holds. Strings are as scraped (cleaned of control characters) and must be escaped by whoever
displays them; ``linkable`` says whether ``url`` is an http(s) URL safe to link.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .model import CorrectedCall, Digest, PieceRef, StanceCounts, Tally

SCHEMA = "monitor.digest/1"


def render_json(digest: Digest) -> dict[str, Any]:
    d = digest
    return {
        "schema": SCHEMA,
        "week": d.week,
        "start": _time(d.start),
        "end": _time(d.end),
        "generated_at": _time(d.generated_at),
        "summary": d.summary,
        "totals": {
            "articles": d.articles,
            "previous_articles": d.previous_articles,
            "outlets": d.outlets,
            "not_compared": d.not_compared,
        },
        "calls": {**_counts(d.calls), "total": d.calls.total},
        "weak_below": d.weak_below,
        "camps": [
            {
                "camp": c.camp,
                "name": c.name,
                "count": c.count,
                "previous": c.previous,
                "change": c.change,
                "outlets": c.outlets,
                "compared": c.compared,
            }
            for c in d.camps
        ],
        "sources": [
            {"id": s.source_id, "name": s.name, "camp": s.camp, "count": s.count} for s in d.sources
        ],
        "stance_table": [
            {
                "camp": row.camp,
                "name": row.name,
                "compared": row.compared,
                "positions": {
                    p.id: _counts(c) for p, c in zip(d.positions, row.cells, strict=True)
                },
            }
            for row in d.stance_table
        ],
        "positions": [
            {
                "id": p.id,
                "title": p.title,
                "claim": p.claim,
                "addressed": p.addressed,
                "totals": _counts(p.totals),
                "by_camp": {b.camp: _counts(b.counts) for b in p.by_camp},
                "strongest": [_piece(piece) for piece in p.strongest],
            }
            for p in d.positions
        ],
        "corrections": [_correction(c) for c in d.corrections],
        "framing": [
            {
                "camp": f.camp,
                "name": f.name,
                "pieces": f.pieces,
                "labels": _tallies(f.labels),
                "troop_counts": None
                if f.troops is None
                else {
                    "pieces": f.troops.pieces,
                    "min": f.troops.low,
                    "median": f.troops.median,
                    "max": f.troops.high,
                },
                "epistemic": [
                    {"mode": s.label, "count": s.count, "share": round(s.share, 4)}
                    for s in f.epistemic
                ],
                "cited": _tallies(f.cited),
                "loaded_terms": _tallies(f.loaded),
            }
            for f in d.framing
        ],
        "crawl": [
            {
                "source_id": r.source_id,
                "name": r.name,
                "camp": r.camp,
                "state": r.state,
                "last_run": _time(r.last_run),
                "last_ok": _time(r.last_ok),
                "last_error": r.last_error,
                "counts": {t.label: t.count for t in r.counts},
            }
            for r in d.crawl
        ],
        "method": d.method,
        "positions_versions": list(d.positions_versions),
    }


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _counts(c: StanceCounts) -> dict[str, int]:
    return {
        "echo": c.echo,
        "contest": c.contest,
        "mixed": c.mixed,
        "weak": c.weak,
        "corrected": c.corrected,
    }


def _tallies(tallies: tuple[Tally, ...]) -> list[dict[str, Any]]:
    return [{"label": t.label, "count": t.count} for t in tallies]


def _piece(p: PieceRef) -> dict[str, Any]:
    return {
        "article_id": p.article_id,
        "title": p.title,
        "url": p.url,
        "linkable": p.link is not None,
        "outlet": p.outlet,
        "camp": p.camp,
        "date": _time(p.date),
        "language": p.language,
        "stance": p.stance,
        "score": round(p.score, 3),
        "confidence": round(p.confidence, 3),
        "weak": p.weak,
        "corrected": p.label is not None,
        "correction": None
        if p.label is None
        else {
            "note": p.label.note,
            "labelled_by": p.label.labelled_by,
            "labelled_at": _time(p.label.labelled_at),
            "differ_stance": p.label.differ_stance,
            "differ_confidence": None
            if p.label.differ_confidence is None
            else round(p.label.differ_confidence, 3),
        },
        "evidence": [
            {"sentence": q.sentence, "stance": q.stance, "score": round(q.score, 3)}
            for q in p.quotes
        ],
    }


def _correction(c: CorrectedCall) -> dict[str, Any]:
    return {"position": c.position_id, "position_title": c.position_title, **_piece(c.piece)}
