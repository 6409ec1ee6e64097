"""Score the differ on labelled coverage, and measure its speed.

    .venv/bin/python benchmarks/differ_eval.py                 # dev set, all pieces
    .venv/bin/python benchmarks/differ_eval.py --split a       # half A only (develop on this)
    .venv/bin/python benchmarks/differ_eval.py --split b       # half B (report, don't tune)
    .venv/bin/python benchmarks/differ_eval.py --heldout       # our own held-out pieces
    .venv/bin/python benchmarks/differ_eval.py --semantic      # + the semantic extra, side by side
    .venv/bin/python benchmarks/differ_eval.py --split a --errors   # what went wrong, per pair

The labelled set (`shared/data/framing/dev.jsonl`) is read in place, never copied. The split
is deterministic by id hash (sha256(id)[0] even → A), so A and B stay the same halves.

Metrics (pairs are piece × position, all ten positions of every piece pooled):
- macro-F1 over the four stances, over the classes present in gold or prediction
  (as scikit-learn's default does), pooled and per position and per language;
- addressed-vs-absent F1 (binary, addressed = not absent);
- direction accuracy: on pairs gold echo/contest and predicted echo/contest, how often the
  direction agrees;
- a 4×4 confusion matrix (rows gold, columns predicted);
- core languages (en, ru, zh) separately from the others;
- framing, informative only: troop_count exact match and epistemic accuracy where labelled;
- throughput in articles/s: lexical in one process; with --semantic, the extra on a pool of
  two processes, measured in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scoring import (  # noqa: E402
    addressed_f1,
    confusion,
    direction,
    macro_f1,
)
from monitor.differ import Differ, load_positions  # noqa: E402

DEV = ROOT / ".." / "shared" / "data" / "framing" / "dev.jsonl"
HELDOUT = ROOT / "tests" / "differ" / "fixtures" / "heldout.jsonl"
POSITIONS = ROOT / "positions.yaml"
CORE = ("en", "ru", "zh")
PIDS = tuple(f"P{i}" for i in range(1, 11))


def split_of(piece_id: str) -> str:
    return "a" if hashlib.sha256(piece_id.encode()).digest()[0] % 2 == 0 else "b"


def load(path: Path, split: str) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r for r in rows if split == "all" or split_of(r["id"]) == split]


# ── running ─────────────────────────────────────────────────────────────────────────


def predict(differ: Differ, rows: Iterable[dict[str, Any]]) -> list[Any]:
    return [differ.diff(r["text"], language=r["lang"], title=r.get("title")) for r in rows]


def pairs(rows: Sequence[dict[str, Any]], results: Sequence[Any], langs: Iterable[str] | None = None
          ) -> tuple[list[str], list[str]]:
    keep = set(langs) if langs is not None else None
    gold: list[str] = []
    pred: list[str] = []
    for r, res in zip(rows, results, strict=True):
        if keep is not None and r["lang"] not in keep:
            continue
        for pid in PIDS:
            gold.append(r["stance"][pid])
            pred.append(res.positions[pid].stance)
    return gold, pred


def report(title: str, rows: Sequence[dict[str, Any]], results: Sequence[Any]) -> dict[str, float]:
    print(f"\n=== {title}: {len(rows)} pieces ===")
    out: dict[str, float] = {}
    for name, langs in (("core en/ru/zh", CORE), ("other languages", None), ("all", None)):
        if name == "other languages":
            langs = sorted({r["lang"] for r in rows} - set(CORE))
            if not langs:
                continue
        g, p = pairs(rows, results, langs)
        if not g:
            continue
        d, n = direction(g, p)
        m, a = macro_f1(g, p), addressed_f1(g, p)
        print(f"{name:>16}: pooled macro-F1 {m:.3f} | addressed F1 {a:.3f} | "
              f"direction acc {d:.3f} (n={n}) | pieces {len(g) // 10}")
        out[name] = m
        out[name + " addressed"] = a
    g, p = pairs(rows, results, CORE)
    if g:
        print("confusion (core):\n" + confusion(g, p))
    print("per position (core): " + "  ".join(
        f"{pid} {macro_f1(g[i::10], p[i::10]):.2f}" for i, pid in enumerate(PIDS)))
    langs = Counter(r["lang"] for r in rows)
    print("per language: " + "  ".join(
        f"{lang}({n}) {macro_f1(*pairs(rows, results, [lang])):.3f}"
        for lang, n in langs.most_common()))
    counts = [(r["framing"].get("troop_count"), res.framing.troop_count)
              for r, res in zip(rows, results, strict=True)
              if r.get("framing", {}).get("troop_count")]
    epist = [(r["framing"].get("epistemic"), res.framing.epistemic)
             for r, res in zip(rows, results, strict=True) if r.get("framing", {}).get("epistemic")]
    if counts or epist:
        exact = sum(a == b for a, b in counts)
        print(f"framing (informative): troop_count exact {exact}/{len(counts)}"
              f" | epistemic {sum(a == b for a, b in epist)}/{len(epist)}")
    return out


def errors(rows: Sequence[dict[str, Any]], results: Sequence[Any]) -> None:
    for r, res in zip(rows, results, strict=True):
        wrong = [pid for pid in PIDS if r["stance"][pid] != res.positions[pid].stance]
        if not wrong:
            continue
        print(f"\n--- {r['id']} [{r['lang']}] {r.get('outlet', '')}")
        for pid in wrong:
            pr = res.positions[pid]
            print(f"  {pid}: gold {r['stance'][pid]:<7} pred {pr.stance:<7} ({pr.score:+.2f})")
            for e in pr.evidence:
                print(f"      {e.stance[0]} {e.score:+.2f} {e.sentence[:150]!r} {list(e.cues)}")


def cross_validated(positions: Any) -> None:
    """Figures from weights that never saw the outlet they judge (see train_differ.py)."""
    from benchmarks import labelled, train_differ

    folds = labelled.load_folds()
    if not folds:
        print("\n(no corpus/folds.json: no cross-validated figures)")
        return
    rows = [r for r in labelled.corpus_pieces() + labelled.dev_pieces()
            if labelled.fold_of(r, folds) != labelled.LOCKBOX]
    rules = Differ(positions, model=None)
    feats = train_differ.read_all(rules, rows)
    cv = train_differ.cross_validate(rows, feats)
    print(f"\n=== cross-validated by outlet (corpus/ + dev, lockbox excluded): "
          f"{len(rows)} pieces ===")
    train_differ.show("all pieces", train_differ.figures(rows, cv))
    for name in ("corpus", "dev"):
        idx = [i for i, r in enumerate(rows) if r["set"] == name]
        if idx:
            train_differ.show(f"{name} only",
                              train_differ.figures([rows[i] for i in idx], [cv[i] for i in idx]))


# ── speed ───────────────────────────────────────────────────────────────────────────

_WORKER: Differ | None = None


def _init(semantic: str) -> None:
    global _WORKER
    _WORKER = Differ(load_positions(POSITIONS), semantic=semantic)  # type: ignore[arg-type]
    _WORKER.diff("warm-up: North Korean troops in Kursk.", language="en")


def _one(row: dict[str, Any]) -> int:
    assert _WORKER is not None
    _WORKER.diff(row["text"], language=row["lang"], title=row.get("title"))
    return 1


def throughput(rows: Sequence[dict[str, Any]], semantic: str, procs: int, rounds: int) -> float:
    work = list(rows) * rounds
    if procs == 1:
        _init(semantic)
        for r in rows:  # compile each language's tables once, as a long-running daemon does
            _one(r)
        t = time.perf_counter()
        for r in work:
            _one(r)
        return len(work) / (time.perf_counter() - t)
    # One thread per process (the workers are the parallelism), set before they import
    # numpy or the models; spawn, not fork: the parent may hold OpenMP threads.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    with mp.get_context("spawn").Pool(procs, initializer=_init, initargs=(semantic,)) as pool:
        pool.map(_one, list(rows) * procs, chunksize=1)  # warm every worker, every language
        t = time.perf_counter()
        n = sum(pool.map(_one, work, chunksize=4))
        return n / (time.perf_counter() - t)


def long_pieces(rows: Sequence[dict[str, Any]], size: int = 6) -> list[dict[str, Any]]:
    """Full-length articles for speed: runs of `size` same-language pieces joined as
    paragraphs (~4,000 characters, the length of a typical news article)."""
    by_lang: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_lang.setdefault(r["lang"], []).append(r)
    out = []
    for lang, group in by_lang.items():
        for i in range(0, len(group) - size + 1, size):
            text = "\n\n".join(r["text"] for r in group[i : i + size])
            out.append({"id": f"long{lang}{i}", "lang": lang, "title": None, "text": text})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEV)
    ap.add_argument("--split", choices=("a", "b", "all"), default="all")
    ap.add_argument("--heldout", action="store_true",
                    help="score tests/differ/fixtures/heldout.jsonl")
    ap.add_argument("--semantic", action="store_true", help="also run with the semantic extra")
    ap.add_argument("--errors", action="store_true", help="print every wrong pair")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--no-cv", action="store_true",
                    help="skip the cross-validated figures on corpus/ + the dev set")
    ap.add_argument("--rounds", type=int, default=5, help="passes over the set for speed")
    args = ap.parse_args()

    path = HELDOUT if args.heldout else args.data
    if not path.exists():
        print(f"no labelled data at {path}; nothing to score")
        return 2
    rows = load(path, "all" if args.heldout else args.split)
    positions = load_positions(POSITIONS)
    print(f"data {path.name} split {args.split} · positions {positions.version}")

    lexical = Differ(positions)
    res = predict(lexical, rows)
    trained = "" if args.heldout else " (in-sample: the model was fitted on it)"
    report(f"lexical, shipped model{trained}", rows, res)
    if not args.heldout and not args.no_cv:
        cross_validated(positions)
    if args.errors:
        errors(rows, res)
    if args.semantic:
        sem = Differ(positions, semantic="on")
        report("lexical+semantic", rows, predict(sem, rows))
    if not args.no_speed:
        avg = sum(len(r["text"]) for r in rows) / max(1, len(rows))
        lex_speed = throughput(rows, "off", 1, args.rounds)
        print(f"\nthroughput (mean piece {avg:.0f} chars): lexical {lex_speed:.0f} articles/s "
              "(1 process)", flush=True)
        longer = long_pieces(rows)
        if longer:
            long_avg = sum(len(r["text"]) for r in longer) / len(longer)
            long_speed = throughput(longer, "off", 1, args.rounds)
            print(f"throughput (full-length articles, mean {long_avg:.0f} chars): lexical "
                  f"{long_speed:.0f} articles/s (1 process)", flush=True)
        if args.semantic:
            sem_speed = throughput(rows, "on", 2, max(1, args.rounds // 2))
            print(f"throughput: lexical+semantic {sem_speed:.1f} articles/s (2 processes) | "
                  f"per core the extra costs {lex_speed / (sem_speed / 2):.0f}x the lexical path")
            if longer:
                sem_long = throughput(longer, "on", 2, max(1, args.rounds // 2))
                print(f"throughput (full-length articles): lexical+semantic {sem_long:.1f} "
                      "articles/s (2 processes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
