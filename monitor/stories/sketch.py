"""MinHash signatures of a piece's shingles (datasketch's, computed here), and what two of
them say.

A signature is ``NUM_PERM`` 32-bit minima (datasketch's ``affine32`` scheme, fixed seed),
so it is 512 bytes in the store and means the same after a restart or on another machine.
Two signatures estimate the Jaccard similarity of their shingle sets; with the sets' sizes
that gives the *containment* of the smaller in the larger, which is what tells a trimmed
re-run (most of its text inside the original) from a story that only shares background.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .shingles import Hashes

if TYPE_CHECKING:
    from datasketch import MinHash

NUM_PERM = 128
SEED = 20241031
SCHEME = "affine32"

Signature = npt.NDArray[np.uint32]
_Drawn = tuple[npt.NDArray[np.uint32], Signature, Signature]


@cache
def _permutations() -> _Drawn:
    """The permutations, drawn once as datasketch draws them for ``affine32`` (a test holds
    the two equal) but without importing it: ``import datasketch`` imports every sketch it
    has and scipy behind them (~60 MiB resident, ~0.35 s), which a daemon grouping pieces
    would carry for its whole life."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return np.array([a, b]), a[:, None], b[:, None]


_EMPTY = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)


def minhash(values: Signature | None = None) -> MinHash:
    """A datasketch MinHash over this module's permutations, empty or with ``values``.
    Shingles are already 32-bit hashes, so the MinHash's own hash function is ``int``."""
    from datasketch import MinHash

    return MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=int,
        hashvalues=values,
        permutations=_permutations()[0],
        scheme=SCHEME,
    )


def signature(shingles: Hashes) -> Signature:
    """The MinHash signature of a shingle set (all-max for an empty one): exactly what
    ``minhash().update_batch(shingles)`` computes (a test holds the two equal), without
    its Python call per shingle, which cost as much again as the rest of grouping."""
    if not len(shingles):
        return _EMPTY.copy()
    _, a, b = _permutations()
    # one row per permutation, so each minimum is taken along contiguous memory (a tenth
    # faster than a column per permutation); arrays wrap silently at 32 bits
    values = np.multiply(a, _fmix32(shingles)[None, :])
    values += b
    return np.minimum.reduce(values, axis=1)


def _fmix32(shingles: Hashes) -> Hashes:
    """MurmurHash3's 32-bit finalizer, as datasketch's affine32 scheme pre-mixes input."""
    h = shingles.astype(np.uint32)  # a copy: mixed in place below
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def to_bytes(sig: Signature) -> bytes:
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes) -> Signature:
    if len(data) != NUM_PERM * 4:
        raise ValueError(f"a signature is {NUM_PERM * 4} bytes, got {len(data)}")
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)


def jaccard(sig: Signature, others: npt.NDArray[np.uint32]) -> npt.NDArray[np.float64]:
    """Estimated Jaccard similarity of ``sig`` with each row of ``others``."""
    return np.add.reduce(others == sig, axis=1, dtype=np.int32) / NUM_PERM


def containment(
    jac: npt.NDArray[np.float64], size: int, sizes: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Share of the smaller set inside the larger, from Jaccard and the two sizes:
    |A∩B| = J·(|A|+|B|)/(1+J)."""
    inter = jac * (size + sizes) / (1.0 + jac)
    smaller = np.maximum(np.minimum(size, sizes), 1)
    held = np.divide(inter, smaller, out=inter)
    return np.minimum(np.maximum(held, 0.0, out=held), 1.0, out=held)  # np.clip, less overhead
