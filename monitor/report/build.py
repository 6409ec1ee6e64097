"""``build_digest``: one week's ``DigestInput`` in, one ``Digest`` out, every number in it
computed here once. Pure apart from one fallback: an input without ``generated_at`` is
stamped with the current time (the pipeline passes its injected clock's time)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from monitor.errors import ReportError
from monitor.models import WEAK_CONFIDENCE, DigestInput

from .coverage import all_calls, camp_coverage, source_coverage, stance_table
from .framing import camp_framings
from .health import crawl_health, failing
from .model import Digest
from .pieces import every_piece
from .positions import corrected_calls, position_digests
from .stories import count_stories, story_table, week_stories, wire_flows
from .summary import Week, at_a_glance, summary_text
from .trends import history_grid, trends
from .view import index_week
from .weeks import week_bounds, week_of

log = logging.getLogger(__name__)


def build_digest(data: DigestInput) -> Digest:
    """The weekly digest of ``data``. Raises ``ReportError`` if the input contradicts
    itself (a week label whose bounds are not ``start``/``end``, naive datetimes)."""
    _check(data)
    view = index_week(data)
    camps = camp_coverage(view)
    table = stance_table(view)
    positions = position_digests(view)
    crawl = crawl_health(view)
    articles = len(data.articles)
    outlets = len({a.source_id for a in data.articles})
    not_compared = articles - view.compared(data.articles)
    calls = all_calls(table)
    # "" marks an analyst's label on a position the differ has not analysed: no version
    versions = sorted(
        {
            s.positions_version
            for rows in view.stances.values()
            for s in rows.values()
            if s.positions_version
        }
    )
    if len(versions) > 1:
        log.warning("digest %s mixes positions versions %s", data.week, versions)
    generated = (data.generated_at or datetime.now(UTC)).astimezone(UTC)
    grid = history_grid(view)
    last_label = week_of(data.start - timedelta(days=7))
    glance = at_a_glance(
        Week(
            week=data.week,
            start=data.start,
            end=data.end,
            articles=articles,
            outlets=outlets,
            not_compared=not_compared,
            camps=camps,
            table=table,
            positions=positions,
            failing=failing(crawl),
            calls=calls,
            last_week=grid.get(last_label),
        )
    )
    stories = week_stories(view)
    return Digest(
        week=data.week,
        start=data.start,
        end=data.end,
        generated_at=generated,
        summary=summary_text(glance),
        articles=articles,
        outlets=outlets,
        not_compared=not_compared,
        camps=camps,
        sources=source_coverage(view),
        stance_table=table,
        positions=positions,
        framing=camp_framings(view),
        crawl=crawl,
        method=data.method or "not recorded",
        positions_versions=tuple(versions),
        calls=calls,
        corrections=corrected_calls(view),
        weak_below=WEAK_CONFIDENCE,
        pieces=every_piece(view),
        glance=glance,
        trends=trends(view, table, grid),
        stories=count_stories(view),
        story_list=stories,
        wire_flows=wire_flows(view, stories),
        story_table=story_table(view),
    )


def _check(data: DigestInput) -> None:
    start, end = week_bounds(data.week)
    for name, moment in (
        ("start", data.start),
        ("end", data.end),
        ("generated_at", data.generated_at),
    ):
        if moment is not None and moment.utcoffset() is None:
            raise ReportError(
                f"digest {data.week}: {name} is a naive datetime; the report needs UTC-aware times",
                reason="naive_datetime",
            )
    if (data.start, data.end) != (start, end):
        raise ReportError(
            f"digest {data.week}: input covers {data.start.isoformat()} to "
            f"{data.end.isoformat()}, but {data.week} runs from {start.isoformat()} "
            f"to {end.isoformat()}",
            reason="week_mismatch",
        )
