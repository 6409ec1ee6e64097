"""``StoryGrouper``: puts each stored piece in a story as it arrives, and keeps the index
in step with the store.

The store holds every piece's story and fingerprint (``StoryMember``), so the index is
never the only copy: a daemon that restarts reads the fingerprints back — no text, no
shingling — in one pass (``load``), which ``benchmarks/stories.py`` times. Several daemons
sharing PostgreSQL each hold an index, so placing is done in turns (``story_turn``: one
transaction at a time holds it): in its turn a daemon first looks for pieces grouped
elsewhere since it last looked (their ids only: the fingerprints are read when there are
some), so two crawlers storing copies of one wire story at the same moment still put them
in one story. Every ``SYNC_SECONDS`` it also re-reads the recent members whole, which
shows a piece another daemon moved to another story.

The stage does not import the store: it talks to anything with the ``StoryLedger``
methods, which ``monitor.store.Store`` has.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Protocol

from monitor.models import StoryMember

from .index import Fingerprint, StoryIndex, fingerprint

log = logging.getLogger(__name__)

#: least seconds between two looks at what other daemons grouped
SYNC_SECONDS = 2.0
#: a look re-reads members this many article ids below the newest one known, so a piece
#: another daemon stored earlier but grouped later is still seen
LOOKBACK_IDS = 256


class StoryLedger(Protocol):
    """Where stories are kept (``monitor.store.Store``)."""

    def story_turn(self) -> AbstractContextManager[None]:
        """A transaction in which this process alone places pieces."""
        ...

    def story_member_count(self, *, after_article_id: int = 0) -> int:
        """How many grouped pieces have a larger article id."""
        ...

    def story_members(self, *, after_article_id: int = 0) -> Iterator[StoryMember]:
        """Every grouped piece with a larger article id, by article id."""
        ...

    def save_story_member(
        self,
        article_id: int,
        story_id: int | None,
        *,
        exact: str,
        signature: bytes | None,
        shingles: int,
    ) -> StoryMember:
        """Put the piece in ``story_id`` (None: a new story), replacing its old place."""
        ...


class StoryGrouper:
    def __init__(
        self, ledger: StoryLedger, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._ledger = ledger
        self._index = StoryIndex()
        self._lock = threading.Lock()
        self._monotonic = monotonic
        self._synced_at: float | None = None
        self._watermark = 0

    def __len__(self) -> int:
        return len(self._index)

    @property
    def index(self) -> StoryIndex:
        return self._index

    def load(self) -> int:
        """Read every stored member into the index; returns how many it holds."""
        with self._lock:
            self._read(after=0)
            return len(self._index)

    def assign(
        self, article_id: int, text: str, computed: Fingerprint | None = None
    ) -> StoryMember:
        """Place one stored piece; a piece whose words have not changed keeps its story.
        ``computed``: the text's fingerprint, when it was taken elsewhere (a page worker)."""
        fp = computed if computed is not None else fingerprint(text)
        with self._lock:
            with self._ledger.story_turn():
                self._catch_up()
                known = self._index.member(article_id)
                if known is not None and known.exact == fp.exact:
                    return known
                member = self._ledger.save_story_member(
                    article_id,
                    self._index.place(fp, article_id=article_id),
                    exact=fp.exact,
                    signature=fp.signature_bytes(),
                    shingles=fp.size,
                )
            # only once the turn is committed: the index never holds a piece the store
            # does not (``_catch_up`` counts on it)
            self._index.add(member, fp)
            self._watermark = max(self._watermark, article_id)
            return member

    def assign_many(self, pieces: Iterable[tuple[int, str]]) -> int:
        """Place pieces not grouped yet (the back-fill of a store from before stories);
        returns how many were placed."""
        done = 0
        for article_id, text in pieces:
            if article_id not in self._index:
                self.assign(article_id, text)
                done += 1
        return done

    def _catch_up(self) -> None:
        """Take in what was grouped elsewhere since the last look (in a turn: nothing can
        be grouped meanwhile). Between two full looks, the store only counts the members
        above the look-back point: every one the index holds is in the store, so the
        counts differ exactly when the store holds one the index does not."""
        if self._synced_at is None:
            self._read(after=0)
            return
        after = max(self._watermark - LOOKBACK_IDS, 0)
        if self._monotonic() - self._synced_at >= SYNC_SECONDS:
            self._read(after=after)
            return
        held = sum(1 for article_id in range(after + 1, self._watermark + 1)
                   if article_id in self._index)  # fmt: skip
        if self._ledger.story_member_count(after_article_id=after) != held:
            self._read(after=after)

    def _read(self, *, after: int) -> None:
        """Take in members from the ledger (those changed since we had them, too)."""
        batch: list[StoryMember] = []
        for member in self._ledger.story_members(after_article_id=after):
            known = self._index.member(member.article_id)
            if known is not None and (known.story_id, known.exact) != (
                member.story_id,
                member.exact,
            ):
                self._index.discard(member.article_id)
            if member.article_id not in self._index:
                batch.append(member)
            self._watermark = max(self._watermark, member.article_id)
        if batch:
            self._index.add_many(batch)
            if after == 0:
                log.info("story index: %d grouped pieces read back", len(batch))
        self._synced_at = self._monotonic()
