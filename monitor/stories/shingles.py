"""Shingles: the overlapping runs of words (or, in Chinese and Japanese, characters) whose
shared share tells a re-run from another story.

Each shingle is one 32-bit number. Words are hashed once (CRC-32 of their UTF-8, cached:
a news vocabulary repeats) and a run of ``k`` word hashes is combined with numpy
arithmetic, so a page costs one regex scan and a few array operations rather than a Python
call per shingle. The numbers are stable across processes and machines (no ``hash()``
salt), because MinHash signatures built from them are stored and compared after restarts.
"""

from __future__ import annotations

import zlib

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
_word_cache: dict[str, int] = {}
#: words kept hashed (~12 MiB per 100,000): a news vocabulary's working set fits well
#: inside, and a daemon that runs for months never holds more (at 500,000, ~60 MiB)
_WORD_CACHE_LIMIT = 100_000


def _word_hashes(tokens: list[str]) -> Hashes:
    try:
        return np.fromiter(map(_word_cache.__getitem__, tokens), np.uint32, len(tokens))
    except KeyError:  # a word not seen yet (the vocabulary repeats: rarely)
        missing = set(tokens).difference(_word_cache)
        if len(_word_cache) + len(missing) > _WORD_CACHE_LIMIT:
            _word_cache.clear()
            missing = set(tokens)
        _word_cache.update((w, zlib.crc32(w.encode("utf-8"))) for w in missing)
        return np.fromiter(map(_word_cache.__getitem__, tokens), np.uint32, len(tokens))


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


def shingle_hashes(tokens: list[str], *, spaceless: bool) -> Hashes:
    """The distinct shingles of a folded text's ``normalise.words``, as sorted uint32:
    runs of words, or of characters when the text is ``spaceless``."""
    if spaceless:
        chars = "".join(tokens)  # spaces and punctuation carry nothing here
        units = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32)
        runs = _runs(units, CHAR_SHINGLE)
    else:
        units = _word_hashes(tokens)
        runs = _runs(units, WORD_SHINGLE)
    runs.sort()
    return runs[np.concatenate(([True], runs[1:] != runs[:-1]))] if len(runs) else runs
