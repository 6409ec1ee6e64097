"""Figures in running text: money in US dollars and counts, in en/ru/uk/zh/ja/ko (and the
digits-only forms of the other languages).

The baseline turns on a few numbers — $35M of trade, a defence budget under $1.5B, about
10,000 troops — and coverage writes them as "$34.4 million", "34,4 млн долларов",
"3440万美元", "11 тысяч", "1.1万", "ten thousand", "thousands of", "数十亿美元". Each is read
into a :class:`Quantity`; vague amounts ("billions", "тысячи", "数千") are kept with
``vague=True`` and a representative value so rules can still read them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

Unit = Literal["usd", "count"]


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: Unit
    text: str
    vague: bool = False
    start: int = 0  # offset in the sentence


_WORDS_EN = {
    "one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "several": 3, "a few": 3,
}
_WORDS_RU = {
    "один": 1, "одна": 1, "две": 2, "два": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6,
    "семь": 7, "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12,
    "тринадцать": 13, "пятнадцать": 15, "двадцать": 20, "несколько": 3,
    "дві": 2, "чотири": 4, "п'ять": 5, "шість": 6, "сім": 7, "вісім": 8,
    "дев'ять": 9, "одинадцять": 11, "дванадцять": 12, "тринадцять": 13,
    "кілька": 3, "декілька": 3,
}
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "十": 10, "数": 3, "几": 3}

_SCALE = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6, "billion": 1e9,
    "bn": 1e9, "b": 1e9, "trillion": 1e12,
    "тыс": 1e3, "тысяч": 1e3, "тысячи": 1e3, "тысяча": 1e3, "тисяч": 1e3, "тисячі": 1e3,
    "тисяча": 1e3, "млн": 1e6, "миллион": 1e6, "миллиона": 1e6, "миллионов": 1e6,
    "мільйон": 1e6, "мільйони": 1e6, "мільйонів": 1e6, "млрд": 1e9, "миллиард": 1e9,
    "миллиарда": 1e9, "миллиардов": 1e9, "мільярд": 1e9, "мільярди": 1e9, "мільярдів": 1e9,
    "千": 1e3, "万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8, "兆": 1e12, "천": 1e3, "만": 1e4,
    "억": 1e8, "tausend": 1e3, "millionen": 1e6, "mio": 1e6, "milliarden": 1e9, "mrd": 1e9,
    "mille": 1e3, "millions": 1e6, "milliards": 1e9, "miliardi": 1e9, "milioni": 1e6,
    "mil": 1e3, "millones": 1e6,
}

_NUM = r"\d{1,3}(?:[,\u00a0\u202f ]\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?"
_SCALE_WORD = (
    r"thousand|trillion|billion|million|mln|mn|bn|k|m|b"
    r"|тыс\.?|тысяч[аи]?|тисяч[аі]?|млн\.?|миллион(?:а|ов)?|мільйон(?:и|ів)?|млрд\.?"
    r"|миллиард(?:а|ов)?|мільярд(?:и|ів)?"
    r"|tausend|millionen|mio\.?|milliarden|mrd\.?|mille|millions|milliards|milioni|miliardi"
    r"|millones|mil"
)
_CJK_SCALE = r"[千万萬亿億兆천만억]"
_USD_AFTER = (
    r"(?:us\s)?dollars?|долл\w*|дол\.|доларів|долара|美元|美金|달러|ドル|usd|dollari|dólares"
)
_USD_BEFORE = r"(?:us\$|\$|usd\s?)"

_DIGITS = re.compile(
    rf"(?P<pre>{_USD_BEFORE})?\s?(?P<num>{_NUM})\s?(?P<scale>(?:{_SCALE_WORD})(?![a-zа-яё])|{_CJK_SCALE}+)?"
    rf"(?P<post>\s?(?:of\s)?(?:{_USD_AFTER}))?",
    re.IGNORECASE,
)
_WORD_NUM_EN = re.compile(
    r"(?<![\w-])(?P<num>one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
    r"|fourteen|fifteen|twenty|thirty|forty|fifty|several|a few|a)"
    r"\s(?P<scale>thousand|million|billion)"
    r"(?P<post>\s(?:us\s)?dollars)?",
    re.IGNORECASE,
)
_WORD_NUM_RU = re.compile(
    r"(?<!\w)(?P<num>" + "|".join(sorted(_WORDS_RU, key=len, reverse=True)) + r")\s"
    r"(?P<scale>тысяч\w*|тисяч\w*|миллион\w*|мільйон\w*|миллиард\w*|мільярд\w*)"
    r"(?P<post>\s(?:долл\w*|долар\w*))?",
    re.IGNORECASE,
)
_CN_NUM = re.compile(
    r"(?P<num>[一二两三四五六七八九十数几]+)(?P<scale>[千万亿]+)(?:多|余)?(?P<post>美元)?"
)
_VAGUE = re.compile(
    r"(?<!\w)(?P<what>(?:tens|hundreds) of (?:thousands|millions|billions)"
    r"|thousands|millions|billions"
    r"|десятк\w+ (?:тысяч|миллионов|миллиардов)|сотн\w+ (?:тысяч|миллионов)"
    r"|тысячи|миллионы|миллиарды"
    r"|десятк\w+ (?:тисяч|мільйонів|мільярдів)|тисячі|мільйони|мільярди)"
    r"(?P<post> (?:of )?(?:us )?(?:dollars|долл\w*|долар\w*))?",
    re.IGNORECASE,
)
_VAGUE_CJK = re.compile(
    r"(?P<what>数[千万亿]+|数十[万亿]|上千|成千上万|수천|수만|수십억|数千|数万)(?P<post>美元|달러|ドル)?"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_COMPOUND = re.compile(r"(?P<a>\d+)\s?[万萬만]\s?(?P<b>\d+)\s?[千천]")  # 1万1千, 1만1천


V = TypeVar("V")


def _lookup(table: Mapping[str, V], word: str) -> V | None:
    """``table``'s entry for ``word`` compared as the case-insensitive patterns compare it:
    a look-alike letter ("ſeveral", "FİFTY", a Cyrillic rounded т) finds the plain entry."""
    found = table.get(word.lower())
    if found is not None:
        return found
    for name, value in table.items():  # rare: a letter lower() does not map to the entry's
        if re.fullmatch(re.escape(name), word, re.IGNORECASE):
            return value
    return None


def _entry(table: Mapping[str, V], word: str) -> V:
    """A word the patterns took from ``table``: it has an entry."""
    found = _lookup(table, word)
    if found is None:
        raise KeyError(word)
    return found


def _starts_with(word: str, prefix: str) -> bool:
    return re.match(re.escape(prefix), word, re.IGNORECASE) is not None


def _to_float(num: str) -> float:
    n = num.replace("\u00a0", "").replace("\u202f", "")
    if re.fullmatch(r"\d{1,3}(?:[, ]\d{3})+(?:\.\d+)?", n):
        return float(n.replace(",", "").replace(" ", ""))
    if re.fullmatch(r"\d+,\d{1,2}", n):  # Russian/European decimal comma: 34,4
        return float(n.replace(",", "."))
    if re.fullmatch(r"\d{1,3}\.\d{3}", n):  # German thousands dot: 12.000
        return float(n.replace(".", ""))
    return float(n.replace(",", ""))


def _scale(word: str | None) -> float:
    if not word:
        return 1.0
    w = word.rstrip(".")
    found = _lookup(_SCALE, w)
    if found is not None:
        return found
    value = 1.0
    for ch in w:  # CJK compounds like 千万
        value *= _lookup(_SCALE, ch) or 1.0
    return value


def _cn_value(num: str) -> float:
    if num in _CN_DIGITS:
        return float(_CN_DIGITS[num])
    if num.startswith("十"):
        num = "一" + num
    total, current = 0.0, 0.0
    for ch in num:
        d = _CN_DIGITS.get(ch, 0)
        if ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = d
    return total + current


# Most sentences hold no figure. Each scan below needs something these find in the text —
# a digit, a CJK scale character, an English or a Russian/Ukrainian scale word at a word
# start — so a scan runs only when what it needs is there (cheap character and word-start
# scans rule the others out).
_ANY_DIGIT = re.compile(r"\d")
_CJK_SCALE_CHAR = re.compile(r"[千万萬亿億兆천만억]")
_SCALE_WORDS = re.compile(
    r"(?<!\w)(?:(?P<en>thousand|million|billion)"
    r"|(?P<ru>тысяч|тисяч|миллион|мільйон|миллиард|мільярд))",
    re.IGNORECASE,
)
_BILLION = re.compile("billion|миллиард|мільярд|亿|억", re.IGNORECASE)
_MILLION = re.compile("million|миллион|мільйон", re.IGNORECASE)
_MYRIAD = re.compile("万|만")


def quantities(sentence: str) -> tuple[Quantity, ...]:
    """Every figure in ``sentence`` (years such as 2024 are skipped)."""
    digits = _ANY_DIGIT.search(sentence) is not None
    cjk = _CJK_SCALE_CHAR.search(sentence) is not None
    words = {m.lastgroup for m in _SCALE_WORDS.finditer(sentence)}
    en, ru = "en" in words, "ru" in words
    if not (digits or cjk or en or ru):
        return ()
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], value: float, usd: bool, vague: bool = False) -> None:
        if any(a < m.end() and m.start() < b for a, b in taken):
            return
        taken.append((m.start(), m.end()))
        out.append(
            Quantity(value, "usd" if usd else "count", m.group(0).strip(), vague, m.start())
        )

    for m in _COMPOUND.finditer(sentence) if digits else ():
        add(m, int(m.group("a")) * 1e4 + int(m.group("b")) * 1e3, False)
    for m in _WORD_NUM_EN.finditer(sentence) if en else ():
        v = _entry(_WORDS_EN, m.group("num")) * _scale(m.group("scale"))
        add(m, v, bool(m.group("post")))
    for m in _WORD_NUM_RU.finditer(sentence) if ru else ():
        scale_word = m.group("scale")
        scale = next(
            (s for k, s in _SCALE.items() if len(k) > 3 and _starts_with(scale_word, k)), 1e3
        )
        add(m, _entry(_WORDS_RU, m.group("num")) * scale, bool(m.group("post")))
    for m in _CN_NUM.finditer(sentence) if cjk else ():
        add(m, _cn_value(m.group("num")) * _scale(m.group("scale")), bool(m.group("post")))
    for m in _DIGITS.finditer(sentence) if digits else ():
        num, scale = m.group("num"), m.group("scale")
        if not scale and not m.group("pre") and _YEAR.fullmatch(num):
            continue
        try:
            value = _to_float(num) * _scale(scale)
        except ValueError:
            continue
        usd = bool(m.group("pre") or m.group("post"))
        if not usd:  # "$35 million" may be written "35 million dollars" a few words on
            usd = bool(re.match(rf"\s?(?:\w+\s){{0,1}}(?:{_USD_AFTER})", sentence[m.end():],
                                re.IGNORECASE))
        add(m, value, usd)
    for rx, present in ((_VAGUE, en or ru), (_VAGUE_CJK, cjk)):
        for m in rx.finditer(sentence) if present else ():
            what = m.group("what")
            if _BILLION.search(what):
                value = 3e9
            elif _MILLION.search(what):
                value = 3e6
            elif _MYRIAD.search(what):
                value = 3e4
            else:
                value = 3e3
            add(m, value, bool(m.group("post")), vague=True)
    return tuple(out)
