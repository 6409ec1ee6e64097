"""The differ's scores: the same figures for every report (dev set, cross-validation,
lockbox, tests), so a number means the same wherever it is printed.

Pairs are piece × position, all positions of every piece pooled:
- macro-F1 over the four stances, over the classes present in gold or prediction (as
  scikit-learn's default does);
- addressed-vs-absent F1 (binary, addressed = not absent);
- direction accuracy: on pairs gold echo/contest and predicted echo/contest, how often the
  direction agrees;
- Cohen's kappa, for the agreement of two labelling passes;
- the camp × position net stance (echo minus contest, summed) and how many cells two
  labellings give opposite signs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from monitor.models import STANCES


def f1_per_class(gold: Sequence[str], pred: Sequence[str], label: str) -> float:
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    labels = [s for s in STANCES if s in gold or s in pred]
    if not labels:
        return float("nan")
    return sum(f1_per_class(gold, pred, label) for label in labels) / len(labels)


def addressed_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    g = ["y" if s != "absent" else "n" for s in gold]
    p = ["y" if s != "absent" else "n" for s in pred]
    return f1_per_class(g, p, "y")


def direction(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, int]:
    pairs = [(g, p) for g, p in zip(gold, pred, strict=True)
             if g in ("echo", "contest") and p in ("echo", "contest")]
    if not pairs:
        return float("nan"), 0
    return sum(g == p for g, p in pairs) / len(pairs), len(pairs)


def confusion(gold: Sequence[str], pred: Sequence[str]) -> str:
    c = Counter(zip(gold, pred, strict=True))
    lines = ["gold \\ pred " + "".join(f"{s:>9}" for s in STANCES)]
    for g in STANCES:
        lines.append(f"{g:>11} " + "".join(f"{c[(g, p)]:>9}" for p in STANCES))
    return "\n".join(lines)


def kappa(a: Sequence[str], b: Sequence[str]) -> float:
    n = len(a)
    if not n:
        return float("nan")
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def net_cells(
    rows: Sequence[dict[str, Any]], labels: Sequence[dict[str, str]]
) -> dict[tuple[str, str], int]:
    """(camp, position) → echo count minus contest count."""
    out: Counter[tuple[str, str]] = Counter()
    for r, lab in zip(rows, labels, strict=True):
        for pid, s in lab.items():
            out[(r["camp"], pid)] += 1 if s == "echo" else -1 if s == "contest" else 0
    return dict(out)


def flipped_cells(
    gold: dict[tuple[str, str], int], pred: dict[tuple[str, str], int]
) -> list[tuple[str, str]]:
    """Cells where gold and prediction lean opposite ways (both non-zero)."""
    return sorted(k for k in gold if gold[k] * pred.get(k, 0) < 0)


def summary(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float]:
    d, n = direction(gold, pred)
    return {"macro_f1": macro_f1(gold, pred), "addressed_f1": addressed_f1(gold, pred),
            "direction": d, "direction_n": n, "pairs": len(gold)}
