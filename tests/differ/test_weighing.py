"""How the learned layer weighs the rules' call: when it overrules them, and what it never does.

The model here is made by hand so each case reads as a sentence: a "leans" feature gives one
class a known probability, and the rules' own stance is passed in beside it.
"""

from __future__ import annotations

import math

import pytest

from monitor.differ.learned import MIXED_SUPPORT, OVERRIDE, StanceModel
from monitor.models import Stance

CLASSES: tuple[Stance, ...] = ("absent", "echo", "contest", "mixed")


def leaning(stance: Stance, probability: float) -> StanceModel:
    """A model that gives ``stance`` the ``probability`` and shares the rest evenly."""
    rest = (1.0 - probability) / 3
    logits = tuple(math.log(probability if c == stance else rest) for c in CLASSES)
    return StanceModel(CLASSES, {"leans": logits}, "test", {})


@pytest.mark.parametrize(
    ("model_says", "sure", "rules_say", "stance"),
    [
        # the rules' call stands unless the model is sure of another
        ("contest", OVERRIDE - 0.05, "echo", "echo"),
        ("contest", OVERRIDE + 0.05, "echo", "contest"),
        ("absent", OVERRIDE + 0.05, "contest", "absent"),
        ("echo", OVERRIDE + 0.05, "absent", "echo"),
        # a piece the rules read both ways stays mixed where the model gives mixed some
        # support, and otherwise takes the way the model leans
        ("mixed", 0.5, "mixed", "mixed"),
        ("mixed", MIXED_SUPPORT + 0.01, "mixed", "mixed"),
        ("echo", 0.9, "mixed", "echo"),
        ("contest", 0.9, "mixed", "contest"),
        # …unless the model is sure the position is not addressed at all
        ("absent", 0.9, "mixed", "absent"),
        # the model never calls mixed where the rules saw one direction only
        ("mixed", 0.9, "echo", "echo"),
        ("mixed", 0.9, "contest", "contest"),
    ],
)
def test_the_model_overrules_the_rules_only_where_it_may(
    model_says: Stance, sure: float, rules_say: Stance, stance: Stance
) -> None:
    decided, confidence = leaning(model_says, sure).decide({"leans": 1.0}, rules_say)
    assert decided == stance
    assert 0.0 < confidence <= 1.0


def test_a_call_the_model_doubts_is_marked_weak() -> None:
    """The rules' echo stands against a model leaning elsewhere, with the model's low
    probability of echo as its confidence: the digest shows it as a weak call."""
    decided, confidence = leaning("contest", OVERRIDE - 0.05).decide({"leans": 1.0}, "echo")
    assert decided == "echo"
    assert confidence < 0.2
