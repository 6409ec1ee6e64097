"""A daemon holds one copy of the language model, whichever stages ask for a language.

The py3langid model costs ~85 MiB resident; the extractor and the differ each loading their
own doubled a daemon's memory for nothing.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

POSITIONS = str(Path(__file__).resolve().parents[1] / "positions.yaml")

PAGE = """<html><head><title>Войска КНДР</title></head><body><article>
<h1>Войска КНДР в Курской области</h1>
<p>Как сообщили в Сеуле, несколько тысяч военнослужащих КНДР прибыли в Курскую область.
В Москве эти сообщения комментировать отказались.</p>
<p>Эксперты считают, что договор о всеобъемлющем стратегическом партнёрстве не направлен
против третьих стран.</p></article></body></html>"""


def test_extractor_and_differ_share_one_language_model() -> None:
    script = textwrap.dedent(
        f"""
        import gc
        from py3langid.langid import LanguageIdentifier
        from pathlib import Path
        from monitor.differ import Differ, load_positions
        from monitor.extract import extract
        page = {PAGE!r}
        article = extract(page.encode("utf-8"), url="https://example.org/a")
        assert article.language == "ru", article.language
        result = Differ(load_positions(Path({POSITIONS!r}))).diff(article.text, language=None)
        assert result.language == "ru", result.language
        print(sum(isinstance(o, LanguageIdentifier) for o in gc.get_objects()))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "1"


def test_the_model_keeps_only_the_weights_of_the_languages_it_answers_with() -> None:
    """py3langid keeps all 97 languages' weights beside the restricted ones (28 MiB) so
    that a restriction can be undone; ours is never undone, so that copy is dropped."""
    from monitor.language import LANGUAGES, _identifier

    identifier = _identifier()
    weights, _, classes = identifier._full_model
    assert set(classes) <= set(LANGUAGES)
    assert weights.shape[1] == len(identifier.nb_classes) < 40
    text = "Войска КНДР прибыли в Курскую область, сообщили в Сеуле."
    assert identifier.classify(text)[0] == "ru"
