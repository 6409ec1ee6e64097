"""The language of a piece, as an ISO 639-1 code.

The page's own declarations (``<html lang>``, ``og:locale``, JSON-LD ``inLanguage``) and
the source's configured language are *hints*: templates declare the site's language on
every page, translated pieces included. The text decides when it can:

* Hangul, kana and Han characters settle Korean, Japanese and Chinese by script alone;
* otherwise py3langid, restricted to the languages the monitored press writes in (so
  short Russian text is never taken for Macedonian or Tajik), reads the first 600
  characters; below 0.9 confidence, or on texts under 80 letters, the first hint wins.
  When a hint is given, the first 200 characters are read first: if they say the hint
  with that confidence, the text has confirmed it and the rest is not read (most pages:
  the model's tables are large, and on a busy process each character read costs cache
  misses, so this saves two thirds of the work where it holds).

The py3langid model (~0.5 s to load, ~85 MiB) is loaded once per process, on first use,
and never mutated: this module owns its own identifier instead of the library's shared one,
and it is the only one — the extractor and the differ both ask here, so a daemon holds one
copy of the model, not one per stage.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

logger = logging.getLogger(__name__)

LANGUAGES = (
    "en", "ru", "zh", "uk", "ko", "ja", "de", "fr", "es", "it", "bg", "pt", "pl", "nl",
    "cs", "be", "kk", "sr", "tr", "ar", "fa", "vi",
)  # fmt: skip
_MIN_LETTERS = 80
_MIN_CONFIDENCE = 0.9
_SAMPLE = 600
_CONFIRM_SAMPLE = 200  # characters that may confirm a hint (see the module docstring)
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_LETTERS = re.compile(r"[^\W\d_]")
_CODE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_].*)?$")
_ALIASES = {"iw": "he", "in": "id", "ji": "yi", "zh-hans": "zh", "zh-hant": "zh", "ua": "uk"}


def normalize_code(value: str | None) -> str | None:
    """``en-US`` → ``en``, ``ru_RU`` → ``ru``, ``zh-Hans`` → ``zh``; junk → None."""
    if not value:
        return None
    value = value.strip().lower()
    if value in _ALIASES:
        return _ALIASES[value]
    m = _CODE.match(value)
    if not m or len(m.group(1)) != 2:
        return None
    code = m.group(1)
    return _ALIASES.get(code, code)


def detect_language(text: str, hints: Iterable[str | None] = ()) -> str | None:
    """The language of ``text``; the first usable hint when the text cannot tell."""
    hint = next((c for c in (normalize_code(h) for h in hints) if c), None)
    sample = text[:_SAMPLE]
    letters = len(_LETTERS.findall(sample))
    if letters == 0:
        return hint
    by_script = _by_script(sample, letters)
    if by_script:
        return by_script
    if letters < _MIN_LETTERS and hint:
        return hint
    if hint and len(sample) > _CONFIRM_SAMPLE:
        code, confidence = _identifier().classify(sample[:_CONFIRM_SAMPLE])
        if code == hint and confidence >= _MIN_CONFIDENCE:
            return hint
    code, confidence = _identifier().classify(sample)
    if confidence >= _MIN_CONFIDENCE or not hint:
        return str(code)
    logger.debug("language %s at %.2f: keeping hint %s", code, confidence, hint)
    return hint


def _by_script(sample: str, letters: int) -> str | None:
    hangul = len(_HANGUL.findall(sample))
    if hangul / letters > 0.3:
        return "ko"
    kana = len(_KANA.findall(sample))
    han = len(_HAN.findall(sample))
    if kana / letters > 0.05 and (kana + han) / letters > 0.3:
        return "ja"
    if han / letters > 0.3:
        return "zh"
    return None


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    # py3langid 0.4 loads with from_model_file, 0.3 with from_pickled_model
    loader = getattr(LanguageIdentifier, "from_model_file", None)
    loader = loader or LanguageIdentifier.from_pickled_model
    identifier = loader(MODEL_FILE, norm_probs=True)
    known = set(identifier.nb_classes)
    identifier.set_languages([code for code in LANGUAGES if code in known])
    # set_languages keeps the weights of all 97 languages to allow a later reset; this
    # identifier is never reset, and that copy is 28 MiB of every process that detects
    if hasattr(identifier, "_full_model"):
        identifier._full_model = (identifier.nb_ptc, identifier.nb_pc, identifier.nb_classes)
    return identifier
