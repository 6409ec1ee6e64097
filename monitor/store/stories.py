"""Stories in the store: each grouped piece's story and fingerprint, and stories read back
with every outlet that carried them.

Functions over an open connection; ``Store`` owns transactions and argument checks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from monitor.models import Story, StoryMember, StoryPiece
from monitor.store import codec
from monitor.store.schema import articles, stories, story_members


def save_member(
    conn: Connection, article_id: int, story_id: int | None, values: dict[str, Any], at: datetime
) -> StoryMember:
    """Put the piece in ``story_id``, or in a new story when it is None (or gone)."""
    if story_id is not None:
        found = conn.execute(select(stories.c.id).where(stories.c.id == story_id)).first()
        if found is None:
            story_id = None
    if story_id is None:
        story_id = int(
            conn.execute(insert(stories).values(created_at=at).returning(stories.c.id)).scalar_one()
        )
    conn.execute(delete(story_members).where(story_members.c.article_id == article_id))
    conn.execute(
        insert(story_members).values(
            article_id=article_id, story_id=story_id, assigned_at=at, **values
        )
    )
    return StoryMember(
        article_id=article_id,
        story_id=story_id,
        exact=values["exact_hash"],
        signature=values["signature"],
        shingles=values["shingles"],
    )


def member_count_after(conn: Connection, after_article_id: int) -> int:
    """How many grouped pieces have an article id above ``after_article_id`` (a count
    over the primary key's index: no row is read out)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(story_members)
            .where(story_members.c.article_id > after_article_id)
        ).scalar_one()
    )


def members_after(conn: Connection, after_article_id: int, limit: int) -> list[StoryMember]:
    rows = conn.execute(
        select(story_members)
        .where(story_members.c.article_id > after_article_id)
        .order_by(story_members.c.article_id)
        .limit(limit)
    ).all()
    return [
        StoryMember(
            article_id=r.article_id,
            story_id=r.story_id,
            exact=r.exact_hash,
            signature=bytes(r.signature) if r.signature is not None else None,
            shingles=r.shingles,
        )
        for r in rows
    ]


def all_grouped(conn: Connection) -> bool:
    """Whether every piece is in a story: a member row is one piece's (its key, removed
    with the piece), so equal counts mean none is missing. Two counts over narrow
    indexes, where looking for the missing ones reads every stored piece's row."""
    pieces = conn.execute(select(func.count()).select_from(articles)).scalar_one()
    members = conn.execute(select(func.count()).select_from(story_members)).scalar_one()
    return int(members) >= int(pieces)


def ungrouped(conn: Connection, after_id: int, limit: int) -> list[tuple[int, str]]:
    """(id, text) of pieces with no story yet, by id (keyset pagination)."""
    rows = conn.execute(
        select(articles.c.id, articles.c.text)
        .outerjoin(story_members, story_members.c.article_id == articles.c.id)
        .where(articles.c.id > after_id, story_members.c.article_id.is_(None))
        .order_by(articles.c.id)
        .limit(limit)
    ).all()
    return [(int(r.id), r.text) for r in rows]


def stories_of(conn: Connection, article_ids: list[int]) -> dict[int, Story]:
    """The story of each given piece (absent: not grouped yet), with all its pieces."""
    story_of: dict[int, int] = {}
    for chunk in codec.chunks(article_ids):
        for r in conn.execute(
            select(story_members.c.article_id, story_members.c.story_id).where(
                story_members.c.article_id.in_(chunk)
            )
        ):
            story_of[r.article_id] = r.story_id
    pieces: dict[int, list[StoryPiece]] = {}
    for chunk in codec.chunks(sorted(set(story_of.values()))):
        rows = conn.execute(
            select(
                story_members.c.story_id,
                articles.c.id,
                articles.c.source_id,
                articles.c.camp,
                articles.c.dated_at,
                articles.c.title,
                articles.c.url,
            )
            .join(articles, articles.c.id == story_members.c.article_id)
            .where(story_members.c.story_id.in_(chunk))
        )
        for r in rows:
            pieces.setdefault(r.story_id, []).append(
                StoryPiece(
                    article_id=r.id,
                    source_id=r.source_id,
                    camp=codec.camp(r.camp),
                    dated_at=r.dated_at,
                    title=r.title,
                    url=r.url,
                )
            )
    built = {
        sid: Story(id=sid, pieces=tuple(sorted(ps, key=lambda p: (p.dated_at, p.article_id))))
        for sid, ps in pieces.items()
    }
    return {aid: built[sid] for aid, sid in story_of.items()}
