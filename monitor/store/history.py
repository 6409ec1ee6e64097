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

from sqlalchemy import Connection, and_, case, exists, func, literal, literal_column, select
from sqlalchemy.sql.elements import ColumnElement

from monitor.models import BalanceCount, TroopClaim
from monitor.store.schema import articles, corrections, framings, stances

Week = tuple[str, datetime, datetime]  # label, start (inclusive), end (exclusive)
# a literal, not a bound parameter, so the partial index of called stances can serve it
NOT_ADDRESSED = literal_column("'absent'")
NO_TROOPS = literal_column("0")


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
    """Echo / contest / mixed calls per week × camp × position (absent calls left out).

    Two grouped queries: the differ's calls on pieces no analyst labelled on that
    position, and the analysts' labels. The first reads only indexes — ``articles
    (dated_at, camp, …)`` and the partial index of the stances that are not absent — so
    its cost follows the calls of those weeks, not the size of the rows behind them."""
    if not weeks:
        return []
    weeks = sorted(weeks, key=lambda w: w[1])
    week = _week_of(weeks).label("week")
    labelled = exists().where(
        corrections.c.article_id == stances.c.article_id,
        corrections.c.position_id == stances.c.position_id,
    )
    differ_calls = (
        select(week, articles.c.camp, stances.c.position_id, stances.c.stance, func.count())
        .select_from(articles.join(stances, stances.c.article_id == articles.c.id))
        .where(_in_range(weeks), stances.c.stance != NOT_ADDRESSED, ~labelled)
        .group_by(week, articles.c.camp, stances.c.position_id, stances.c.stance)
    )
    labels = (
        select(week, articles.c.camp, corrections.c.position_id, corrections.c.stance, func.count())
        .select_from(articles.join(corrections, corrections.c.article_id == articles.c.id))
        .where(_in_range(weeks), corrections.c.stance != NOT_ADDRESSED)
        .group_by(week, articles.c.camp, corrections.c.position_id, corrections.c.stance)
    )
    tally: dict[tuple[str, str, str], dict[str, int]] = {}
    for query in (differ_calls, labels):
        for label, camp, position_id, stance, n in conn.execute(query):
            if not label:
                continue
            cell = tally.setdefault((label, camp, position_id), {})
            cell[stance] = cell.get(stance, 0) + int(n)
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
        .where(_in_range(weeks), framings.c.troop_count > NO_TROOPS)
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
