"""Chinese, Japanese and Korean text as the full-text index can find it.

SQLite's ``unicode61`` tokenizer makes one token of a whole run of Han or Hangul
characters, so «朝鲜» inside «俄罗斯与朝鲜签署» or «북한» inside «북한군은» is never a token
of its own and a search for it finds nothing. Each article therefore carries, in
``articles.search_cjk``, every such run cut into overlapping two-character tokens
(«朝鲜签署» → «朝鲜 鲜签 签署»): a two-character word is then one token, and a longer one a
phrase of consecutive tokens («朝鲜签» → ``"朝鲜 鲜签"``), which only matches where the
characters really follow each other. Latin and Cyrillic words need none of this: they are
tokens already, and the index matches word beginnings (Курск → Курской).
"""

from __future__ import annotations

import re

# Han (CJK unified ideographs and extension A, compatibility ideographs), kana, Hangul
# syllables and jamo: scripts written without spaces between words, or (Korean) with
# particles glued to the word.
_RUN = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]+"
)


def runs(text: str) -> list[str]:
    return _RUN.findall(text)


def bigrams(run: str) -> list[str]:
    """«朝鲜半岛» → ["朝鲜", "鲜半", "半岛"]; a lone character stays itself."""
    if len(run) < 2:
        return [run] if run else []
    return [run[i : i + 2] for i in range(len(run) - 1)]


def search_tokens(*texts: str | None) -> str:
    """The ``search_cjk`` column: the bigrams of every Han/kana/Hangul run of the texts,
    space-separated, runs kept apart by a line break; "" when there are none."""
    return "\n".join(" ".join(bigrams(run)) for text in texts if text for run in runs(text))


def is_cjk(term: str) -> bool:
    """Whether the search term is wholly one such run (then it is looked up by bigrams)."""
    return bool(_RUN.fullmatch(term))
