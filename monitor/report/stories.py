"""Stories in the digest: wire copy counted once, and who re-ran whose.

A piece is one outlet's carrying of a text; a story is the text (a wire dispatch and its
re-runs, grouped by ``monitor.stories`` as pieces are stored). The digest counts both, so
a wire story re-run by ten outlets reads as one story with ten pieces; it lists each story
of the week that more than one outlet carried, origin first (the earliest carrier, even
one from an earlier week); it sums which camps re-ran which camp's copy; and it gives the
camp × position table counted by story — each story once per camp, by where that camp's
pieces of it lean — beside the usual count by piece. A piece not grouped yet counts as a
story of its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from monitor.models import StoredArticle, Story, StoryPiece

from .model import (
    CampBalance,
    StanceCounts,
    StanceRow,
    StoryCarrier,
    StoryDigest,
    WireFlow,
)
from .text import clean_text, safe_url
from .view import WeekView


def story_key(view: WeekView, article: StoredArticle) -> int:
    """The story a piece counts under: its story id, or minus its own id when ungrouped."""
    story = view.data.stories.get(article.id)
    return story.id if story is not None else -article.id


def count_stories(view: WeekView, articles: Iterable[StoredArticle] | None = None) -> int:
    return len({story_key(view, a) for a in (view.data.articles if articles is None else articles)})


def week_stories(view: WeekView) -> tuple[StoryDigest, ...]:
    """The stories of the week's grouped pieces: most outlets first."""
    week: dict[int, list[StoredArticle]] = defaultdict(list)
    stories: dict[int, Story] = {}
    for article in view.data.articles:
        story = view.data.stories.get(article.id)
        if story is not None:
            week[story.id].append(article)
            stories[story.id] = story
    found = []
    for story_id, pieces in week.items():
        found.append(_story(view, stories[story_id], pieces))
    found.sort(key=lambda s: (-s.outlets, -s.pieces, s.origin.date, s.id))
    return tuple(found)


def _story(view: WeekView, story: Story, pieces: list[StoredArticle]) -> StoryDigest:
    carriers = tuple(_carrier(view, p, in_week={a.id for a in pieces}) for p in story.pieces)
    camps = tuple(dict.fromkeys(c.camp for c in carriers))
    balance = tuple(
        (
            pid,
            tuple(
                CampBalance(camp=camp, name=view.camp_name(camp), counts=counts)
                for camp in view.camps
                if (counts := view.counts([a for a in pieces if a.camp == camp], pid)).total
            ),
        )
        for pid in view.position_ids
    )
    return StoryDigest(
        id=story.id,
        title=carriers[0].title,
        origin=carriers[0],
        carriers=carriers,
        pieces=len(pieces),
        outlets=len({p.source_id for p in story.pieces}),
        camps=camps,
        balance=balance,
    )


def _carrier(view: WeekView, piece: StoryPiece, in_week: set[int]) -> StoryCarrier:
    return StoryCarrier(
        article_id=piece.article_id,
        outlet=view.outlet(piece.source_id),
        camp=piece.camp,
        camp_name=view.camp_name(piece.camp),
        date=piece.dated_at,
        title=clean_text(piece.title or "", limit=300) or "(untitled)",
        url=clean_text(piece.url, limit=2000),
        link=safe_url(piece.url),
        this_week=piece.article_id in in_week,
    )


def wire_flows(view: WeekView, found: tuple[StoryDigest, ...]) -> tuple[WireFlow, ...]:
    """Per (origin camp, re-running camp): the stories and re-run pieces between them."""
    stories: Counter[tuple[str, str]] = Counter()
    pieces: Counter[tuple[str, str]] = Counter()
    for story in found:
        seen: set[tuple[str, str]] = set()
        for carrier in story.carriers[1:]:
            key = (story.origin.camp, carrier.camp)
            pieces[key] += 1
            if key not in seen:
                seen.add(key)
                stories[key] += 1
    return tuple(
        WireFlow(
            origin_camp=o,
            origin_name=view.camp_name(o),
            rerun_camp=r,
            rerun_name=view.camp_name(r),
            stories=n,
            pieces=pieces[(o, r)],
        )
        for (o, r), n in sorted(stories.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def story_table(view: WeekView) -> tuple[StanceRow, ...]:
    """The camp × position table counted by story: each story once per camp, as echo,
    contest or mixed by where that camp's pieces of it lean (as many echo as contest:
    mixed). Pieces not compared with the baseline yet are left out, as in the piece table."""
    rows = []
    for camp in view.camps:
        by_story: dict[int, list[StoredArticle]] = defaultdict(list)
        for article in view.articles_of(camp):
            by_story[story_key(view, article)].append(article)
        compared = [group for group in by_story.values() if view.compared(group)]
        cells = []
        for pid in view.position_ids:
            tally: Counter[str] = Counter()
            for group in compared:
                leaning = view.counts(group, pid).leaning
                if leaning != "none":
                    tally["mixed" if leaning == "split" else leaning] += 1
            cells.append(
                StanceCounts(echo=tally["echo"], contest=tally["contest"], mixed=tally["mixed"])
            )
        rows.append(
            StanceRow(
                camp=camp, name=view.camp_name(camp), compared=len(compared), cells=tuple(cells)
            )
        )
    return tuple(rows)
