"""The differ matches cues case-insensitively by lower-casing sentences once ("case keys")
instead of asking the regex engine to ignore case. A reader must never see a difference:
whatever casing or look-alike letters a page uses, a cue fires exactly where the engine's
own case-insensitive matching would fire it, and a scan skipped as hopeless had no match.
"""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.differ import Positions
from monitor.differ.casekey import case_key, compile_keyed, exact_key
from monitor.differ.lexicon import LEXICON_DIR, available_languages, load_lexicon_file
from monitor.differ.needles import guard

_sre = pytest.importorskip("_sre")
_casefix = pytest.importorskip("re._casefix")

ALL = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
# letters a case-insensitive engine treats specially: several cases, or a longer lower case
TRICKY = "İıIiſSsKKkΣσςẞßµΜμᲀвВᲂоОᲄтТÅåÅΩΩω"


def _shipped_cues(positions: Positions) -> list[str]:
    cues: set[str] = set()
    for p in positions.positions:
        for lc in p.languages.values():
            cues.update((*lc.anchors, *lc.echo, *lc.contest, *lc.echo_strong,
                         *lc.contest_strong, *lc.neutral))
        for rule in p.numbers:
            for near in rule.near.values():
                cues.update(near)
    for lang in available_languages():
        lex = load_lexicon_file(LEXICON_DIR / f"{lang}.yaml")
        for field in ("negation", "negation_after", "denial", "denial_after", "distancing",
                      "claim_markers", "hedges", "attribution", "dprk"):
            cues.update(getattr(lex, field))
        cues.update((*lex.troop_terms, *lex.sources, *lex.loaded_terms))
        for subtopic in lex.subtopics.values():
            cues.update(subtopic)
    return sorted(cues)


def test_every_character_keys_to_what_the_regex_engine_counts_as_the_same_letter() -> None:
    # the engine compares simple lower cases, plus a table of further equals (ı = i …)
    lower = "".join(chr(_sre.unicode_tolower(ord(c))) for c in ALL)
    equal: dict[str, str] = {}
    for lo, others in _casefix._EXTRA_CASES.items():
        members = sorted({chr(lo), *map(chr, others)})
        for m in members:
            equal.setdefault(m, members[0])
    engine = lower.translate(str.maketrans({k: v for k, v in equal.items() if k != v}))
    keys = case_key(ALL)
    assert len(keys) == len(ALL)
    by_engine: dict[str, str] = {}
    by_key: dict[str, str] = {}
    split = set()
    for e, k in zip(engine, keys, strict=True):
        assert by_key.setdefault(k, e) == e, (e, k)  # one key never joins two letters
        if by_engine.setdefault(e, k) != k:
            split.add(e)  # keys differ where the engine sees one letter: never rewritten
            assert exact_key(k) is None and exact_key(by_engine[e]) is None, (e, k)
    assert len(split) <= 1  # the Greek iota and the combining ypogegrammeni


@pytest.mark.parametrize("pattern", [r"\w", r"\W", r"\d", r"\s", r"\b", r"."])
def test_keys_keep_offsets_and_what_counts_as_a_word(pattern: str) -> None:
    rx = re.compile(pattern)
    assert [m.span() for m in rx.finditer(ALL)] == [m.span() for m in rx.finditer(case_key(ALL))]


@pytest.mark.parametrize(
    "cue", [r"(a)\1 b", r"\x41rmy", r"(?-i:A)rmy", r"[À-Þ]rmy", r"(?:Ab|ac)", r"(?a:\w)ι", "ι"]
)
def test_a_cue_the_rewrite_cannot_prove_keeps_the_engines_case_handling(cue: str) -> None:
    keyed = compile_keyed(cue)
    assert not keyed.on_key
    skip = guard(keyed)
    for text in ("aa b", "AA B", "army ARMY", "×rmy ÷rmy Ármy árMY", "AB ac Ac aB", "Kι \u0345"):
        want = [m.span() for m in re.compile(cue, re.IGNORECASE).finditer(text)]
        key = case_key(text)
        assert [m.span() for m in keyed.finditer(text, key)] == want
        assert not (want and skip.ruled_out(key))


def _variants(text: str, swaps: list[int]) -> list[str]:
    """The text as pages write it: upper-cased, title-cased, with look-alike letters."""
    tricky = list(text)
    for i in swaps:
        if tricky:
            j = i % len(tricky)
            tricky[j] = {"i": "İ", "I": "ı", "s": "ſ", "k": "K", "в": "ᲀ", "о": "ᲂ",
                         "т": "ᲄ", "σ": "ς"}.get(tricky[j], tricky[j].upper())
    return [text, text.upper(), text.title(), "".join(tricky)]


@pytest.fixture(scope="module")
def cues(positions: Positions) -> list[str]:
    return _shipped_cues(positions)


@settings(max_examples=600, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_a_shipped_cue_fires_where_the_case_insensitive_engine_fires_it(
    cues: list[str], data: st.DataObject
) -> None:
    cue = data.draw(st.sampled_from(cues), label="cue")
    original = re.compile(cue, re.IGNORECASE)
    around = st.text(alphabet=st.sampled_from(TRICKY + " ,.-'abcйк中"), max_size=6)
    text = data.draw(around) + data.draw(st.from_regex(original)) + data.draw(around)
    swaps = data.draw(st.lists(st.integers(0, 200), max_size=4))
    keyed = compile_keyed(cue)
    skip = guard(keyed)
    for variant in _variants(text, swaps):
        want = [m.span() for m in original.finditer(variant)]
        key = case_key(variant)
        assert [m.span() for m in keyed.finditer(variant, key)] == want, (cue, variant)
        if skip.ruled_out(key):
            assert want == [], (cue, variant)  # a skipped scan never had a match


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("ſeveral thousand troops", 3_000),  # long s: the engine reads "several"
        ("FİFTY THOUSAND SOLDIERS", 50_000),  # dotted capital I
        ("до 11 \u1c84исяч військових", 11_000),  # Cyrillic rounded т in "тисяч"
    ],
)
def test_a_figure_spelt_with_look_alike_letters_reads_like_the_plain_one(
    sentence: str, value: int
) -> None:
    from monitor.differ.numbers import quantities

    assert [q.value for q in quantities(sentence)] == [value]
