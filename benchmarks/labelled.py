"""The labelled data the differ is trained and judged on, and its folds.

Two sources:

- the repository's corpus (``corpus/``): pieces restated from real coverage
  (``corpus/pieces/*.jsonl``), each labelled in two blind passes (``corpus/labels/pass_a``,
  ``pass_b``) and settled in a third (``corpus/labels/settled``); see ``corpus/README.md``;
- the development set ``shared/data/framing/dev.jsonl``, read in place when it is there.

Folds are by *outlet*, so a model is never scored on an outlet it was trained on (an
outlet's house style would otherwise leak from training into the score). The assignment
is fixed in ``corpus/folds.json``, written once (``assign_folds``) and committed: the
lockbox fold stays the same pieces however the corpus grows, and an outlet first seen later
goes to a cross-validation fold by hash, never to the lockbox.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from monitor.models import STANCES

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DEV = ROOT / ".." / "shared" / "data" / "framing" / "dev.jsonl"
FOLDS_FILE = CORPUS / "folds.json"
CV_FOLDS = ("f1", "f2", "f3", "f4")
LOCKBOX = "lockbox"
CORE = ("en", "ru", "zh")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except ValueError as exc:
            raise SystemExit(f"{path}, line {n}: not JSON ({exc})") from exc
    return rows


def _labels(folder: Path) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.jsonl")) if folder.exists() else ():
        for row in read_jsonl(path):
            out[row["id"]] = row
    return out


def label_passes() -> dict[str, dict[str, dict[str, Any]]]:
    """pass name ("a", "b", "settled") → piece id → label row."""
    base = CORPUS / "labels"
    return {name: _labels(base / folder) for name, folder in
            (("a", "pass_a"), ("b", "pass_b"), ("settled", "settled"))}


def all_pieces() -> list[dict[str, Any]]:
    """Every corpus piece, labelled or not."""
    return [{**row, "set": "corpus"} for path in sorted((CORPUS / "pieces").glob("*.jsonl"))
            for row in read_jsonl(path)]


def corpus_pieces(gold: str = "settled") -> list[dict[str, Any]]:
    """The corpus pieces with their labels (``gold``: which pass gives ``stance``; a piece
    that pass has not labelled yet is left out)."""
    labels = label_passes()[gold]
    return [{**row, "stance": labels[row["id"]]["stance"]}
            for row in all_pieces() if row["id"] in labels]


def settle(part: str) -> int:
    """Write ``labels/settled/<part>.jsonl``: where passes A and B agree, their label; where
    they differ, the third reader's settlement (``labels/settlements/<part>.jsonl``).
    Returns how many pairs were settled; refuses while a disagreement has no settlement."""
    base = CORPUS / "labels"
    a = {r["id"]: r for r in read_jsonl(base / "pass_a" / f"{part}.jsonl")}
    b = {r["id"]: r for r in read_jsonl(base / "pass_b" / f"{part}.jsonl")}
    path = base / "settlements" / f"{part}.jsonl"
    third = {r["id"]: r for r in read_jsonl(path)} if path.exists() else {}
    lines = []
    settled = 0
    for piece in read_jsonl(CORPUS / "pieces" / f"{part}.jsonl"):
        pid = piece["id"]
        if pid not in a or pid not in b:
            raise SystemExit(f"{part}: piece {pid} lacks a label from pass A or pass B")
        stance, points = {}, []
        for pos, la in a[pid]["stance"].items():
            lb = b[pid]["stance"][pos]
            if la == lb:
                stance[pos] = la
                continue
            choice = third.get(pid, {}).get("settled", {}).get(pos)
            if choice not in STANCES:
                raise SystemExit(
                    f"{part}: {pid} {pos} (A {la}, B {lb}) has no settlement in {path}"
                )
            stance[pos] = choice
            points.append(pos)
        settled += len(points)
        row: dict[str, Any] = {"id": pid, "stance": stance, "settled": points}
        if points:
            row["note"] = third[pid].get("note", "")
        lines.append(json.dumps(row, ensure_ascii=False))
    out = base / "settled" / f"{part}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return settled


def dev_pieces() -> list[dict[str, Any]]:
    if not DEV.exists():
        return []
    return [{**r, "set": "dev"} for r in read_jsonl(DEV)]


def outlet_key(outlet: str) -> str:
    """One key per outlet family: 'TASS (English)' and 'TASS' are one outlet, and so are
    an aggregator's editions ('News-Pravda (French edition)')."""
    name = re.split(r"\s[(（]", outlet or "?", maxsplit=1)[0]
    return re.sub(r"\W+", " ", name.casefold()).strip() or "?"


def _hash_fold(key: str) -> str:
    return CV_FOLDS[hashlib.sha256(key.encode("utf-8")).digest()[0] % len(CV_FOLDS)]


def load_folds() -> dict[str, str]:
    if not FOLDS_FILE.exists():
        return {}
    return dict(json.loads(FOLDS_FILE.read_text(encoding="utf-8"))["outlets"])


def fold_of(row: dict[str, Any], folds: dict[str, str] | None = None) -> str:
    folds = load_folds() if folds is None else folds
    key = outlet_key(row.get("outlet", ""))
    return folds.get(key) or _hash_fold(key)


def assign_folds(rows: Sequence[dict[str, Any]], lockbox_share: float = 0.2) -> dict[str, str]:
    """Outlets → folds, balanced by pieces: outlets in hash order, each to the fold with
    the fewest pieces so far; the lockbox takes outlets until it holds its share.
    Only corpus pieces are placed in the lockbox; dev outlets go to CV folds."""
    sizes = Counter(outlet_key(r.get("outlet", "")) for r in rows if r.get("set") == "corpus")
    dev_only = {outlet_key(r.get("outlet", "")) for r in rows if r.get("set") == "dev"}
    order = sorted(sizes, key=lambda k: hashlib.sha256(k.encode("utf-8")).hexdigest())
    total = sum(sizes.values())
    fill: Counter[str] = Counter()
    out: dict[str, str] = {}
    for key in order:
        big = sizes[key] > 0.1 * total  # one outlet never makes up half the lockbox
        room = fill[LOCKBOX] + sizes[key] <= lockbox_share * total
        if key not in dev_only and not big and room:
            fold = LOCKBOX
        else:
            fold = min(CV_FOLDS, key=lambda f: (fill[f], f))
        out[key] = fold
        fill[fold] += sizes[key]
    return out


def write_folds(assignment: dict[str, str]) -> None:
    body = {
        "about": "outlet → fold; written once by benchmarks/train_differ.py --assign-folds. "
        "The lockbox is scored only by tests/differ/test_judgement_floors.py and "
        "train_differ.py --lockbox.",
        "outlets": dict(sorted(assignment.items())),
    }
    FOLDS_FILE.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", "utf-8")


def by_fold(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    folds = load_folds()
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(fold_of(r, folds), []).append(r)
    return out
