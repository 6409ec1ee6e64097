"""What the labelled corpus holds and how far its two blind labelling passes agree.

    .venv/bin/python benchmarks/corpus_report.py
    .venv/bin/python benchmarks/corpus_report.py --settle   # first (re)write labels/settled/

Prints pieces by language and camp, the number of outlets, the labels per position, and
the agreement of pass A with pass B (macro-F1 of one against the other, as the differ is
scored, and Cohen's kappa over the four stances), pooled and on en/ru/zh, plus how many
pairs the settling pass changed from each.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import labelled  # noqa: E402
from benchmarks.scoring import addressed_f1, kappa, macro_f1  # noqa: E402


def main() -> int:
    if sys.argv[1:2] == ["--settle"]:
        for path in sorted((labelled.CORPUS / "pieces").glob("*.jsonl")):
            n = labelled.settle(path.stem)
            print(f"{path.stem}: settled file written ({n} pairs settled by the third reader)")
    pieces = [r for path in sorted((labelled.CORPUS / "pieces").glob("*.jsonl"))
              for r in labelled.read_jsonl(path)]
    passes = labelled.label_passes()
    outlets = {labelled.outlet_key(r["outlet"]) for r in pieces}
    print(f"pieces {len(pieces)} · outlets {len(outlets)}"
          f" · en/ru/zh {sum(r['lang'] in labelled.CORE for r in pieces)}")
    print("by language: " + ", ".join(f"{k} {v}" for k, v in
                                      Counter(r["lang"] for r in pieces).most_common()))
    print("by camp:     " + ", ".join(f"{k} {v}" for k, v in
                                      Counter(r["camp"] for r in pieces).most_common()))
    folds = labelled.load_folds()
    if folds:
        print("by fold:     " + ", ".join(f"{k} {v}" for k, v in sorted(
            Counter(labelled.fold_of(r, folds) for r in pieces).items())))
    print("labelled:    " + ", ".join(f"pass {k} {sum(r['id'] in v for r in pieces)}"
                                      for k, v in passes.items()))
    settled = passes["settled"]
    if settled:
        per: Counter[str] = Counter()
        for r in pieces:
            for pid, s in settled.get(r["id"], {}).get("stance", {}).items():
                if s != "absent":
                    per[f"{pid} {s}"] += 1
        print("settled non-absent labels: " + ", ".join(
            f"{k} {per[k]}" for k in sorted(per, key=lambda k: (int(k.split()[0][1:]), k))))
    both = [r for r in pieces if r["id"] in passes["a"] and r["id"] in passes["b"]]
    for name, langs in (("all languages", None), ("en/ru/zh", labelled.CORE)):
        a, b, s = [], [], []
        for r in both:
            if langs is not None and r["lang"] not in langs:
                continue
            for pid, la in passes["a"][r["id"]]["stance"].items():
                a.append(la)
                b.append(passes["b"][r["id"]]["stance"].get(pid, "absent"))
                s.append(settled.get(r["id"], {}).get("stance", {}).get(pid, ""))
        if not a:
            continue
        print(f"agreement A vs B, {name} ({len(a) // 10} pieces): macro-F1 {macro_f1(a, b):.3f}"
              f" · addressed F1 {addressed_f1(a, b):.3f} · kappa {kappa(a, b):.3f}"
              f" · pairs that differ {sum(x != y for x, y in zip(a, b, strict=True))}")
        if any(s):
            print(f"  settled differs from A on {sum(x != z for x, z in zip(a, s, strict=True))}"
                  f" pairs, from B on {sum(y != z for y, z in zip(b, s, strict=True))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
