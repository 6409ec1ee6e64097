"""Earlier weeks, summed in the database: the camp × position balance and the troop
figures each outlet claimed, for the digest's trends and its "what moved since last week".

One grouped query per question covers every requested week at once (a ``CASE`` on
``dated_at`` names each row's week), so the work is bounded by the pieces of those weeks,
found through the ``dated_at`` index, never by the size of the whole archive. An analyst's
label wins over the differ's call here as everywhere else.

Functions over an open connection; ``Store`` owns transactions and argument checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, case, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from monitor.models import BalanceCount, TroopClaim
from monitor.store.schema import articles, corrections, framings, stances

Week = tuple[str, datetime, datetime]  # label, start (inclusive), end (exclusive)


def _week_of(weeks: Sequence[Week]) -> ColumnElement[str]:
    return case(
        *((articles.c.dated_at < end, literal(label)) for label, _, end in weeks),
        else_=literal(""),
    )


def _in_range(weeks: Sequence[Week]) -> ColumnElement[bool]:
    return and_(
        articles.c.dated_at >= min(w[1] for w in weeks),
        articles.c.dated_at < max(w[2] for w in weeks),
    )


def balance(conn: Connection, weeks: Sequence[Week]) -> list[BalanceCount]:
    """Echo / contest / mixed calls per week × camp × position (absent calls left out)."""
    if not weeks:
        return []
    weeks = sorted(weeks, key=lambda w: w[1])
    week = _week_of(weeks).label("week")
    label = corrections.alias("label")
    called = func.coalesce(label.c.stance, stances.c.stance).label("stance")
    differ_rows = (
        select(week, articles.c.camp, stances.c.position_id, called, func.count().label("n"))
        .select_from(
            articles.join(stances, stances.c.article_id == articles.c.id).outerjoin(
                label,
                and_(
                    label.c.article_id == stances.c.article_id,
                    label.c.position_id == stances.c.position_id,
                ),
            )
        )
        .where(_in_range(weeks))
        .group_by(week, articles.c.camp, stances.c.position_id, called)
    )
    # labels on positions the differ has no row for (rare: a position added since)
    own = (
        select(
            week,
            articles.c.camp,
            corrections.c.position_id,
            corrections.c.stance,
            func.count().label("n"),
        )
        .select_from(articles.join(corrections, corrections.c.article_id == articles.c.id))
        .outerjoin(
            stances,
            and_(
                stances.c.article_id == corrections.c.article_id,
                stances.c.position_id == corrections.c.position_id,
            ),
        )
        .where(_in_range(weeks), stances.c.article_id.is_(None))
        .group_by(week, articles.c.camp, corrections.c.position_id, corrections.c.stance)
    )
    tally: dict[tuple[str, str, str], dict[str, int]] = {}
    for query in (differ_rows, own):
        for row in conn.execute(query):
            if row.stance == "absent" or not row.week:
                continue
            cell = tally.setdefault((row.week, row.camp, row.position_id), {})
            cell[row.stance] = cell.get(row.stance, 0) + int(row.n)
    return [
        BalanceCount(week=w, camp=c, position_id=p, **counts)
        for (w, c, p), counts in sorted(tally.items())
    ]


def troop_claims(conn: Connection, weeks: Sequence[Week]) -> list[TroopClaim]:
    """Per week and outlet: how many pieces claimed a troop count, the lowest and highest."""
    if not weeks:
        return []
    weeks = sorted(weeks, key=lambda w: w[1])
    week = _week_of(weeks).label("week")
    query = (
        select(
            week,
            articles.c.source_id,
            func.count().label("pieces"),
            func.min(framings.c.troop_count).label("low"),
            func.max(framings.c.troop_count).label("high"),
        )
        .select_from(articles.join(framings, framings.c.article_id == articles.c.id))
        .where(_in_range(weeks), framings.c.troop_count > 0)
        .group_by(week, articles.c.source_id)
    )
    rows = [r for r in conn.execute(query) if r.week]
    return sorted(
        (
            TroopClaim(
                week=r.week, source_id=r.source_id, pieces=int(r.pieces), low=r.low, high=r.high
            )
            for r in rows
        ),
        key=lambda c: (c.week, c.source_id),
    )
