"""The LSH buckets: which stored pieces share a band of MinHash values with a new one.

A signature of 128 values is cut into ``BANDS`` bands of ``ROWS`` values; two pieces that
agree on a whole band become candidates. With 64 bands of 2 a pair at Jaccard 0.2 (a
re-run trimmed to a quarter of its original) is a candidate 93 % of the time, a pair at
0.01 (two stories on one topic) 0.6 %.

datasketch's ``MinHashLSH`` builds these buckets as a Python set per bucket: at 64 bands
that measured 2 GB and 2,700 inserts/s per 100,000 pieces (``benchmarks/stories.py``
prints it beside this index), too much for a daemon that runs for months. Here each band
key is one uint64 (the band's two values side by side, salted by band number, then mixed
so keys spread evenly over 64 bits) in a sorted numpy array beside the row it belongs to —
12 bytes per band and piece — and new keys wait in a dict until ``FLUSH`` pieces have
come, then merge in one pass. Rebuilding after a restart is one vectorised pass and one
sort.

A lookup does not binary-search the sorted keys (at 100,000 pieces, 6.4 million keys: a
cache miss at nearly every step). A directory indexed by a key's top bits gives the two to
four sorted keys that can equal it, and the 64 keys of a query are matched against their
slices in one gather: placing 100,000 pieces went from 24 to 12 s of CPU time.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .sketch import NUM_PERM

BANDS = 64
ROWS = NUM_PERM // BANDS
#: pieces whose keys wait in the dict before they merge into the sorted arrays
FLUSH = 4096
#: top bits of a key that mark it as waiting: 2 MiB, at most an eighth of them marked
#: (FLUSH * BANDS keys), so a query's 64 keys meet few false marks
_MARK_BITS = 21
_MARK_SHIFT = np.uint64(64 - _MARK_BITS)
#: mean sorted keys per directory slot (2 to 4): the directory costs 4 bytes per slot
_SLOT_KEYS = 2

Keys = npt.NDArray[np.uint64]
Rows = npt.NDArray[np.int32]
_SALTS = np.random.default_rng(0x5EED).integers(0, 2**63, BANDS, dtype=np.uint64)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S27, _S30, _S31 = np.uint64(27), np.uint64(30), np.uint64(31)


def band_keys(signatures: npt.NDArray[np.uint32]) -> Keys:
    """``(n, BANDS)`` keys of ``(n, NUM_PERM)`` signatures (ROWS must be 2): a band's two
    values read as one 64-bit number in place. Keys live only in memory (a restart bands
    the stored signatures again), so the byte order they are read in is free."""
    sig = np.ascontiguousarray(signatures, dtype=np.uint32).reshape(-1, NUM_PERM)
    return _mix64(sig.view(np.uint64) ^ _SALTS)


def counted(rows: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The distinct ``rows``, sorted, and how often each occurs (``np.unique``'s answer
    without its general-purpose overhead, which cost as much as a lookup)."""
    rows = np.sort(rows)
    first = np.empty(len(rows), dtype=bool)
    first[:1] = True
    np.not_equal(rows[1:], rows[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return rows[starts], np.diff(starts, append=len(rows))


def _mix64(z: Keys) -> Keys:
    """SplitMix64's finalizer, a bijection, in place: MinHash values are minima, so small,
    and the raw keys would crowd a few directory slots; mixed, they spread evenly. (Arrays
    wrap silently at 64 bits; no ``errstate`` needed, which cost as much as the mixing.)"""
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


def _interleave(
    old: npt.NDArray[np.generic],
    new: npt.NDArray[np.generic],
    at: npt.NDArray[np.intp],
    kept: npt.NDArray[np.bool_],
) -> npt.NDArray[np.generic]:
    """``old`` with ``new`` placed at ``at`` (positions in the result; ``kept`` marks the
    rest, where ``old`` goes in order)."""
    out = np.empty(len(kept), dtype=old.dtype)
    out[at] = new
    out[kept] = old
    return out


class BandIndex:
    """Rows (small ints the caller owns) filed under their band keys."""

    def __init__(self) -> None:
        self._keys: Keys = np.empty(0, dtype=np.uint64)
        self._rows: Rows = np.empty(0, dtype=np.int32)
        # _slots[j]: where the sorted keys whose top bits are j start; _shift: 64 - bits
        self._slots: npt.NDArray[np.int32] = np.zeros(2, dtype=np.int32)
        self._bits = 0  # none yet: the first merge builds the directory
        self._shift = np.uint64(63)
        # keys not merged yet, for lookups: the first row filed under a key, and any
        # further ones; and as filed, for the merge (arrays join faster than dicts unpack)
        self._pending: dict[int, int] = {}
        self._more: dict[int, list[int]] = {}
        self._waiting: list[Keys] = []
        self._waiting_rows: list[int] = []
        # which waiting keys there may be, by their top bits: a query looks up in the dict
        # only the few keys marked here, not all 64 (at 100,000 keys waiting, each dict
        # lookup is a few cache misses: that was a sixth of placing a piece)
        self._marked = np.zeros(1 << _MARK_BITS, dtype=bool)

    def add(self, row: int, keys: Keys) -> None:
        marks = keys >> _MARK_SHIFT
        maybe = keys[self._marked[marks]]
        self._marked[marks] = True
        listed = keys.tolist()
        clash = self._pending.keys() & maybe.tolist() if len(maybe) else ()
        first = {key: self._pending[key] for key in clash}  # a key keeps its first row
        for key in clash:
            self._more.setdefault(key, []).append(row)
        self._pending.update(dict.fromkeys(listed, row))
        self._pending.update(first)
        self._waiting.append(keys)
        self._waiting_rows.append(row)
        if len(self._waiting) >= FLUSH:
            self.flush()

    def add_many(self, rows: npt.NDArray[np.int64], keys: Keys) -> None:
        """File many rows at once (``keys`` is ``(len(rows), BANDS)``): the restart path."""
        self.flush()
        self._merge(keys.reshape(-1), np.repeat(rows.astype(np.int32), BANDS))

    def query(self, keys: Keys) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Rows sharing at least one band key with ``keys``, and in how many bands each
        (the more bands, the more alike: the expected share is Jaccard squared)."""
        return counted(self.matches(keys))

    def matches(self, keys: Keys) -> npt.NDArray[np.int64]:
        """``query``'s rows unsorted, each once per band it shares: what placing needs
        when there are few (sorting and counting them cost as much as the lookup)."""
        found = self._sorted_matches(keys) if len(self._keys) else np.empty(0, np.int64)
        if not self._pending:
            return found
        listed = keys[self._marked[keys >> _MARK_SHIFT]].tolist()
        if not listed:
            return found
        waiting = [self._pending[k] for k in self._pending.keys() & listed]
        for key in self._more.keys() & listed:
            waiting.extend(self._more[key])
        return np.concatenate((found, np.array(waiting, dtype=np.int64))) if waiting else found

    def _sorted_matches(self, keys: Keys) -> npt.NDArray[np.int64]:
        slot = keys >> self._shift
        lo, hi = self._slots[slot], self._slots[slot + 1]
        lengths = hi - lo
        total = int(lengths.sum())
        if not total:
            return np.empty(0, dtype=np.int64)
        # every sorted key in the query's slots, beside the query key it may equal
        starts = np.cumsum(lengths) - lengths
        at = np.repeat(lo - starts, lengths) + np.arange(total)
        same = self._keys[at] == np.repeat(keys, lengths)
        return self._rows[at[same]].astype(np.int64)

    def flush(self) -> None:
        if not self._waiting:
            return
        keys = np.concatenate(self._waiting)
        owners = np.repeat(
            np.array(self._waiting_rows, dtype=np.int32), [len(k) for k in self._waiting]
        )
        self._pending, self._more, self._waiting, self._waiting_rows = {}, {}, [], []
        self._marked[:] = False
        self._merge(keys, owners)

    def _merge(self, keys: Keys, owners: Rows) -> None:
        order = np.argsort(keys, kind="stable")
        keys, owners = keys[order], owners[order]
        # where each new key lands among the merged ones (``np.insert`` would find the same
        # places but sort them again, twice: a third of the merge)
        at = np.searchsorted(self._keys, keys, side="right")
        at += np.arange(len(keys), dtype=at.dtype)
        kept = np.ones(len(self._keys) + len(keys), dtype=bool)
        kept[at] = False
        self._keys = _interleave(self._keys, keys, at, kept)
        self._rows = _interleave(self._rows, owners, at, kept)
        bits = max(1, (len(self._keys) // _SLOT_KEYS).bit_length() - 1)
        if bits == self._bits:
            # same slots: shift each slot's start by the new keys below it, not recount
            # all the keys (at 100,000 pieces, 6.4 million of them at every merge)
            added = np.bincount((keys >> self._shift).astype(np.intp), minlength=1 << bits)
            self._slots[1:] += np.cumsum(added).astype(np.int32)
            return
        self._bits, self._shift = bits, np.uint64(64 - bits)
        counts = np.bincount((self._keys >> self._shift).astype(np.intp), minlength=1 << bits)
        self._slots = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)

    @property
    def nbytes(self) -> int:
        return int(self._keys.nbytes + self._rows.nbytes + self._slots.nbytes)
