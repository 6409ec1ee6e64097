"""Sentence splitting.

Evidence is quoted sentence by sentence, so a bad split either hides a cue from its anchor
or glues two claims together. Three splitters; each language's lexicon names its own
(``sentence_splitter``): ``razdel`` (Russian, Ukrainian, Bulgarian: it knows "т. е.",
initials and "г."), ``cjk`` (Chinese, Japanese: ends at 。！？, keeping a closing quote
with its sentence) and ``regex``, the default, which respects abbreviations such as
"U.S.", "Gen." or "Mr.", decimals and quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Splitter = Literal["regex", "razdel", "cjk"]


@dataclass(frozen=True)
class Sentence:
    text: str
    index: int  # position in the piece; -1 for the title
    paragraph: int


# ── splitting ───────────────────────────────────────────────────────────────────────

_ABBREVIATIONS = {
    "u.s", "u.k", "u.n", "e.u", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "mr", "mrs",
    "ms", "dr", "prof", "sen", "rep", "gov", "st", "jr", "sr", "no", "vs", "inc", "corp",
    "co", "ltd", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "approx", "fig", "al", "e.g", "i.e", "cf", "p", "pp", "vol", "art", "mio", "mrd",
    "bzw", "z.b", "d.h", "ca", "nr", "sig", "mme", "mlle", "av", "j.-c", "usw", "sra",
}
# A sentence ends at . ! ? … (plus closing quotes/brackets) followed by space and a capital,
# a digit or an opening quote.
_END = re.compile(r"([.!?…]+[\"'»”’)\]]*)\s+(?=[\"'«“‘(\[]?[A-ZÀ-ÞА-ЯЁЇІЄҐ0-9])")
_CJK_END = re.compile(r"([。！？!?]+[”’」』）\"]*)")
_PARAGRAPH = re.compile(r"\n\s*\n")


def _split_regex(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for m in _END.finditer(text):
        head = text[start : m.end(1)]
        last = re.search(r"(\S+)$", head)
        word = last.group(1).rstrip(".!?…\"'»”’)]").lower() if last else ""
        if m.group(1).startswith(".") and (
            word in _ABBREVIATIONS or re.fullmatch(r"[a-zа-я]", word or "-")
        ):
            continue  # "Gen. Smith", "U.S. officials", "J. Smith"
        out.append(head.strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def _split_cjk(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for m in _CJK_END.finditer(text):
        out.append(text[start : m.end()].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def _split_razdel(text: str) -> list[str]:
    from razdel import sentenize

    return [s.text for s in sentenize(text)]


MAX_SENTENCE = 600  # characters; longer "sentences" are lists, tables or unpunctuated dumps


def _cap(sentence: str) -> list[str]:
    """Cut an over-long sentence at its last clause break (or space) before the limit.

    Scraped pages sometimes hold a whole page without one full stop; quoting that as one
    "sentence" would be useless evidence and would make the clause rules quadratic.
    """
    out: list[str] = []
    while len(sentence) > MAX_SENTENCE:
        head = sentence[:MAX_SENTENCE]
        cut = 0
        for pattern in (r"[;；:：]\s*", r"[,，、]\s*", r"\s+"):
            found = [m.end() for m in re.finditer(pattern, head) if m.end() > MAX_SENTENCE // 3]
            if found:
                cut = found[-1]
                break
        cut = cut or MAX_SENTENCE
        out.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    if sentence:
        out.append(sentence)
    return out


def split_sentences(text: str, splitter: Splitter = "regex") -> list[str]:
    """Sentences of one paragraph (or of a whole text without paragraph breaks)."""
    text = re.sub(r"[ \t\r\f\v]+", " ", text.replace("\n", " ")).strip()
    if not text:
        return []
    if splitter == "cjk":
        raw = _split_cjk(text)
    elif splitter == "razdel":
        raw = _split_razdel(text)
    else:
        raw = _split_regex(text)
    return [part for s in raw for part in _cap(s)]


def segment(text: str, splitter: Splitter = "regex", title: str | None = None) -> list[Sentence]:
    """The piece as sentences with paragraph numbers; exact repeats are dropped.

    Scraped pages often repeat a lead or a teaser; counting it twice would double its
    weight in the aggregation, so only its first occurrence is kept.
    """
    out: list[Sentence] = []
    seen: set[str] = set()
    if title and title.strip():
        for s in split_sentences(title, splitter):
            out.append(Sentence(s, -1, -1))
            seen.add(_key(s))
    index = 0
    for p, para in enumerate(_PARAGRAPH.split(text)):
        for s in split_sentences(para, splitter):
            k = _key(s)
            if k in seen:
                continue
            seen.add(k)
            out.append(Sentence(s, index, p))
            index += 1
    return out


def _key(sentence: str) -> str:
    return re.sub(r"\W+", "", sentence.lower())
