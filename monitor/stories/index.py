"""The story index: every grouped piece's fingerprint in memory, and the rule that places a
new piece in a story or starts one.

The rule, in order:

1. **Same words** — a piece whose normalised-text hash (``normalise.exact_key``) equals a
   grouped piece's joins that piece's story.
2. **Near duplicate** — among the pieces the LSH buckets offer, those whose shingle sets
   hold at least ``CONTAINMENT`` of the smaller one's shingles, and are not more than
   ``1 / MIN_SIZE_RATIO`` times its size, qualify; the piece joins the story of the one that
   contains the most of it (ties: the story started first). The size bound stops a live
   blog or a weekly round-up, which carries many wire stories, from pulling them together.
3. Otherwise the piece starts a story.

Stories never merge afterwards: a piece resembling two stories joins the closer, so one
bridging piece cannot chain different stories into one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from monitor.models import StoryMember

from . import sketch
from .bands import BandIndex, Keys, band_keys, counted
from .normalise import exact_key, text_words
from .shingles import text_shingles

#: share of the smaller piece's shingles the larger must hold for the two to be one story
CONTAINMENT = 0.5
#: the smaller piece must be at least this share of the larger one's size: beyond it the
#: containment estimated from 128 MinHash values is too noisy (a fifth-size piece sharing
#: a third of its shingles with a long one read as half on the benchmark's 100,000)
MIN_SIZE_RATIO = 0.25
#: fewer distinct shingles than this and a piece is grouped by exact text only
MIN_SHINGLES = 8
#: candidates verified per piece, those sharing the most LSH bands first: on one topic
#: the buckets offer more and more chance pairs as the store grows (a re-run shares many
#: bands with its original, a chance pair one), and verifying them all grew quadratically
MAX_CANDIDATES = 256


# The least Jaccard similarity a qualifying pair can have: containment is at most
# J·(1 + larger/smaller)/(1 + J), and the size bound caps larger/smaller. Below it (less a
# hair, for rounding) no candidate needs its containment worked out.
_MOST_SUM = 1 + 1 / MIN_SIZE_RATIO
_LEAST_JACCARD = CONTAINMENT / (_MOST_SUM - CONTAINMENT) * (1 - 1e-9)


@dataclass(frozen=True)
class Fingerprint:
    """What grouping needs of a piece's text; ``signature`` is None when it is too short."""

    exact: str
    signature: sketch.Signature | None
    size: int
    bands: Keys | None = None  # the signature's LSH band keys, computed once

    def __post_init__(self) -> None:
        if self.signature is not None and self.bands is None:
            object.__setattr__(self, "bands", band_keys(self.signature[None, :])[0])

    def signature_bytes(self) -> bytes | None:
        return sketch.to_bytes(self.signature) if self.signature is not None else None


def fingerprint(text: str) -> Fingerprint:
    found = text_words(text)
    shingles = text_shingles(found.joined, spaceless=found.spaceless)
    size = len(shingles)
    sig = sketch.signature(shingles) if size >= MIN_SHINGLES else None
    return Fingerprint(exact=exact_key(found.joined), signature=sig, size=size)


def from_member(member: StoryMember) -> Fingerprint:
    sig = sketch.from_bytes(member.signature) if member.signature is not None else None
    return Fingerprint(exact=member.exact, signature=sig, size=member.shingles)


def _slim(member: StoryMember) -> StoryMember:
    """The record kept in the members dict: the signature lives in the array already.
    (Built directly: ``dataclasses.replace`` cost a tenth of placing a piece.)"""
    if member.signature is None:
        return member
    return StoryMember(member.article_id, member.story_id, member.exact, None, member.shingles)


class StoryIndex:
    """Grouped pieces by article id. Not thread-safe: ``StoryGrouper`` serialises access."""

    def __init__(self) -> None:
        self._bands = BandIndex()
        self._sigs: npt.NDArray[np.uint32] = np.zeros((1024, sketch.NUM_PERM), dtype=np.uint32)
        self._sizes: npt.NDArray[np.int64] = np.zeros(1024, dtype=np.int64)
        self._stories: npt.NDArray[np.int64] = np.zeros(1024, dtype=np.int64)
        self._alive: npt.NDArray[np.bool_] = np.zeros(1024, dtype=bool)
        self._dead = 0  # rows whose piece was discarded (their band keys stay filed)
        self._rows = 0
        self._row_of: dict[int, int] = {}  # article id -> row
        self._members: dict[int, StoryMember] = {}
        self._exact: dict[str, int] = {}  # normalised-text hash -> article id

    def __len__(self) -> int:
        return len(self._members)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._members

    def member(self, article_id: int) -> StoryMember | None:
        return self._members.get(article_id)

    @property
    def last_article_id(self) -> int:
        return max(self._members, default=0)

    # ── placing ─────────────────────────────────────────────────────────────────────

    def place(self, fp: Fingerprint, *, article_id: int | None = None) -> int | None:
        """The story a piece with ``fp`` belongs to, or None for a new one. The piece
        itself (``article_id``, when it is being placed again) is not its own match."""
        twin = self._exact.get(fp.exact)
        if twin is not None and twin != article_id and twin in self._members:
            return self._members[twin].story_id
        if fp.signature is None or fp.bands is None:
            return None
        cand = self._bands.matches(fp.bands)  # a row once per band it shares
        if article_id is not None and article_id in self._row_of:
            cand = cand[cand != self._row_of[article_id]]
        if self._dead:
            cand = cand[self._alive[cand]]
        if len(cand) > MAX_CANDIDATES:
            cand, bands = counted(cand)
            if len(cand) > MAX_CANDIDATES:
                cand = cand[np.argsort(-bands, kind="stable")[:MAX_CANDIDATES]]
        if not len(cand):
            return None
        # a row met more than once is verified more than once, to the same answer: cheaper
        # than sorting a few dozen candidates out
        jac = sketch.jaccard(fp.signature, self._sigs[cand])
        if jac.max() < _LEAST_JACCARD:
            return None  # the usual answer: only chance pairs among the candidates
        sizes = self._sizes[cand]
        held = sketch.containment(jac, fp.size, sizes)
        ratio = np.minimum(sizes, fp.size) / np.maximum(np.maximum(sizes, fp.size), 1)
        ok = (held >= CONTAINMENT) & (ratio >= MIN_SIZE_RATIO)
        if not ok.any():
            return None
        stories = self._stories[cand][ok]
        # most contained first, then the story started first
        best = np.lexsort((stories, -held[ok]))[0]
        return int(stories[best])

    # ── keeping ─────────────────────────────────────────────────────────────────────

    def add(self, member: StoryMember, fp: Fingerprint | None = None) -> None:
        """Record a grouped piece (replacing its earlier record, if any)."""
        fp = fp or from_member(member)
        self.discard(member.article_id)
        self._members[member.article_id] = _slim(member)
        self._exact.setdefault(member.exact, member.article_id)
        if fp.signature is None or fp.bands is None:
            return
        row = self._next_row()
        self._sigs[row] = fp.signature
        self._sizes[row] = fp.size
        self._stories[row] = member.story_id
        self._alive[row] = True
        self._row_of[member.article_id] = row
        self._bands.add(row, fp.bands)

    def add_many(self, members: list[StoryMember]) -> None:
        """Record many grouped pieces at once (a restart): one vectorised banding pass."""
        fresh = [m for m in members if m.article_id not in self._members]
        for m in fresh:
            self._members[m.article_id] = _slim(m)
            self._exact.setdefault(m.exact, m.article_id)
        signed = [m for m in fresh if m.signature is not None]
        if not signed:
            return
        sigs = np.frombuffer(b"".join(m.signature or b"" for m in signed), dtype="<u4")
        sigs = sigs.reshape(len(signed), sketch.NUM_PERM).astype(np.uint32)
        self._reserve(self._rows + len(signed))
        rows = np.arange(self._rows, self._rows + len(signed), dtype=np.int64)
        self._rows += len(signed)
        self._sigs[rows] = sigs
        self._sizes[rows] = [m.shingles for m in signed]
        self._stories[rows] = [m.story_id for m in signed]
        self._alive[rows] = True
        self._row_of.update(zip((m.article_id for m in signed), rows.tolist(), strict=True))
        self._bands.add_many(rows, band_keys(sigs))

    def discard(self, article_id: int) -> None:
        old = self._members.pop(article_id, None)
        if old is None:
            return
        if self._exact.get(old.exact) == article_id:
            del self._exact[old.exact]
        row = self._row_of.pop(article_id, None)
        if row is not None:
            self._alive[row] = False  # its band keys stay; queries skip dead rows
            self._dead += 1

    def _next_row(self) -> int:
        self._reserve(self._rows + 1)
        self._rows += 1
        return self._rows - 1

    def _reserve(self, rows: int) -> None:
        if rows <= len(self._sizes):
            return
        size = max(rows, 2 * len(self._sizes))
        grow = size - len(self._sizes)
        self._sigs = np.vstack([self._sigs, np.zeros((grow, sketch.NUM_PERM), np.uint32)])
        self._sizes = np.concatenate([self._sizes, np.zeros(grow, np.int64)])
        self._stories = np.concatenate([self._stories, np.zeros(grow, np.int64)])
        self._alive = np.concatenate([self._alive, np.zeros(grow, bool)])

    @property
    def nbytes(self) -> int:
        """Memory held in arrays (the dicts of members come on top)."""
        arrays = (self._sigs, self._sizes, self._stories, self._alive)
        return self._bands.nbytes + sum(int(a.nbytes) for a in arrays)
