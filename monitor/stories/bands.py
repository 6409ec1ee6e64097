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
#: mean sorted keys per directory slot (2 to 4): the directory costs 4 bytes per slot
_SLOT_KEYS = 2

Keys = npt.NDArray[np.uint64]
Rows = npt.NDArray[np.int32]
_SALTS = np.random.default_rng(0x5EED).integers(0, 2**63, BANDS, dtype=np.uint64)


def band_keys(signatures: npt.NDArray[np.uint32]) -> Keys:
    """``(n, BANDS)`` keys of ``(n, NUM_PERM)`` signatures (ROWS must be 2)."""
    sig = np.ascontiguousarray(signatures, dtype=np.uint32).reshape(-1, BANDS, ROWS)
    joined = (sig[:, :, 0].astype(np.uint64) << np.uint64(32)) | sig[:, :, 1].astype(np.uint64)
    return _mix64(joined ^ _SALTS)


def _mix64(z: Keys) -> Keys:
    """SplitMix64's finalizer, a bijection: MinHash values are minima, so small, and the
    raw keys would crowd a few directory slots; mixed, they spread evenly."""
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


class BandIndex:
    """Rows (small ints the caller owns) filed under their band keys."""

    def __init__(self) -> None:
        self._keys: Keys = np.empty(0, dtype=np.uint64)
        self._rows: Rows = np.empty(0, dtype=np.int32)
        # _slots[j]: where the sorted keys whose top bits are j start; _shift: 64 - bits
        self._slots: npt.NDArray[np.int32] = np.zeros(2, dtype=np.int32)
        self._shift = np.uint64(63)
        # keys not merged yet: the first row filed under a key, and any further ones
        self._pending: dict[int, int] = {}
        self._more: dict[int, list[int]] = {}
        self._pending_rows = 0

    def add(self, row: int, keys: Keys) -> None:
        listed = keys.tolist()
        clash = self._pending.keys() & listed
        if clash:
            for key in clash:
                self._more.setdefault(key, []).append(row)
            listed = [k for k in listed if k not in clash]
        self._pending.update(dict.fromkeys(listed, row))
        self._pending_rows += 1
        if self._pending_rows >= FLUSH:
            self.flush()

    def add_many(self, rows: npt.NDArray[np.int64], keys: Keys) -> None:
        """File many rows at once (``keys`` is ``(len(rows), BANDS)``): the restart path."""
        self.flush()
        self._merge(keys.reshape(-1), np.repeat(rows.astype(np.int32), BANDS))

    def query(self, keys: Keys) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Rows sharing at least one band key with ``keys``, and in how many bands each
        (the more bands, the more alike: the expected share is Jaccard squared)."""
        parts: list[npt.NDArray[np.int64]] = []
        if len(self._keys):
            slot = (keys >> self._shift).astype(np.intp)
            lo, hi = self._slots[slot], self._slots[slot + 1]
            lengths = hi - lo
            total = int(lengths.sum())
            if total:
                # every sorted key in the query's slots, beside the query key it may equal
                starts = np.cumsum(lengths) - lengths
                at = np.repeat(lo - starts, lengths) + np.arange(total)
                same = self._keys[at] == np.repeat(keys, lengths)
                parts.append(self._rows[at[same]].astype(np.int64))
        if self._pending:
            listed = keys.tolist()
            found = [self._pending[k] for k in self._pending.keys() & listed]
            for key in self._more.keys() & listed:
                found.extend(self._more[key])
            parts.append(np.array(found, dtype=np.int64))
        if not parts:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return np.unique(np.concatenate(parts), return_counts=True)

    def flush(self) -> None:
        if not self._pending:
            return
        extra = sum(map(len, self._more.values()))
        keys = np.fromiter(self._pending.keys(), dtype=np.uint64, count=len(self._pending))
        owners = np.fromiter(self._pending.values(), dtype=np.int32, count=len(self._pending))
        if extra:
            more_keys = np.fromiter(
                (k for k, rows in self._more.items() for _ in rows), np.uint64, count=extra
            )
            more_rows = np.fromiter(
                (r for rows in self._more.values() for r in rows), np.int32, count=extra
            )
            keys = np.concatenate([keys, more_keys])
            owners = np.concatenate([owners, more_rows])
        self._pending, self._more, self._pending_rows = {}, {}, 0
        self._merge(keys, owners)

    def _merge(self, keys: Keys, owners: Rows) -> None:
        order = np.argsort(keys, kind="stable")
        keys, owners = keys[order], owners[order]
        at = np.searchsorted(self._keys, keys, side="right")
        self._keys = np.insert(self._keys, at, keys)
        self._rows = np.insert(self._rows, at, owners)
        bits = max(1, (len(self._keys) // _SLOT_KEYS).bit_length() - 1)
        self._shift = np.uint64(64 - bits)
        counts = np.bincount((self._keys >> self._shift).astype(np.intp), minlength=1 << bits)
        self._slots = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)

    @property
    def nbytes(self) -> int:
        return int(self._keys.nbytes + self._rows.nbytes + self._slots.nbytes)
