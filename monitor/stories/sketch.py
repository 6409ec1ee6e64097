"""MinHash signatures (datasketch) of a piece's shingles, and what two of them say.

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
_Drawn = tuple[npt.NDArray[np.uint64], Signature, Signature]


@cache
def _permutations() -> _Drawn:
    """The permutations, drawn once (datasketch draws them per MinHash otherwise) and only
    when a piece is first grouped: importing datasketch pulls in scipy (~0.35 s), a cost
    every ``monitor digest`` or ``status`` paid for nothing."""
    from datasketch import MinHash

    perms = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations
    return perms, perms[0].astype(np.uint32)[None, :], perms[1].astype(np.uint32)[None, :]


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
    hv = _fmix32(shingles.astype(np.uint32))[:, None]
    with np.errstate(over="ignore"):
        return (hv * a + b).min(axis=0)


def _fmix32(h: Hashes) -> Hashes:
    """MurmurHash3's 32-bit finalizer, as datasketch's affine32 scheme pre-mixes input."""
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint32(16))
        h = h * np.uint32(0x85EBCA6B)
        h = h ^ (h >> np.uint32(13))
        h = h * np.uint32(0xC2B2AE35)
        return h ^ (h >> np.uint32(16))


def to_bytes(sig: Signature) -> bytes:
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes) -> Signature:
    if len(data) != NUM_PERM * 4:
        raise ValueError(f"a signature is {NUM_PERM * 4} bytes, got {len(data)}")
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)


def jaccard(sig: Signature, others: npt.NDArray[np.uint32]) -> npt.NDArray[np.float64]:
    """Estimated Jaccard similarity of ``sig`` with each row of ``others``."""
    return np.count_nonzero(others == sig, axis=1) / NUM_PERM


def containment(
    jac: npt.NDArray[np.float64], size: int, sizes: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Share of the smaller set inside the larger, from Jaccard and the two sizes:
    |A∩B| = J·(|A|+|B|)/(1+J)."""
    inter = jac * (size + sizes) / (1.0 + jac)
    smaller = np.maximum(np.minimum(size, sizes), 1)
    return np.clip(inter / smaller, 0.0, 1.0)
