"""Case-insensitive matching without the case-insensitive regex flag.

Cues are matched case-insensitively, and Python's engine pays for ``re.IGNORECASE`` on
every character of every alternative it tries (it lower-cases the text character as it
goes and cannot skip alternatives by their first letter). Lower-casing the sentence once
and matching lower-cased patterns without the flag finds exactly the same spans, about
twice as fast. Two things make that exact rather than approximate:

- :func:`case_key` maps each character to one character — Python's lower case, with the
  letters the engine treats as further equals (dotless ı and i, long ſ and s, final ς and
  σ, Cyrillic rounded в and в …; the engine's own table) mapped to one representative, and
  dotted İ to i. Offsets therefore stay valid in the original sentence, and every text the
  caller shows (a cue, a term) is cut from the original at a match's offsets;
- :func:`compile_keyed` lower-cases only the pattern's literal characters and then checks
  its work: the rewritten pattern, parsed by the engine's own parser, must be the original
  with each literal replaced by its key and each character class by the keys of its
  members. Anything it cannot prove (escapes of cased letters, back-references, a scoped
  ``(?-i:…)``, ASCII rules) keeps the original case-insensitive pattern and runs it on
  the original text — slower, never different. Callers therefore always pass both the
  text and its key (:class:`KeyedPattern`).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

try:  # the engine's own parser and its table of extra case equivalents (CPython 3.11+)
    from re import _constants as _C  # type: ignore[attr-defined]
    from re import _parser as _parser  # type: ignore[attr-defined]
    from re._casefix import _EXTRA_CASES  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - another engine: patterns stay case-insensitive
    _C = _parser = None  # type: ignore[assignment]
    _EXTRA_CASES = {}

log = logging.getLogger(__name__)

_MAX_RANGE = 0x30000  # a class range wider than this is not expanded to be checked
_FOREIGN = re.ASCII | re.LOCALE  # other case and word rules than the keys mirror
_WORD = re.compile(r"\w")


def _representatives() -> tuple[dict[str, str], frozenset[str]]:
    """Letter → the one letter standing for all the engine treats as equal to it; and the
    letters whose equals cannot all share one key.

    The representative is a member that is its own round trip through upper and lower
    case (ι rather than the Greek prosgegrammeni), so it is the same kind of character as
    the letters it stands for, and ``\\w`` and ``\\b`` read keyed text as they read the
    original. A member that is not a word character (the combining ypogegrammeni, which
    the engine counts as an ι) keeps its own key, and a pattern naming any letter of such
    a group is not rewritten.
    """
    out: dict[str, str] = {}
    unsafe: set[str] = set()
    for first in _EXTRA_CASES:
        group = {first}
        todo = [first]
        while todo:
            for other in _EXTRA_CASES.get(todo.pop(), ()):
                if other not in group:
                    group.add(other)
                    todo.append(other)
        letters = sorted(chr(c) for c in group if _WORD.match(chr(c)))
        if len(letters) != len(group):
            unsafe.update(map(chr, group))
        if not letters:
            continue
        stable = [c for c in letters if c.upper().lower() == c]
        rep = (stable or letters)[0]
        out.update((c, rep) for c in letters if c != rep)
    return out, frozenset(unsafe)


_REPRESENTATIVE, _UNSAFE = _representatives()
_TO_REPRESENTATIVE = str.maketrans(_REPRESENTATIVE)
_NEEDS_MAPPING = (
    re.compile("[" + "".join(re.escape(c) for c in sorted(_REPRESENTATIVE)) + "]")
    if _REPRESENTATIVE
    else None
)


def case_key(text: str) -> str:
    """``text`` with every character replaced by its case key (same length, same offsets)."""
    low = text.lower()
    if len(low) != len(text):  # "İ".lower() is two characters, "i̇"
        return "".join(map(key_char, text))
    if _NEEDS_MAPPING is not None and _NEEDS_MAPPING.search(low):
        low = low.translate(_TO_REPRESENTATIVE)
    return low


def key_char(ch: str) -> str:
    """One character's case key: its lower case as the regex engine compares it (one
    character: "İ" → "i"), then its representative."""
    low = ch.lower()
    if len(low) != 1:
        low = low[0]
    return _REPRESENTATIVE.get(low, low)


def exact_key(ch: str) -> str | None:
    """``ch``'s key when every letter the engine counts as equal to it shares that key,
    else None (only the Greek iota's group, for the combining ypogegrammeni's sake)."""
    key = key_char(ch)
    return None if key in _UNSAFE or not _REPRESENTATIVE else key


# ── rewriting ───────────────────────────────────────────────────────────────────────

# Group openers copied verbatim: names and flags are not literals.
_OPENER = re.compile(
    r"\(\?(?:[:=!>]|<[=!]|P<[^>]*>|P=[^)]*\)|#[^)]*\)|[aiLmsux]*(?:-[imsx]*)?[:)])"
)


def _lower_literals(pattern: str) -> str | None:
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            end = pattern.find("}", i) + 1 if pattern.startswith("\\N{", i) else i + 2
            if end <= i:
                return None
            out.append(pattern[i:end])
            i = end
        elif c == "(" and pattern.startswith("(?", i):
            m = _OPENER.match(pattern, i)
            if m is None:
                return None
            out.append(m.group(0))
            i = m.end()
        else:
            out.append(key_char(c))
            i += 1
    return "".join(out)


def _charset(items: Any, keyed: bool) -> tuple[bool, frozenset[str], tuple[Any, ...]] | None:
    negate = False
    chars: set[str] = set()
    categories = []
    for op, av in items:
        if op is _C.NEGATE:
            negate = True
        elif op is _C.LITERAL or op is _C.RANGE:
            lo, hi = (av, av) if op is _C.LITERAL else av
            if hi - lo > _MAX_RANGE:
                return None
            members = [chr(c) for c in range(lo, hi + 1)]
            if keyed:
                keys = [exact_key(c) for c in members]
                if None in keys:
                    return None
                chars.update(k for k in keys if k is not None)
            else:
                chars.update(members)
        elif op is _C.CATEGORY:
            categories.append(av)
        else:
            return None
    return negate, frozenset(chars), tuple(sorted(categories))


def _same(a: Any, b: Any) -> bool:
    """``b`` (parsed from the rewrite) is ``a`` (parsed from the original) with keyed
    literals and classes, and ``a`` holds nothing whose case handling we cannot mirror."""
    a, b = list(a), list(b)
    if len(a) != len(b):
        return False
    for (op, av), (op2, av2) in zip(a, b, strict=True):
        if op is not op2:
            return False
        if op in (_C.LITERAL, _C.NOT_LITERAL):
            if chr(av2) != exact_key(chr(av)):
                return False
        elif op is _C.IN:
            left = _charset(av, keyed=True)
            if left is None or left != _charset(av2, keyed=False):
                return False
        elif op in (_C.ANY, _C.AT):
            if av != av2:
                return False
        elif op is _C.SUBPATTERN:
            group, add, remove, sub = av
            if (group, add, remove) != av2[:3] or remove & re.IGNORECASE or add & _FOREIGN:
                return False
            if not _same(sub, av2[3]):
                return False
        elif op is _C.BRANCH:
            if len(av[1]) != len(av2[1]):
                return False
            if not all(_same(x, y) for x, y in zip(av[1], av2[1], strict=True)):
                return False
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
            if av[:2] != av2[:2] or not _same(av[2], av2[2]):
                return False
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            if av[0] != av2[0] or not _same(av[1], av2[1]):
                return False
        elif op is _C.ATOMIC_GROUP:
            if not _same(av, av2):
                return False
        else:  # back-references compare text case-insensitively: keep the flag
            return False
    return True


@lru_cache(maxsize=64)
def parsed(pattern: str, flags: int) -> Any:
    """The engine's parse of ``pattern`` (kept briefly: :mod:`needles` reads the same
    patterns right after they are compiled here); None without the engine's parser."""
    return None if _parser is None else _parser.parse(pattern, flags)


@dataclass(frozen=True)
class KeyedPattern:
    """A case-insensitive pattern, compiled to run on the case key when that was proven
    to find the same spans, else as written on the text itself. Either way the caller
    passes both and gets the spans the case-insensitive pattern finds in ``text``; a
    match's own text is the key's, so cut what you show from ``text``."""

    rx: re.Pattern[str]
    on_key: bool

    @property
    def pattern(self) -> str:
        return self.rx.pattern

    def search(
        self, text: str, key: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> re.Match[str] | None:
        return self.rx.search(key if self.on_key else text, pos, endpos)

    def finditer(self, text: str, key: str) -> Iterator[re.Match[str]]:
        return self.rx.finditer(key if self.on_key else text)


@lru_cache(maxsize=2048)
def compile_keyed(pattern: str, flags: int = 0) -> KeyedPattern:
    """``pattern``, meant case-insensitively, ready to run on :func:`case_key` text.

    Lower-cased and without the flag when the rewrite is proven to match the same, else
    the original with the flag (on the original text). Kept, as ``re.compile`` keeps its
    own: every differ in a process shares them."""
    insensitive = flags | re.IGNORECASE
    if _parser is not None and _REPRESENTATIVE and not flags & _FOREIGN:
        plain = flags & ~re.IGNORECASE
        lowered = _lower_literals(pattern)
        try:
            if lowered is not None:
                before = _parser.parse(pattern, insensitive | re.UNICODE)
                after = parsed(lowered, plain | re.UNICODE)
                if not before.state.flags & _FOREIGN and _same(before, after):
                    keyed = re.compile(lowered, plain)
                    if (keyed.groupindex, keyed.groups) == (
                        before.state.groupdict,
                        before.state.groups - 1,
                    ):
                        return KeyedPattern(keyed, on_key=True)
        except (re.error, RecursionError, TypeError, ValueError, AttributeError):
            pass  # an engine whose parser differs: slower, never different
    log.debug("pattern kept case-insensitive: %.80s", pattern)
    return KeyedPattern(re.compile(pattern, insensitive), on_key=False)
