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

Pure functions over strings, regex- and table-driven so a long page costs no per-character
Python loop.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache
from importlib import resources

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


def fold(text: str) -> str:
    """``text`` in compatibility form, case-folded, without combining accents, Traditional
    Chinese read as Simplified, and Cyrillic/Greek look-alikes read as Latin when Latin
    letters are the majority."""
    return fold_text(text)[0]


def fold_text(text: str) -> tuple[str, bool]:
    """``fold(text)``, and whether the text is mostly Chinese or Japanese (``is_spaceless``),
    in one pass for the common case: a text with no letter beyond Latin is scanned once."""
    folded = _MARKS.sub("", unicodedata.normalize("NFKD", text).casefold())
    if not _BEYOND_LATIN.search(folded):
        return folded, False
    if _SPACELESS.search(folded):
        folded = folded.translate(_simplified())
    if _OTHER_ALPHABETIC.search(folded) and _LATIN.search(folded):
        if _letters(_OTHER_ALPHABETIC, folded) < _letters(_LATIN, folded):
            folded = folded.translate(_FOLD_LOOKALIKES)
    folded = unicodedata.normalize("NFC", folded)
    return folded, is_spaceless(folded)


def _letters(pattern: re.Pattern[str], text: str) -> int:
    return sum(map(len, pattern.findall(text)))


def is_spaceless(folded: str) -> bool:
    """Whether the text is mostly Chinese or Japanese, whose words no space separates."""
    if not _SPACELESS.search(folded):
        return False
    return _letters(_SPACELESS, folded) >= SPACELESS_SHARE * _letters(_LETTER, folded)


def words(folded: str) -> list[str]:
    """The word tokens of a folded text (a run of CJK characters is one token)."""
    return _WORD.findall(folded)


def exact_key(tokens: list[str]) -> str:
    """The normalised-text hash of a text's ``words``: two texts with it equal carry the
    same words in the same order, whatever their punctuation, spacing, case or look-alike
    letters."""
    return hashlib.sha256(" ".join(tokens).encode("utf-8")).hexdigest()


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
