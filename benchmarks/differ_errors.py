"""Where the differ goes wrong on labelled pieces it may be developed on — never the lockbox.

    .venv/bin/python benchmarks/differ_errors.py                 # counts: position, gold, predicted
    .venv/bin/python benchmarks/differ_errors.py --lang ru --position P4 --show
    .venv/bin/python benchmarks/differ_errors.py --set dev --show

Reads the corpus's cross-validation folds (f1..f4) and the development set; pieces in the
lockbox fold are never loaded, so reading these errors cannot leak the lockbox into the
rules. The stances are the shipped differ's (rules + weighing layer); ``--rules`` shows the
rules alone. With ``--show`` each wrong pair prints the piece and the evidence sentences with
the cues that fired ("¬" negated, "?" distanced, "~" hedged or reported, "^" claimed).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import labelled  # noqa: E402
from monitor.differ import Differ, load_positions  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", action="append", help="only these languages (repeatable)")
    ap.add_argument("--position", action="append", help="only these positions (repeatable)")
    ap.add_argument("--set", choices=("corpus", "dev", "both"), default="both")
    ap.add_argument("--gold", help="only pairs with this gold stance")
    ap.add_argument("--pred", help="only pairs with this predicted stance")
    ap.add_argument("--rules", action="store_true", help="the rules alone, no weighing layer")
    ap.add_argument("--show", action="store_true", help="print each wrong pair")
    args = ap.parse_args()

    folds = labelled.load_folds()
    rows = [r for r in labelled.corpus_pieces() + labelled.dev_pieces()
            if labelled.fold_of(r, folds) != labelled.LOCKBOX
            and args.set in ("both", r["set"])
            and (not args.lang or r["lang"] in args.lang)]
    positions = load_positions(ROOT / "positions.yaml")
    differ = Differ(positions, model=None) if args.rules else Differ(positions)
    counts: Counter[tuple[str, str, str]] = Counter()
    for r in rows:
        result = differ.diff(r["text"], language=r["lang"], title=r.get("title"))
        for pid, gold in r["stance"].items():
            got = result.positions[pid]
            if gold == got.stance or (args.position and pid not in args.position):
                continue
            if (args.gold and gold != args.gold) or (args.pred and got.stance != args.pred):
                continue
            counts[(pid, gold, got.stance)] += 1
            if args.show:
                print(f"--- {r['id']} [{r['lang']}] {r['outlet']} · {pid}: gold {gold}, "
                      f"predicted {got.stance} ({got.confidence:.2f})")
                print("    " + (r.get("title") or "") + " | " + r["text"])
                for e in got.evidence:
                    print(f"      {e.score:+.2f} {list(e.cues)} {e.sentence[:200]}")
    print(f"\n{len(rows)} pieces (lockbox excluded); wrong pairs by position, gold → predicted:")
    for (pid, gold, pred), n in counts.most_common():
        print(f"  {pid:>4} {gold:>7} → {pred:<7} {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
