"""Folding a piece's text to the form in which two carriers of one wire story look alike.

A re-run differs from its wire original in ways that say nothing about the story: case,
punctuation, quotation marks, full-width or compatibility characters (NFKC folds them),
accents a CMS dropped or decomposed (``ё``/``е``, ``é``/``e``), soft hyphens and
zero-width characters inside words, and the same text in another script: letters swapped
for look-alikes (Cyrillic ``а е о р с у х і`` typed inside English words on a Cyrillic
keyboard layout, or put there to dodge copy detection), or Chinese written in Traditional
characters (a Hong Kong or Taiwan outlet re-running a Xinhua dispatch), read character by
character as Simplified with OpenCC's tables. All of these fold here,
so the shingles of the two texts meet. A transliteration or a translation is another text
and does not fold: grouping it would need a translator, not a normaliser.

Pure functions over strings, table-driven so a long page costs no per-character Python
loop. The character classes that decide (word characters, scripts) are looked up for all
of a text's code points at once in one table over Unicode, read off the regular
expressions below when first needed: a regex scan costs ~30 ns a character and a page was
scanned five or six times (folding and tokenising were three fifths of fingerprinting);
a table lookup over a numpy array of the code points costs a few µs a page. The words
come out exactly as ``\\w+`` finds them, so fingerprints stored before are unchanged.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from functools import cache
from importlib import resources
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

# Letters of Cyrillic and Greek that are drawn like a Latin letter (Unicode's confusables
# data, restricted to the lower case that ``casefold`` leaves): folded only in a text whose
# letters are mostly Latin, where they can only be look-alikes.
_LOOKALIKES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "і": "i", "ї": "i", "ј": "j",
    "к": "k", "м": "m", "н": "h", "о": "o", "п": "n", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ϲ": "c", "ϳ": "j",
}  # fmt: skip
_FOLD_LOOKALIKES = str.maketrans(_LOOKALIKES)
_LATIN = re.compile(r"[a-z]+")
_OTHER_ALPHABETIC = re.compile(r"[\u0370-\u03ff\u0400-\u052f]+")
# Combining accents, and the invisible characters CMSs put inside words (soft hyphens,
# zero-width spaces and joiners, the byte-order mark) that would split a word in two.
_MARKS = re.compile(
    r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    r"\u00ad\u200b-\u200d\u2060\ufeff]"
)
# Scripts written without spaces between words: Han, kana, and the CJK punctuation block.
_SPACELESS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LETTER = re.compile(r"[^\W\d_]+")
# Anything past Latin and IPA other than general punctuation (dashes, curly quotes).
_BEYOND_LATIN = re.compile(r"[\u0370-\u1fff\u2070-\uffff]")
#: share of a text's letters in a spaceless script above which it is shingled by characters
SPACELESS_SHARE = 0.3
_WORD = re.compile(r"\w+")


# Bits of ``_classes()``: which of the patterns above a code point matches.
_WORD_BIT, _LETTER_BIT, _BEYOND_BIT, _SPACELESS_BIT, _OTHER_BIT, _LATIN_BIT, _MARK_BIT = (
    1 << i for i in range(7)
)
_CLASS_PATTERNS = (
    (_WORD_BIT, _WORD),
    (_MARK_BIT, _MARKS),
    (_LETTER_BIT, _LETTER),
    (_BEYOND_BIT, _BEYOND_LATIN),
    (_SPACELESS_BIT, _SPACELESS),
    (_OTHER_BIT, _OTHER_ALPHABETIC),
    (_LATIN_BIT, _LATIN),
)
CodePoints = npt.NDArray[np.uint32]
Classes = npt.NDArray[np.uint8]


class Words(NamedTuple):
    """A piece's words, as grouping reads them."""

    joined: str  # ``words(fold(text))``, one space between two: what ``exact_key`` hashes
    spaceless: bool  # ``is_spaceless(fold(text))``: shingled by characters


def fold(text: str) -> str:
    """``text`` in compatibility form, case-folded, without combining accents, Traditional
    Chinese read as Simplified, and Cyrillic/Greek look-alikes read as Latin when Latin
    letters are the majority."""
    return _fold(text)[0]


def fold_text(text: str) -> tuple[str, bool]:
    """``fold(text)``, and whether the text is mostly Chinese or Japanese (``is_spaceless``),
    in one pass."""
    folded, points, classes = _fold(text)
    return folded, _spaceless(classes)


def text_words(text: str) -> Words:
    """``fold``, ``words`` and ``is_spaceless`` of a text in one pass: its code points are
    classified once and the words cut from them, never split into a string each."""
    folded, points, classes = _fold(text)
    return Words(_joined(points, classes), _spaceless(classes))


def _fold(text: str) -> tuple[str, CodePoints, Classes]:
    """The folded text, its code points and their classes. A text with no letter beyond
    Latin (most English copy) is folded and classified once; an ASCII one is only
    lower-cased (NFKD and ``casefold`` leave ASCII as ``lower`` does, with no accents)."""
    if text.isascii():
        folded = text.lower()
        points, classes = _classify(folded)
        return folded, points, classes
    folded = unicodedata.normalize("NFKD", text).casefold()
    points, classes = _classify(folded)
    if _has(classes, _MARK_BIT):
        kept = np.bitwise_and(classes, _MARK_BIT) == 0
        points, classes = points[kept], classes[kept]
        folded = points.tobytes().decode("utf-32-le", "surrogatepass")
    if not _has(classes, _BEYOND_BIT):
        return folded, points, classes
    if _has(classes, _SPACELESS_BIT):
        folded = folded.translate(_simplified())
        points, classes = _classify(folded)
    translated = False
    if _has(classes, _OTHER_BIT) and _has(classes, _LATIN_BIT):
        if _count(classes, _OTHER_BIT) < _count(classes, _LATIN_BIT):
            folded = folded.translate(_FOLD_LOOKALIKES)
            translated = True
    composed = unicodedata.normalize("NFC", folded)
    if translated or composed is not folded:  # NFC returns its argument if nothing composes
        folded = composed
        points, classes = _classify(folded)
    return folded, points, classes


def is_spaceless(folded: str) -> bool:
    """Whether the text is mostly Chinese or Japanese, whose words no space separates."""
    return _spaceless(_classify(folded)[1])


def _spaceless(classes: Classes) -> bool:
    spaceless = _count(classes, _SPACELESS_BIT)
    return spaceless > 0 and spaceless >= SPACELESS_SHARE * _count(classes, _LETTER_BIT)


def words(folded: str) -> list[str]:
    """The word tokens of a folded text (a run of CJK characters is one token): what
    ``\\w+`` finds."""
    joined = _joined(*_classify(folded))
    return joined.split(" ") if joined else []


def exact_key(joined: str) -> str:
    """The normalised-text hash of a text's words (``Words.joined``): two texts with it
    equal carry the same words in the same order, whatever their punctuation, spacing,
    case or look-alike letters."""
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def _classify(text: str) -> tuple[CodePoints, Classes]:
    # surrogatepass: a lone surrogate (a mis-decoded page) is a non-word character here,
    # as it is to the regular expressions
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return points, _classes()[points]


def _has(classes: Classes, bit: int) -> bool:
    return bool(np.bitwise_and(classes, bit).any())


def _count(classes: Classes, bit: int) -> int:
    return int(np.count_nonzero(np.bitwise_and(classes, bit)))


def _joined(points: CodePoints, classes: Classes) -> str:
    """The text's runs of word characters, one space between two runs."""
    if not len(points):
        return ""
    word = np.bitwise_and(classes, _WORD_BIT).view(bool)  # the bit is 1: a 0/1 array
    # the first character of each gap between two runs becomes their one space
    gap = np.empty_like(word)
    gap[0] = False
    np.greater(word[:-1], word[1:], out=gap[1:])
    kept = np.where(gap, np.uint32(32), points)[word | gap]
    if len(kept) and not word[-1]:
        kept = kept[:-1]  # the gap after the last run, which no run follows
    return kept.tobytes().decode("utf-32-le", "surrogatepass")


@cache
def _classes() -> Classes:
    """Every code point's classes (``_CLASS_PATTERNS`` bits), found by the patterns
    themselves over a string of all of Unicode, so the two cannot disagree (~0.2 s once
    per process; 1.1 MB)."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    table = np.zeros(sys.maxunicode + 1, dtype=np.uint8)
    for bit, pattern in _CLASS_PATTERNS:
        for run in pattern.finditer(every):
            table[run.start() : run.end()] |= bit
    return table


@cache
def _simplified() -> dict[int, str]:
    """Traditional → Simplified, one character at a time (OpenCC's ``TSCharacters``, after
    its Hong Kong and Taiwan variant tables). Phrase-level conversion, which picks between
    several Simplified readings of one character, is not needed: both copies of a text fold
    the same way, which is all shingles need."""
    folder = resources.files("opencc") / "dictionary"
    simple = _table(folder / "TSCharacters.txt")
    table = {ord(t): s for t, s in simple.items()}
    for name in ("HKVariantsRev.txt", "TWVariantsRev.txt"):
        for variant, standard in _table(folder / name).items():
            table[ord(variant)] = simple.get(standard, standard)
    return table


def _table(path: resources.abc.Traversable) -> dict[str, str]:
    """One-character entries of an OpenCC text dictionary: ``from<TAB>to [alternatives]``."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(target) == 1:
            found[source] = target
    return found
