"""Shingles: the overlapping runs of words (or, in Chinese and Japanese, characters) whose
shared share tells a re-run from another story.

Each shingle is one 32-bit number. A word is its CRC-32 (of its UTF-8), and a run of
``k`` word hashes is combined with numpy arithmetic. The CRC-32s of all of a page's words
come out of a few array operations over its bytes, with no Python object per word: CRC-32
is linear, so a word's CRC is the XOR of one table entry per byte (the byte's effect at
its distance from the word's end) and one per word length (``_crc_tables``). The numbers
are stable across processes and machines (no ``hash()`` salt), because MinHash signatures
built from them are stored and compared after restarts; they are the ``zlib.crc32`` of
each word, as they always were, so stored signatures stay valid.
"""

from __future__ import annotations

import zlib
from functools import cache

import numpy as np
import numpy.typing as npt

#: words per shingle in spaced scripts: long enough that two different stories on one
#: topic share few ("north korean troops" is everywhere, a four-word run much less so)
WORD_SHINGLE = 4
#: characters per shingle in Chinese and Japanese: at five, two different pieces on the
#: story share about one shingle in a thousand (measured on corpus/), re-runs most of theirs
CHAR_SHINGLE = 5

Hashes = npt.NDArray[np.uint32]

_MULTIPLIER = np.uint32(0x01000193)  # the FNV prime: odd, so each step is a bijection
#: the longest word (in UTF-8 bytes) the CRC tables cover; a longer one (a run of CJK
#: characters inside a mostly Latin text) is hashed on its own
_TABLE_BYTES = 64
_SPACE = 32


def shingle_hashes(tokens: list[str], *, spaceless: bool) -> Hashes:
    """The distinct shingles of a folded text's ``normalise.words``, as sorted uint32:
    runs of words, or of characters when the text is ``spaceless``."""
    return text_shingles(" ".join(tokens), spaceless=spaceless)


def text_shingles(joined: str, *, spaceless: bool) -> Hashes:
    """``shingle_hashes`` of the words joined by single spaces (``normalise.Words.joined``),
    without splitting them into Python strings."""
    if spaceless:
        chars = joined.replace(" ", "")  # spaces and punctuation carry nothing here
        units = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32)
        runs = _runs(units, CHAR_SHINGLE)
    else:
        runs = _runs(word_hashes(joined.encode("utf-8")), WORD_SHINGLE)
    runs.sort()
    return runs[np.concatenate(([True], runs[1:] != runs[:-1]))] if len(runs) else runs


def word_hashes(data: bytes) -> Hashes:
    """``zlib.crc32`` of each word of ``data`` (UTF-8 words, one space between two)."""
    if not data:
        return np.empty(0, dtype=np.uint32)
    by_distance, by_length = _crc_tables()
    octets = np.frombuffer(data, dtype=np.uint8)
    spaces = np.flatnonzero(octets == _SPACE)
    ends = np.append(spaces, len(octets))
    starts = np.concatenate(([0], spaces + 1))
    lengths = ends - starts
    # each byte's distance to the end of its word; a space's row of the table is zeros
    distance = np.repeat(ends, lengths + 1)[: len(octets)] - np.arange(1, len(octets) + 1)
    distance[spaces] = _TABLE_BYTES
    longest = int(lengths.max())
    if longest > _TABLE_BYTES:
        np.minimum(distance, _TABLE_BYTES, out=distance)
    crcs = np.bitwise_xor.reduceat(by_distance[(distance << 8) | octets], starts)
    crcs ^= by_length[np.minimum(lengths, _TABLE_BYTES)]
    if longest > _TABLE_BYTES:
        for i in np.flatnonzero(lengths > _TABLE_BYTES).tolist():
            crcs[i] = zlib.crc32(data[starts[i] : ends[i]])
    return crcs


@cache
def _crc_tables() -> tuple[Hashes, Hashes]:
    """CRC-32 split into its linear parts: ``crc32(w) = XOR of by_distance[d, byte] over
    w's bytes (d: bytes after it in w) ^ by_length[len(w)]`` (flattened, with a zero row
    at ``d = _TABLE_BYTES`` for the spaces between words)."""
    by_length = np.array([zlib.crc32(bytes(n)) for n in range(_TABLE_BYTES + 1)], np.uint32)
    by_distance = np.zeros((_TABLE_BYTES + 1, 256), dtype=np.uint32)
    for d in range(_TABLE_BYTES):
        zeros = bytes(d)
        by_distance[d] = [zlib.crc32(bytes((c,)) + zeros) for c in range(256)]
        by_distance[d] ^= by_length[d + 1]
    return by_distance.reshape(-1), by_length


def _runs(units: Hashes, k: int) -> Hashes:
    """Hash every run of ``k`` consecutive units into one number (a polynomial over the
    units, wrapping at 32 bits); fewer than ``k`` units make one run of them all."""
    n = len(units) - k + 1
    if n <= 0:
        n, k = (1, len(units)) if len(units) else (0, 0)
    out = units[:n].astype(np.uint32)  # a copy; arrays wrap silently at 32 bits
    for i in range(1, k):
        out *= _MULTIPLIER
        out += units[i : i + n]
    return out
