"""What the rules found, per piece and position, as numbers a learned model can weigh.

The rules (:mod:`stance`) read each sentence: is it about the position (anchors, figures),
which cues fire, and what the sentence does with them (negates, denies, distances, hedges,
reports a claim). How much each of those should count is not something to guess by hand
and tune on the examples at hand — that is what made the rules score far lower on coverage
nobody had seen than on the set they were written against. So the rules report *what they
saw* here, as named features, and :mod:`learned` weighs them with weights fitted on the
repository's labelled corpus (``benchmarks/train_differ.py``).

Every feature is general: it names a kind of evidence ("a contest cue read through a
denial"), never a word. Position and language features let the model learn that P4 and
Chinese coverage behave differently, but a new position or language simply has none of
its own and falls back on the shared weights.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.differ.stance import MIN_SENTENCE, SentenceSignal

CORE_LANGUAGES = ("en", "ru", "zh")
MARKER_KINDS = ("negation", "denial", "distancing", "hedges", "claims", "reports")


@dataclass(frozen=True)
class SentenceReading:
    """One sentence as the rules read it for one position."""

    signal: SentenceSignal
    markers: dict[str, int]  # marker kind → spans in the sentence (see MARKER_KINDS)


def _capped(x: float, cap: float = 3.0) -> float:
    return min(x, cap)


def position_features(
    position_id: str,
    language: str,
    readings: Sequence[SentenceReading],
    rule_stance: str,
    n_sentences: int,
) -> dict[str, float]:
    """The evidence the rules saw for one position in one piece, by kind."""
    f: dict[str, float] = {
        "bias": 1.0,
        f"pos={position_id}": 1.0,
        f"lang={language if language in CORE_LANGUAGES else 'other'}": 1.0,
    }
    if rule_stance != "absent":
        f[f"rule={rule_stance}"] = 1.0
        f[f"pos={position_id}*rule={rule_stance}"] = 1.0
    anchored = [r for r in readings if r.signal.anchored]
    if anchored:
        f["anchored"] = math.log1p(len(anchored))
        f["anchored_share"] = len(anchored) / max(1, n_sentences)
        f[f"pos={position_id}*anchored"] = math.log1p(len(anchored))
    echo = contest = 0.0
    top_echo = top_contest = 0.0
    for r in readings:
        score = r.signal.score
        if abs(score) < MIN_SENTENCE:
            continue
        if score > 0:
            echo += score
            top_echo = max(top_echo, score)
        else:
            contest -= score
            top_contest = max(top_contest, -score)
        for kind in r.signal.kinds:
            f[kind] = f.get(kind, 0.0) + 1.0
        if "context" in r.signal.cues:
            side = "echo" if score > 0 else "contest"
            f[f"{side}_context"] = f.get(f"{side}_context", 0.0) + 1.0
    if anchored and not any(r.signal.kinds for r in readings):
        # about the position, yet no cue says which way: what such pieces usually do with
        # this position is the only evidence left (reports of the UN panel veto are an
        # echo of P9 by the guide; talk of the alliance's reach, a contest of P5)
        f[f"bare:{position_id}"] = math.log1p(len(anchored))
    if echo:
        f["echo"] = _capped(echo)
        f["echo_top"] = top_echo
        f[f"pos={position_id}*echo"] = _capped(echo)
    if contest:
        f["contest"] = _capped(contest)
        f["contest_top"] = top_contest
        f[f"pos={position_id}*contest"] = _capped(contest)
    if echo and contest:
        f["both"] = min(echo, contest)
    # what the anchored sentences do, whether or not a cue fired in them: a denial or a
    # distancing word in a sentence about the position is a reading of it
    for kind in MARKER_KINDS:
        n = sum(r.markers.get(kind, 0) for r in anchored)
        if n:
            f[f"marker_{kind}"] = math.log1p(n)
            if contest:
                f[f"contest*marker_{kind}"] = _capped(contest) * math.log1p(n)
            if echo:
                f[f"echo*marker_{kind}"] = _capped(echo) * math.log1p(n)
    for key in [k for k in f if k.startswith(("echo:", "contest:")) or k.endswith("_context")]:
        f[key] = math.log1p(f[key])
    return f

