"""Needles: literal strings one of which every match of a regex must contain.

Most sentences are about none of a position's topics, so most anchor and cue scans find
nothing — yet even a lower-cased scan of a long alternation costs far more than asking
whether "korea" or "troop" occurs in the sentence's case key at all. The differ asks the
cheap question first and runs the regex only when it cannot rule a match out. The regexes
are never changed, so whenever one runs it returns exactly what it did before; needles only
ever prove *absence*.

Soundness rests on one property of :func:`~monitor.differ.casekey.case_key`: when a regex
(case-insensitive or not) matches a literal character ``p`` at a character ``t`` of the
text, ``case_key(t) == case_key(p)``. A needle is a run of such literals every match must
consume (or look at, in a look-around), so its key is a substring of the text's key.
Anything the extraction does not understand gives no needles: that regex always runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from monitor.differ.casekey import KeyedPattern, exact_key, parsed

try:  # the engine's opcodes (CPython 3.11+)
    from re import _constants as _C  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another engine: every regex simply always runs
    _C = None  # type: ignore[assignment]

MAX_OPTIONS = 32  # more alternatives than this and the check stops paying
_MAX_PRODUCT = 16  # "партн[её]р" → two strings; "(a|b)(c|d)(e|f)…" stops growing


# ── extraction ──────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class _Info:
    exact: frozenset[str] | None  # every string the piece can consume (None: too many)
    need: frozenset[str] | None  # one of these occurs in any text it matches


_EMPTY = _Info(frozenset({""}), None)
_OPAQUE = _Info(None, None)


def _usable(options: Iterable[str] | None) -> frozenset[str] | None:
    """Drop options that contain another (the shorter one is present whenever they are)."""
    if options is None:
        return None
    opts = set(options)
    if not opts or "" in opts:
        return None
    kept = frozenset(o for o in opts if not any(p != o and p in o for p in opts))
    return kept if len(kept) <= MAX_OPTIONS else None


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """The more selective of two necessary sets: longer shortest option, then fewer."""
    if a is None:
        return b
    if b is None:
        return a
    return a if (min(map(len, a)), -len(a)) >= (min(map(len, b)), -len(b)) else b


def _item(op: Any, av: Any) -> _Info:
    if op is _C.LITERAL:
        key = exact_key(chr(av))
        return _OPAQUE if key is None else _Info(frozenset({key}), frozenset({key}))
    if op is _C.IN:
        if len(av) > _MAX_PRODUCT or any(o is not _C.LITERAL for o, _ in av):
            return _OPAQUE  # ranges, classes, negated sets
        keys = {exact_key(chr(code)) for _, code in av}
        if None in keys:
            return _OPAQUE
        exact = frozenset(k for k in keys if k is not None)
        return _Info(exact, exact)
    if op is _C.SUBPATTERN:
        return _sequence(av[3])
    if op is _C.ATOMIC_GROUP:
        return _sequence(av)
    if op is _C.BRANCH:
        infos = [_sequence(alt) for alt in av[1]]
        exact: frozenset[str] | None = None
        if all(i.exact is not None for i in infos):
            union = frozenset(s for i in infos for s in i.exact or ())
            exact = union if len(union) <= _MAX_PRODUCT else None
        need = None
        if all(i.need is not None for i in infos):
            need = _usable(s for i in infos for s in i.need or ())
        return _Info(exact, need)
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", None)):
        low, high, sub = av
        inner = _sequence(sub)
        if low == 0:
            if high == 1 and inner.exact is not None:
                return _Info(inner.exact | {""}, None)
            return _OPAQUE
        return _Info(inner.exact if low == high == 1 else None, inner.need)
    if op is _C.ASSERT:  # zero-width, but what it looks at is in the text
        return _Info(frozenset({""}), _sequence(av[1]).need)
    if op in (_C.ASSERT_NOT, _C.AT):
        return _EMPTY
    return _OPAQUE  # ANY, NOT_LITERAL, CATEGORY, group references, conditionals


def _sequence(items: Any) -> _Info:
    best: frozenset[str] | None = None
    run: frozenset[str] | None = frozenset({""})
    broken = False
    for op, av in items:
        info = _item(op, av)
        best = _better(best, info.need)
        if info.exact is not None and run is not None:
            if len(run) * len(info.exact) <= _MAX_PRODUCT:
                run = frozenset(a + b for a in run for b in info.exact)
                continue
        broken = True
        best = _better(best, _usable(run))
        run = info.exact
    best = _better(best, _usable(run))
    return _Info(None if broken else run, best)


def needles(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Case keys one of which every match of ``pattern`` contains; ``None`` when no such
    short list can be proven (the pattern must then always run)."""
    try:
        tree = parsed(pattern.pattern, pattern.flags)
        if tree is None or _C is None:
            return None
        info = _sequence(tree)
    except Exception:  # an engine change must cost speed, never results
        return None
    return tuple(sorted(info.need)) if info.need else None


# ── use ─────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Guard:
    """A regex's needles: ``ruled_out(key)`` is True only when the regex cannot match the
    text whose ``case_key`` is ``key``."""

    needles: tuple[str, ...] | None  # None: never ruled out

    def ruled_out(self, key: str) -> bool:
        if self.needles is None:
            return False
        for needle in self.needles:  # a few substring tests beat one more regex scan
            if needle in key:
                return False
        return True


NEVER = Guard(None)


@lru_cache(maxsize=2048)
def guard(pattern: KeyedPattern | re.Pattern[str] | None) -> Guard:
    """What rules ``pattern`` out (a keyed one, or a plain one run on the text itself)."""
    if isinstance(pattern, KeyedPattern):
        pattern = pattern.rx
    found = needles(pattern) if pattern is not None else None
    return Guard(found) if found else NEVER
