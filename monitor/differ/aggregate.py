"""From sentence signals to one stance per position: echo, contest, mixed or absent.

The differ abstains rather than guesses: a position is *addressed* only when at least one
sentence carries it with real weight, and *mixed* only when both directions do and the
weaker is at least half the stronger (a single hedge word does not make a piece mixed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from monitor.differ.stance import MIN_SENTENCE, SentenceSignal
from monitor.models import Evidence, PositionResult, Stance

ADDRESSED = 0.7  # the stronger direction needs this much evidence in total
MIXED_MIN = 1.0  # and for mixed, the weaker one this much (one unhedged sentence)…
MIXED_RATIO = 0.5  # …and at least this share of the stronger
MAX_EVIDENCE = 3


@dataclass(frozen=True)
class Scored:
    sentence: str
    index: int
    signal: SentenceSignal


def decide(echo: float, contest: float) -> Stance:
    strong, weak = max(echo, contest), min(echo, contest)
    if strong < ADDRESSED:
        return "absent"
    if weak >= MIXED_MIN and weak >= MIXED_RATIO * strong:
        return "mixed"
    return "echo" if echo > contest else "contest"


def aggregate(position_id: str, scored: Sequence[Scored]) -> PositionResult:
    strong = [s for s in scored if abs(s.signal.score) >= MIN_SENTENCE]
    echo = sum(s.signal.score for s in strong if s.signal.score > 0)
    contest = -sum(s.signal.score for s in strong if s.signal.score < 0)
    stance = decide(echo, contest)
    if stance == "absent":
        return PositionResult(position_id, "absent", 0.0, ())
    score = (echo - contest) / max(echo + contest, 1.0)
    sign = 1 if stance == "echo" else -1 if stance == "contest" else 0

    def rank(s: Scored) -> tuple[int, float]:
        agrees = sign == 0 or (s.signal.score > 0) == (sign > 0)
        return (0 if agrees else 1, -abs(s.signal.score))

    chosen = sorted(strong, key=rank)[:MAX_EVIDENCE]
    evidence = tuple(
        Evidence(
            sentence=s.sentence,
            stance="echo" if s.signal.score > 0 else "contest",
            score=round(s.signal.score, 3),
            cues=s.signal.cues,
            index=s.index,
        )
        for s in chosen
    )
    return PositionResult(position_id, stance, max(-1.0, min(1.0, score)), evidence)
