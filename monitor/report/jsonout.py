"""``render_json``: the digest as plain JSON for other tools. The keys are a contract.

Top level (``schema`` = ``"monitor.digest/1"``; a key is only ever added, never renamed;
``monitor/report/digest.schema.json`` is the JSON Schema of this layout)::

    week, start, end, generated_at      "2024-W44", ISO 8601 UTC times (end exclusive)
    summary                             the "at a glance" lead as one plain paragraph
    glance        [{key, heading, lines: [str]}]            the same lead, grouped; key is
                  volume | divergence | moved | untouched | certainty | blind_spots
    totals        {articles, previous_articles, outlets, not_compared, stories}
                                                        stories: texts the pieces carry (a
                                                        wire story and its re-runs are one)
    calls         {echo, contest, mixed, weak, corrected, total}   every counted call
    weak_below    0.6: calls whose confidence is under this are weak
    camps         [{camp, name, count, previous, change, outlets, compared, stories}]
    sources       [{id, name, camp, count}]                 every configured outlet
    stance_table  [{camp, name, compared, positions: {P1: COUNTS, …}}]
    positions     [{id, title, claim, addressed, totals: COUNTS,
                    by_camp: {camp: COUNTS},
                    strongest: [CALL],
                    pieces: {camp: [{article_id, stance, confidence, weak, corrected}]}}]
                                                        every piece behind by_camp's counts
    pieces        [{article_id, title, url, linkable, outlet, source_id, camp, camp_name,
                    date, language, stances: {P1: MARK | null, …}}]
                                                        every piece of the week, by camp then
                                                        date; null: not compared yet
    trends        {weeks: [week], positions: [{id, title, camps: [{camp, name,
                    weeks: [{week, echo, contest, mixed}]}]}],
                   troops: [{source_id, name, camp, weeks: [{week, pieces, min, max}]}]}
                                                        the last 12 weeks, this one last
    corrections   [{position, position_title, **CALL}]      analyst corrections this week
    framing       [{camp, name, pieces, labels: [{label, count}],
                    troop_counts: {pieces, min, median, max} | null,
                    epistemic: [{mode, count, share}], cited: [{label, count}],
                    loaded_terms: [{label, count}]}]
    crawl         [{source_id, name, camp, state, last_run, last_ok, last_error,
                    counts: {name: n}}]                     state: ok | failing | never
    stories       [{id, title, pieces, outlets, camps: [camp], origin: CARRIER,
                    carriers: [CARRIER], balance: {P1: {camp: COUNTS}, …}}]
                                                        the week's stories, most outlets
                                                        first; carriers earliest first (the
                                                        first is the origin), any week;
                                                        balance over this week's pieces
    wire_flows    [{origin_camp, rerun_camp, stories, pieces}]  who re-ran whose copy
    story_table   like stance_table, but each story counts once per camp (as its pieces
                  of that camp lean; as many echo as contest: mixed)
    method, positions_versions

    MARK   = {stance, score, confidence, weak, corrected}   (stance may be "absent")
    COUNTS = {echo, contest, mixed, weak, corrected}: pieces per stance; ``weak`` and
             ``corrected`` count how many of those calls were weak / set by an analyst
    CARRIER = {article_id, title, url, linkable, outlet, camp, date, this_week}
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

from .model import (
    CorrectedCall,
    Digest,
    PieceRef,
    PieceRow,
    StanceCounts,
    StanceRow,
    StoryCarrier,
    StoryDigest,
    Tally,
)

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
        "glance": [{"key": g.key, "heading": g.heading, "lines": list(g.lines)} for g in d.glance],
        "totals": {
            "articles": d.articles,
            "previous_articles": d.previous_articles,
            "outlets": d.outlets,
            "not_compared": d.not_compared,
            "stories": d.stories,
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
                "stories": c.stories,
            }
            for c in d.camps
        ],
        "sources": [
            {"id": s.source_id, "name": s.name, "camp": s.camp, "count": s.count} for s in d.sources
        ],
        "stance_table": [_stance_row(row, d) for row in d.stance_table],
        "positions": [
            {
                "id": p.id,
                "title": p.title,
                "claim": p.claim,
                "addressed": p.addressed,
                "totals": _counts(p.totals),
                "by_camp": {b.camp: _counts(b.counts) for b in p.by_camp},
                "strongest": [_piece(piece) for piece in p.strongest],
                "pieces": {
                    g.camp: [
                        {
                            "article_id": piece.article_id,
                            "stance": piece.stance,
                            "confidence": round(piece.confidence, 3),
                            "weak": piece.weak,
                            "corrected": piece.label is not None,
                        }
                        for piece in g.pieces
                    ]
                    for g in p.pieces
                },
            }
            for p in d.positions
        ],
        "pieces": [_row(r, d) for group in d.pieces for r in group.rows],
        "trends": _trends(d),
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
        "stories": [_story(s) for s in d.story_list],
        "wire_flows": [
            {
                "origin_camp": f.origin_camp,
                "rerun_camp": f.rerun_camp,
                "stories": f.stories,
                "pieces": f.pieces,
            }
            for f in d.wire_flows
        ],
        "story_table": [_stance_row(row, d) for row in d.story_table],
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


def _row(r: PieceRow, d: Digest) -> dict[str, Any]:
    return {
        "article_id": r.article_id,
        "title": r.title,
        "url": r.url,
        "linkable": r.link is not None,
        "outlet": r.outlet,
        "source_id": r.source_id,
        "camp": r.camp,
        "camp_name": r.camp_name,
        "date": _time(r.date),
        "language": r.language,
        "stances": {
            p.id: None
            if c is None
            else {
                "stance": c.stance,
                "score": round(c.score, 3),
                "confidence": round(c.confidence, 3),
                "weak": c.weak,
                "corrected": c.corrected,
            }
            for p, c in zip(d.positions, r.calls, strict=True)
        },
    }


def _trends(d: Digest) -> dict[str, Any]:
    t = d.trends
    return {
        "weeks": list(t.weeks),
        "positions": [
            {
                "id": p.id,
                "title": p.title,
                "camps": [
                    {
                        "camp": c.camp,
                        "name": c.name,
                        "weeks": [
                            {
                                "week": cell.week,
                                "echo": cell.counts.echo,
                                "contest": cell.counts.contest,
                                "mixed": cell.counts.mixed,
                            }
                            for cell in c.cells
                        ],
                    }
                    for c in p.camps
                ],
            }
            for p in t.positions
        ],
        "troops": [
            {
                "source_id": o.source_id,
                "name": o.name,
                "camp": o.camp,
                "weeks": [
                    {"week": pt.week, "pieces": pt.pieces, "min": pt.low, "max": pt.high}
                    for pt in o.points
                ],
            }
            for o in t.troops
        ],
    }


def _stance_row(row: StanceRow, d: Digest) -> dict[str, Any]:
    return {
        "camp": row.camp,
        "name": row.name,
        "compared": row.compared,
        "positions": {p.id: _counts(c) for p, c in zip(d.positions, row.cells, strict=True)},
    }


def _story(s: StoryDigest) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "pieces": s.pieces,
        "outlets": s.outlets,
        "camps": list(s.camps),
        "origin": _carrier(s.origin),
        "carriers": [_carrier(c) for c in s.carriers],
        "balance": {pid: {b.camp: _counts(b.counts) for b in camps} for pid, camps in s.balance},
    }


def _carrier(c: StoryCarrier) -> dict[str, Any]:
    return {
        "article_id": c.article_id,
        "title": c.title,
        "url": c.url,
        "linkable": c.link is not None,
        "outlet": c.outlet,
        "camp": c.camp,
        "date": _time(c.date),
        "this_week": c.this_week,
    }
