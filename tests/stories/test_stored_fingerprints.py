"""Fingerprints are stored (``story_members``) and compared with new pieces after every
restart: a faster way of computing them must compute the same ones, or every piece grouped
before it would stop meeting its re-runs. The expected values below were computed by the
regex-and-dict implementation that stored the first fingerprints (commit 7da3d88)."""

from __future__ import annotations

import hashlib
import random
import re
import zlib

import numpy as np
import pytest

from monitor.stories import fingerprint
from monitor.stories.normalise import fold, words
from monitor.stories.shingles import word_hashes

TREATY = (
    "the treaty\u2019s Article 4: \u00abmutual assistance\u00bb \u00bd \u00b2 \ufb01nal x_y 2024 "
)
STORED = {
    "english": (
        "Seoul\u2019s spy agency said on Tuesday that \u201cseveral thousand\u201d North Korean "
        "soldiers had moved to the Kursk region \u2014 a caf\u00e9 owner in Suzha confirmed it. "
    )
    * 3,
    "ascii": (
        "North Korean troops were seen near Kursk, the Pentagon said on Monday, adding that "
        "more could follow within weeks. "
    )
    * 3,
    "russian": (
        "Северокорейские военные прибыли в Курскую область, сообщила южнокорейская разведка "
        "во вторник; ещё несколько тысяч могут последовать. "
    )
    * 3,
    "chinese": (
        "朝鮮士兵已抵達庫爾斯克州前線，韓國國家情報院週二向國會通報，另有數千人可能隨後抵達。"
    )
    * 3,
    "long words": (
        "The statement, headed "
        + "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2
        + ", quoted Xinhua: 朝鲜士兵已抵达库尔斯克州前线韩国国家情报院向国会通报另有数千人可能随后"
        "抵达 and then went on at length about the treaty and its article four. "
    )
    * 3,
    "mixed": ("Kursk (Курск) 库尔斯克 \u2014 " + TREATY) * 4,
}
# (normalised-text hash, sha256 of the signature's bytes, shingles; first 16 hex digits)
EXPECTED = {
    "english": ("32ad072cb300b29a", "503d4d92100381da", 26),
    "ascii": ("41c4a6ae0edcf9b9", "60240a43c74d5748", 19),
    "russian": ("50368176e1882b24", "dc156d8acad7d8cb", 16),
    "chinese": ("14a4f135b594b801", "94c702f16472d0dc", 39),
    "long words": ("882deb1b7af51fc3", "310ed32806b0d516", 20),
    "mixed": ("26811126b59fa492", "39dea703467be3d4", 16),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(STORED))
def test_a_fingerprint_is_the_one_stored_before(name: str) -> None:
    fp = fingerprint(STORED[name])
    signature = fp.signature_bytes()
    assert signature is not None
    found = (fp.exact[:16], hashlib.sha256(signature).hexdigest()[:16], fp.size)
    assert found == EXPECTED[name]


def _scramble(rng: random.Random) -> str:
    """Text from every corner that tokenising can trip on: letters of many scripts,
    digits of others, combining marks, CJK, surrogates, punctuation, astral characters."""
    corners = [
        (0x20, 0x24F), (0x300, 0x36F), (0x370, 0x52F), (0x600, 0x6FF), (0x900, 0x97F),
        (0x1100, 0x11FF), (0x2000, 0x206F), (0x2070, 0x218F), (0x3000, 0x30FF),
        (0x4E00, 0x4E80), (0xAC00, 0xAC40), (0xD7F0, 0xE010), (0xF900, 0xFB4F),
        (0xFE00, 0xFFFF), (0x1D400, 0x1D4FF), (0x1F600, 0x1F64F), (0x20000, 0x20040),
    ]  # fmt: skip
    out = []
    for _ in range(rng.randint(0, 80)):
        lo, hi = rng.choice(corners)
        out.append(chr(rng.randint(lo, hi)) if rng.random() < 0.7 else rng.choice(" ,.;_-\n\t"))
    return "".join(out)


def test_words_are_what_the_word_pattern_finds() -> None:
    rng = random.Random(20241031)
    for _ in range(2000):
        text = _scramble(rng)
        assert words(text) == re.findall(r"\w+", text)
        folded = fold(text)
        assert words(folded) == re.findall(r"\w+", folded)


def test_word_hashes_are_each_words_crc32() -> None:
    rng = random.Random(7)
    vocabulary = ["a", "kursk", "курск", "朝鲜士兵已抵达", "x" * 64, "y" * 65, "ж" * 40, "z" * 300]
    for _ in range(300):
        chosen = [rng.choice(vocabulary) for _ in range(rng.randint(1, 40))]
        data = " ".join(chosen).encode("utf-8")
        expected = [zlib.crc32(word.encode("utf-8")) for word in chosen]
        assert word_hashes(data).tolist() == expected
    assert len(word_hashes(b"")) == 0
    assert np.array_equal(word_hashes(b"kursk"), [zlib.crc32(b"kursk")])
