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


def totals(scored: Sequence[Scored]) -> tuple[float, float]:
    """The evidence for each direction: summed scores of the sentences that count."""
    strong = [s.signal.score for s in scored if abs(s.signal.score) >= MIN_SENTENCE]
    return sum(x for x in strong if x > 0), -sum(x for x in strong if x < 0)


def aggregate(position_id: str, scored: Sequence[Scored]) -> PositionResult:
    """The rules' own stance (no learned weights)."""
    echo, contest = totals(scored)
    return result(position_id, decide(echo, contest), scored)


def result(
    position_id: str, stance: Stance, scored: Sequence[Scored], confidence: float = 1.0
) -> PositionResult:
    """The position's result for a decided ``stance``, with the sentences that show it
    (those pulling the way of the stance first)."""
    if stance == "absent":
        return PositionResult(position_id, "absent", 0.0, (), confidence)
    strong = [s for s in scored if abs(s.signal.score) >= MIN_SENTENCE]
    echo, contest = totals(scored)
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
    if sign and score * sign <= 0:
        score = 0.1 * sign  # a learned call against the rules' net lean: a weak score
    return PositionResult(
        position_id, stance, max(-1.0, min(1.0, score)), evidence, confidence
    )
