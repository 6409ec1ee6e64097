"""Cues match case-insensitively, the way Python's own ``re.IGNORECASE`` does: whatever
casing or look-alike letters a page uses (a long ſ, a dotted İ, a Kelvin sign, Cyrillic
rounded letters), a cue fires where the plain spelling would fire it, from the start of a
word, and the evidence quotes the words as the page wrote them. The differ relies on the
regular-expression engine's public behaviour only, never on CPython's private modules.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.differ import Differ, Positions
from monitor.differ.lexicon import LEXICON_DIR, available_languages, load_lexicon_file, union
from monitor.differ.numbers import quantities

DIFFER_PACKAGE = Path(__file__).resolve().parents[2] / "monitor" / "differ"
PRIVATE = ("re._", "sre_", "_sre")


@pytest.mark.parametrize("path", sorted(DIFFER_PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_the_differ_imports_no_private_module_of_the_regex_engine(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [
        f"{n.module}.{a.name}"
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.module
        for a in n.names
    ]
    assert not [m for m in names if m.startswith(PRIVATE)], names


@pytest.mark.parametrize(
    ("cue", "text", "unspaced", "found"),
    [
        ("several", "ſeveral thousand", False, "ſeveral"),  # long s
        ("intelligence", "İNTELLIGENCE SAYS", False, "İNTELLIGENCE"),  # dotted capital I
        ("kursk", "in \u212aURSK", False, "\u212aURSK"),  # Kelvin sign
        ("fighting", "fıghting", False, "fıghting"),  # dotless i
        ("подтверд", "НЕ ПОДТВЕРДИЛ", False, "ПОДТВЕРД"),
        ("войск\\w*", "\u1c80ойска КНДР", False, "\u1c80ойска"),  # Cyrillic rounded в
        ("северокоре\\w+", "Северокорейские военные", False, "Северокорейские"),
        ("σύμφωνο", "ΣΎΜΦΩΝΟ", False, "ΣΎΜΦΩΝΟ"),
        ("朝鲜", "据报道朝鲜士兵已抵达", True, "朝鲜"),  # unspaced: anywhere in the text
    ],
)
def test_a_cue_fires_whatever_the_case_and_keeps_the_page_s_spelling(
    cue: str, text: str, unspaced: bool, found: str
) -> None:
    rx = union((cue,), unspaced)
    assert rx is not None
    m = rx.search(text)
    assert m is not None and m.group() == found


@pytest.mark.parametrize(
    ("cue", "text", "whole_words"),
    [
        ("exaggerat", "an unexaggerated account", False),  # a cue starts at a word start
        ("no", "North Korea", True),  # a short marker is a whole word
        ("не", "необходимо", True),
        ("TROOP", "Paratroopers", False),
    ],
)
def test_a_cue_never_starts_inside_a_word(cue: str, text: str, whole_words: bool) -> None:
    rx = union((cue,), False, whole_words=whole_words)
    assert rx is not None and rx.search(text) is None
    assert rx.search(f"{cue.upper()} …") is not None


def _rules_only(positions: Positions) -> Differ:
    """The rules' own reading (without a learned weighing layer, where there is one)."""
    if "model" in inspect.signature(Differ).parameters:
        return Differ(positions, model=None)  # type: ignore[call-arg]
    return Differ(positions)


_SWAPS = {"i": "ı", "s": "ſ", "k": "\u212a", "в": "\u1c80", "о": "\u1c82", "т": "\u1c84"}


def _tricky(text: str) -> str:
    """Every other swappable letter replaced by a look-alike the engine reads as the same."""
    out, n = [], 0
    for ch in text:
        if ch in _SWAPS:
            n += 1
            if n % 2:
                out.append(_SWAPS[ch])
                continue
        out.append(ch)
    return "".join(out)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "The Pentagon has not confirmed that North Korean troops are fighting in Kursk."),
        ("en", "Thousands of North Korean soldiers are now fighting alongside Russian units in "
               "the Kursk region, the Pentagon said."),
        ("ru", "Песков назвал сообщения о военных КНДР в Курской области информационной уткой."),
        ("uk", "За даними ГУР, в Курській області воюють близько 11 тисяч військових КНДР."),
    ],
)
def test_a_piece_reads_the_same_upper_cased_or_with_look_alike_letters(
    positions: Positions, lang: str, text: str
) -> None:
    differ = _rules_only(positions)
    plain = differ.diff(text, language=lang)
    assert any(r.stance != "absent" for r in plain.positions.values())
    for variant in (text.upper(), _tricky(text)):
        got = differ.diff(variant, language=lang)
        assert {p: (r.stance, r.score) for p, r in got.positions.items()} == {
            p: (r.stance, r.score) for p, r in plain.positions.items()
        }, variant
        assert got.framing.troop_count == plain.framing.troop_count
        for r in got.positions.values():  # evidence quotes the variant as written
            for e in r.evidence:
                assert e.sentence in variant


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("ſeveral thousand troops", 3_000),  # long s: the engine reads "several"
        ("FİFTY THOUSAND SOLDIERS", 50_000),  # dotted capital I
        ("до 11 \u1c84исяч військових", 11_000),  # Cyrillic rounded т in "тисяч"
        ("ДЕСЯТЬ ТЫСЯЧ военных", 10_000),
    ],
)
def test_a_figure_spelt_with_look_alike_letters_reads_like_the_plain_one(
    sentence: str, value: int
) -> None:
    assert [q.value for q in quantities(sentence)] == [value]


def _shipped_cues(positions: Positions) -> list[str]:
    cues: set[str] = set()
    for p in positions.positions:
        for lc in p.languages.values():
            cues.update((*lc.anchors, *lc.echo, *lc.contest, *lc.echo_strong,
                         *lc.contest_strong, *lc.neutral))
    for lang in available_languages():
        lex = load_lexicon_file(LEXICON_DIR / f"{lang}.yaml")
        for field in ("negation", "negation_after", "denial", "denial_after", "distancing",
                      "claim_markers", "hedges", "attribution"):
            cues.update(getattr(lex, field))
    for words in positions.story.languages.values():
        cues.update((*words.dprk, *words.troop_terms, *words.sources, *words.loaded_terms))
    return sorted(cues)


# letters whose upper case is one letter the engine counts as the same (so offsets hold)
_CASED = "abcdefghijklmnopqrstuvwxyzабвгдежзийклмнопрстуфхцчшщъыьэюяіїєґαβγδεζηθικλμνξοπρστυφχψω"


@pytest.fixture(scope="module")
def cues(positions: Positions) -> list[str]:
    return _shipped_cues(positions)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_upper_casing_a_text_never_moves_or_hides_a_shipped_cue(
    cues: list[str], data: st.DataObject
) -> None:
    cue = data.draw(st.sampled_from(cues), label="cue")
    rx = union((cue,), False)
    assert rx is not None
    around = st.text(alphabet=st.sampled_from(" ,.-'abcйк中ſıİ"), max_size=6)
    text = data.draw(around) + data.draw(st.from_regex(re.compile(cue, re.IGNORECASE))) + (
        data.draw(around)
    )
    upper = "".join(c.upper() if c in _CASED else c for c in text)
    assert [m.span() for m in rx.finditer(upper)] == [m.span() for m in rx.finditer(text)]
