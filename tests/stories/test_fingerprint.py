"""What makes two carriers of one text look alike to the grouping, and what does not."""

from __future__ import annotations

import numpy as np
import pytest

from monitor.stories import fingerprint
from monitor.stories.index import MIN_SHINGLES
from monitor.stories.normalise import fold, is_spaceless, words
from monitor.stories.shingles import shingle_hashes
from monitor.stories.sketch import minhash, signature

LEAD = (
    "Several thousand North Korean soldiers have moved from training grounds in the Far "
    "East to the Kursk border region, the intelligence service told lawmakers on Tuesday."
)


@pytest.mark.parametrize(
    "variant",
    [
        LEAD.upper(),
        LEAD.replace(" ", "\u00a0").replace("Tuesday.", "Tuesday\u2026"),  # NBSP, ellipsis
        LEAD.replace("intelligence", "intel\u00adligence"),  # a soft hyphen inside a word
        LEAD.replace("o", "\u043e").replace("a", "\u0430").replace("e", "\u0435"),  # Cyrillic
        LEAD.replace("Kursk", "\uff2b\uff55\uff52\uff53\uff4b"),  # full-width Latin
        LEAD.replace("Far", "Fa\u0301r"),  # a combining accent a CMS left behind
    ],
    ids=["case", "spaces", "soft-hyphen", "lookalikes", "fullwidth", "accent"],
)
def test_the_same_words_in_another_form_hash_the_same(variant: str) -> None:
    assert fingerprint(variant).exact == fingerprint(LEAD).exact


def test_other_words_hash_differently() -> None:
    assert fingerprint(LEAD.replace("thousand", "hundred")).exact != fingerprint(LEAD).exact


def test_russian_text_keeps_its_letters() -> None:
    text = "Северокорейские военные прибыли в Курскую область, сообщила разведка."
    folded = fold(text)
    assert "курскую" in words(folded)  # not folded into look-alike Latin
    assert fold("ещё") == fold("еще")  # ё and е are one letter to a re-run


def test_chinese_and_japanese_are_shingled_by_characters() -> None:
    zh = fold("朝鲜士兵已抵达库尔斯克州前线，韩国国家情报院向国会通报。")
    ja = fold("北朝鮮の兵士がクルスク州の前線に到着したと韓国の情報機関が国会に報告した。")
    assert is_spaceless(zh) and is_spaceless(ja)
    assert not is_spaceless(fold(LEAD))
    # a sentence is one \\w+ run, yet gives one shingle per five-character window
    assert len(words(zh)) == 2
    assert len(shingle_hashes(words(zh), spaceless=True)) > 20


def test_a_feed_teaser_is_grouped_by_exact_text_only() -> None:
    short = fingerprint("North Korean troops in Kursk, says Seoul")
    assert short.size < MIN_SHINGLES and short.signature is None


def test_signatures_are_datasketchs_minhash() -> None:
    shingles = shingle_hashes(words(fold(LEAD * 3)), spaceless=False)
    reference = minhash()
    reference.update_batch(shingles.tolist())
    assert np.array_equal(signature(shingles), reference.hashvalues)
