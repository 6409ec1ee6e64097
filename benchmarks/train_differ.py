"""Train the differ's weighing layer from the repository's own labelled data, and judge it
by cross-validation by outlet.

    .venv/bin/python benchmarks/train_differ.py            # CV figures, then fit and write
                                                           # monitor/differ/model/stance.json
    .venv/bin/python benchmarks/train_differ.py --cv-only  # figures only, write nothing
    .venv/bin/python benchmarks/train_differ.py --lockbox  # + score the sealed lockbox fold
    .venv/bin/python benchmarks/train_differ.py --assign-folds   # once: write corpus/folds.json

The rules read every piece once (``Differ.read``: anchors, cues, negation, denial,
distancing, hedges, claims → features, see ``monitor/differ/features.py``); a multinomial
logistic regression over the four stances weighs those features. It is fitted with numpy
(a dev dependency); applying it needs nothing but the JSON it writes.

Cross-validation: the corpus's outlets are split into four folds plus a lockbox
(``corpus/folds.json``); the development set's outlets join the four folds. For each fold,
the model is fitted on the other three and predicts that one, so every cross-validated
figure comes from weights that never saw the outlet they judge. The lockbox is never used
for fitting; it is scored with ``--lockbox`` (and by ``tests/differ/test_lockbox.py``).
Everything is deterministic: same data, same weights, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import labelled  # noqa: E402
from benchmarks.scoring import flipped_cells, net_cells, summary  # noqa: E402
from monitor.differ import Differ, load_positions  # noqa: E402
from monitor.differ.learned import MODEL_PATH, StanceModel, model_from_json  # noqa: E402

CLASSES = ("absent", "echo", "contest", "mixed")
L2 = 10.0  # penalty on the weights (chosen by cross-validation among 3, 10, 30)
# (the override threshold, monitor.differ.learned.OVERRIDE, was chosen the same way)
CLASS_BALANCE = 0.5  # class weight = (share of the class) ** -CLASS_BALANCE
ITERATIONS = 1500
MIN_COUNT = 5  # a feature seen in fewer training examples gets no weight (a word of one outlet)


def read_all(differ: Differ, rows: Sequence[dict[str, Any]]) -> list[dict[str, dict[str, float]]]:
    """Per piece: position id → features (the rules run once per piece)."""
    out = []
    for r in rows:
        reading = differ.read(r["text"], language=r["lang"], title=r.get("title"))
        out.append({pid: feats for pid, (_, feats, _) in reading.positions.items()})
    return out


def examples(rows: Sequence[dict[str, Any]], feats: Sequence[dict[str, dict[str, float]]]
             ) -> tuple[list[dict[str, float]], list[str]]:
    xs, ys = [], []
    for r, per in zip(rows, feats, strict=True):
        for pid, f in per.items():
            if pid in r["stance"]:
                xs.append(f)
                ys.append(r["stance"][pid])
    return xs, ys


def fit(xs: Sequence[dict[str, float]], ys: Sequence[str], l2: float = L2,
        balance: float = CLASS_BALANCE, min_count: int = MIN_COUNT) -> StanceModel:
    seen = Counter(k for x in xs for k in x)
    names = sorted(k for k, n in seen.items() if n >= min_count)
    index = {k: i for i, k in enumerate(names)}
    X = np.zeros((len(xs), len(names)))
    for i, x in enumerate(xs):
        for k, v in x.items():
            if k in index:
                X[i, index[k]] = v
    y = np.array([CLASSES.index(s) for s in ys])
    counts = np.bincount(y, minlength=len(CLASSES)).astype(float)
    share = np.maximum(counts, 1.0) / len(y)
    cw = share ** -balance
    sw = cw[y] / cw[y].mean()
    Y = np.eye(len(CLASSES))[y]
    W = np.zeros((len(names), len(CLASSES)))
    # Adam on the weighted, L2-penalised cross-entropy: small and convex, so a fixed
    # schedule converges the same way every time
    m = np.zeros_like(W)
    v = np.zeros_like(W)
    lr, b1, b2, eps = 0.05, 0.9, 0.999, 1e-8
    n = len(y)
    # A position's own features may say how often it is addressed, never which way: the
    # share of echo among one position's labels says which outlets were sampled, not what
    # a piece says (the corpus has no P6 echo, yet "Russia will not help" echoes P6).
    tied = np.array([k.startswith("pos=") for k in names])
    addressed = [CLASSES.index(c) for c in CLASSES if c != "absent"]
    for t in range(1, ITERATIONS + 1):
        z = X @ W
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        grad = X.T @ ((p - Y) * sw[:, None]) / n + l2 * W / n
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        W -= lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        W[np.ix_(tied, addressed)] = W[np.ix_(tied, addressed)].mean(axis=1, keepdims=True)
    weights = {k: tuple(float(x) for x in W[index[k]]) for k in names}
    return StanceModel(CLASSES, weights, "", {})


def predict(
    model: StanceModel, feats: Sequence[dict[str, dict[str, float]]]
) -> list[dict[str, str]]:
    return [{pid: model.decide(f, _rule(f))[0] for pid, f in per.items()} for per in feats]


def _rule(features: dict[str, float]) -> Any:
    """The rules' stance, as the features record it (``rule=…``; absent when none)."""
    return next((k[5:] for k in features if k.startswith("rule=")), "absent")


def pairs_of(rows: Sequence[dict[str, Any]], preds: Sequence[dict[str, str]],
             langs: Sequence[str] | None = labelled.CORE) -> tuple[list[str], list[str]]:
    g, p = [], []
    for r, pr in zip(rows, preds, strict=True):
        if langs is not None and r["lang"] not in langs:
            continue
        for pid, s in r["stance"].items():
            g.append(s)
            p.append(pr.get(pid, "absent"))
    return g, p


def figures(rows: Sequence[dict[str, Any]], preds: Sequence[dict[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {"core": summary(*pairs_of(rows, preds))}
    for lang in labelled.CORE:
        g, p = pairs_of(rows, preds, (lang,))
        if g:
            out[lang] = summary(g, p)
    g, p = pairs_of(rows, preds, None)
    out["all_languages"] = summary(g, p)
    core_rows = [(r, pr) for r, pr in zip(rows, preds, strict=True) if r["lang"] in labelled.CORE]
    gold_cells = net_cells([r for r, _ in core_rows], [r["stance"] for r, _ in core_rows])
    pred_cells = net_cells([r for r, _ in core_rows], [pr for _, pr in core_rows])
    out["flipped_cells"] = ["×".join(c) for c in flipped_cells(gold_cells, pred_cells)]
    out["pieces"] = len(rows)
    return out


def show(title: str, figs: dict[str, Any]) -> None:
    c = figs["core"]
    print(f"{title:<34} core macro-F1 {c['macro_f1']:.3f} | addressed {c['addressed_f1']:.3f} | "
          f"direction {c['direction']:.3f} (n={c['direction_n']}) | pieces {figs['pieces']}")
    langs = "  ".join(f"{k} {figs[k]['macro_f1']:.3f}" for k in labelled.CORE if k in figs)
    a = figs["all_languages"]
    print(f"{'':<34} {langs} | all languages {a['macro_f1']:.3f} | "
          f"opposite-sign camp×position cells: {', '.join(figs['flipped_cells']) or 'none'}")


def cross_validate(rows: Sequence[dict[str, Any]], feats: Sequence[dict[str, dict[str, float]]],
                   **fit_args: Any) -> list[dict[str, str]]:
    """Each fold predicted by a model fitted on the other folds."""
    folds = labelled.load_folds()
    fold_of = [labelled.fold_of(r, folds) for r in rows]
    preds: list[dict[str, str] | None] = [None] * len(rows)
    for fold in labelled.CV_FOLDS:
        train = [i for i, f in enumerate(fold_of) if f != fold]
        test = [i for i, f in enumerate(fold_of) if f == fold]
        if not test:
            continue
        model = fit(*examples([rows[i] for i in train], [feats[i] for i in train]), **fit_args)
        for i, p in zip(test, predict(model, [feats[i] for i in test]), strict=True):
            preds[i] = p
    return [p or {} for p in preds]


def rule_predictions(differ: Differ, rows: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for r in rows:
        res = differ.diff(r["text"], language=r["lang"], title=r.get("title"))
        out.append({pid: x.stance for pid, x in res.positions.items()})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv-only", action="store_true", help="print figures, write no model")
    ap.add_argument("--lockbox", action="store_true", help="also score the sealed lockbox")
    ap.add_argument("--assign-folds", action="store_true",
                    help="write corpus/folds.json from the current corpus (once)")
    ap.add_argument("--gold", default="settled", choices=("settled", "a", "b"),
                    help="which labelling pass is the gold (default: the settled one)")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    args = ap.parse_args()

    corpus = labelled.corpus_pieces(args.gold)
    dev = labelled.dev_pieces()
    if args.assign_folds:
        if labelled.FOLDS_FILE.exists():
            print(f"{labelled.FOLDS_FILE} exists; the lockbox stays sealed (delete it to redo)")
            return 2
        labelled.write_folds(labelled.assign_folds(labelled.all_pieces() + dev))
        print(f"wrote {labelled.FOLDS_FILE}")
    folds = labelled.load_folds()
    if not folds:
        print("no corpus/folds.json: run with --assign-folds first")
        return 2
    rows = [r for r in corpus + dev if labelled.fold_of(r, folds) != labelled.LOCKBOX]
    lockbox = [r for r in corpus if labelled.fold_of(r, folds) == labelled.LOCKBOX]
    sizes = Counter(labelled.fold_of(r, folds) for r in corpus + dev)
    print(f"training pool: {len(rows)} pieces ({sum(r['set'] == 'corpus' for r in rows)} corpus, "
          f"{sum(r['set'] == 'dev' for r in rows)} dev) · lockbox {len(lockbox)} · "
          f"folds {dict(sorted(sizes.items()))}")

    positions = load_positions(ROOT / "positions.yaml")
    rules = Differ(positions, model=None)
    feats = read_all(rules, rows)

    rule_figs = figures(rows, rule_predictions(rules, rows))
    show("rules alone (no fitting)", rule_figs)
    cv = cross_validate(rows, feats)
    cv_figs = figures(rows, cv)
    show("cross-validated, all pieces", cv_figs)
    for name in ("corpus", "dev"):
        idx = [i for i, r in enumerate(rows) if r["set"] == name]
        if idx:
            subset = figures([rows[i] for i in idx], [cv[i] for i in idx])
            show(f"cross-validated, {name} only", subset)
    if args.cv_only:
        return 0

    model = fit(*examples(rows, feats))
    about = {
        "trained_on": {"corpus": sum(r["set"] == "corpus" for r in rows),
                       "dev": sum(r["set"] == "dev" for r in rows)},
        "gold": args.gold, "l2": L2, "class_balance": CLASS_BALANCE, "iterations": ITERATIONS,
        "cross_validated": {k: v for k, v in cv_figs.items() if k != "flipped_cells"},
        "script": "benchmarks/train_differ.py",
    }
    shipped = model_from_json({**model.to_json(), "about": about})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(shipped.to_json(), ensure_ascii=False, indent=0,
                                   sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(model.weights)} features)")
    if args.lockbox and lockbox:
        lock_feats = read_all(rules, lockbox)
        show("LOCKBOX (final model)", figures(lockbox, predict(shipped, lock_feats)))
        show("LOCKBOX (rules alone)", figures(lockbox, rule_predictions(rules, lockbox)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
