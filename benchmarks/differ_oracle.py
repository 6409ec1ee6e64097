"""Pin the lexical differ's output byte for byte, so a speed-up can prove it changed nothing.

    .venv/bin/python benchmarks/differ_oracle.py --out /tmp/differ-oracle-before.jsonl
    # … change the differ …
    .venv/bin/python benchmarks/differ_oracle.py --compare /tmp/differ-oracle-before.jsonl

Every piece is set against `positions.yaml` (semantic off) and its result written as one line,
``<set>:<id>\\t<json.dumps(result.to_json(), sort_keys=True, ensure_ascii=False)>``. The
pieces:

- ``dev``: the labelled set `shared/data/framing/dev.jsonl`, read in place (skipped with a
  note when absent — never copied into the repository);
- ``heldout``: `tests/differ/fixtures/heldout.jsonl`;
- ``long``: the full-length articles the speed benchmark builds from the dev set;
- ``seed``: the baseline article `shared/seed/000_c729cd3e6bfc0f2e.txt` (language detected);
- ``demo``: every HTML page of `monitor/demo_data/demo.warc.gz` the extractor reads
  (extracted language and title), and once more with the language detected;
- ``store``: the articles `monitor demo` stores (run in a temporary directory), read back
  from its database and diffed as the pipeline diffs them;
- ``stress``: the same texts upper-cased, and with case-tricky letters swapped in (dotted
  İ, dotless ı, long ſ, the Kelvin sign, Cyrillic rounded в/о/т, Greek final ς, ẞ) — the
  characters a case-insensitive matcher treats specially — so any change to how cues are
  matched across case must keep them;
- ``cross``: dev and held-out pieces read with every other shipped lexicon, so every
  language's cues and markers meet real text.

With ``--semantic`` the differ runs with the semantic extra instead, on the dev, held-out,
seed and stored demo pieces only (the extra is slow).

Run it before a change (``--out``) and after (``--compare``): it prints the first few
differing lines and exits 1 on any difference. A piece the differ fails on is pinned as its
error, so a change that starts or stops failing shows up too.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from differ_eval import long_pieces  # noqa: E402

from monitor.differ import Differ, load_positions  # noqa: E402
from monitor.differ.lexicon import available_languages  # noqa: E402
from monitor.errors import MonitorError  # noqa: E402

SHARED = ROOT / ".." / "shared"
DEV = SHARED / "data" / "framing" / "dev.jsonl"
SEED = SHARED / "seed" / "000_c729cd3e6bfc0f2e.txt"
HELDOUT = ROOT / "tests" / "differ" / "fixtures" / "heldout.jsonl"
DEMO = ROOT / "monitor" / "demo_data" / "demo.warc.gz"
POSITIONS = ROOT / "positions.yaml"

Piece = tuple[str, str, str, str | None, str | None]  # set, id, text, language, title

# Letters whose case-insensitive match is special: several upper/lower forms, or a lower
# case of another length. Each is swapped in for the plain letter every few occurrences.
_TRICKY = {"i": "İ", "I": "ı", "s": "ſ", "k": "K", "K": "K", "в": "ᲀ", "о": "ᲂ", "т": "ᲄ",
           "σ": "ς", "ß": "ẞ", "e": "E", "o": "Ö", "a": "ª", "u": "µ", "n": "ŉ"}


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _tricky(text: str) -> str:
    seen: dict[str, int] = {}
    out = []
    for ch in text:
        swap = _TRICKY.get(ch)
        if swap is not None:
            seen[ch] = seen.get(ch, 0) + 1
            if seen[ch] % 3 == 0:
                out.append(swap)
                continue
        out.append(ch)
    return "".join(out)


def _demo_pages() -> Iterator[tuple[str, str, str | None, str | None]]:
    from monitor.extract import extract
    from monitor.fetch import iter_archive

    for response in iter_archive([DEMO]):
        kind = (response.header("content-type") or "").lower()
        if response.status != 200 or "html" not in kind:
            continue
        try:
            article = extract(response.body, response.url)
        except MonitorError:
            continue
        yield response.url, article.text, article.language, article.title


def _stored_articles() -> Iterator[tuple[str, str, str | None, str | None]]:
    """What the pipeline itself stores from the demo archive (site selectors applied)."""
    with tempfile.TemporaryDirectory() as tmp:
        cli = "from monitor.cli import main; main()"
        subprocess.run(
            [sys.executable, "-c", cli, "--storage", tmp, "demo"],
            cwd=ROOT, check=True, capture_output=True,
        )
        db = sqlite3.connect(Path(tmp) / "demo" / "monitor.db")
        try:
            rows = db.execute("SELECT url, text, language, title FROM articles ORDER BY url")
            yield from rows.fetchall()
        finally:
            db.close()


def pieces() -> Iterator[Piece]:
    base: list[Piece] = []
    if DEV.exists():
        dev = _jsonl(DEV)
        base += [("dev", r["id"], r["text"], r["lang"], r.get("title")) for r in dev]
        base += [("long", r["id"], r["text"], r["lang"], None) for r in long_pieces(dev)]
    else:
        print(f"note: no labelled set at {DEV}; dev and long pieces skipped", file=sys.stderr)
    base += [("heldout", r["id"], r["text"], r["lang"], r.get("title")) for r in _jsonl(HELDOUT)]
    if SEED.exists():
        base.append(("seed", SEED.name, SEED.read_text(encoding="utf-8"), None, None))
    else:
        print(f"note: no seed article at {SEED}; skipped", file=sys.stderr)
    for url, text, lang, title in _demo_pages():
        base.append(("demo", url, text, lang, title))
        base.append(("demo-detect", url, text, None, None))
    for url, text, lang, title in _stored_articles():
        base.append(("store", url, text, lang, title))
    yield from base
    for kind, pid, text, lang, title in base:
        if kind in ("long", "demo-detect"):
            continue
        yield "stress-upper", f"{kind}:{pid}", text.upper(), lang, title and title.upper()
        yield "stress-tricky", f"{kind}:{pid}", _tricky(text), lang, title and _tricky(title)
    languages = available_languages()
    for kind, pid, text, lang, title in base:
        if kind not in ("dev", "heldout"):
            continue
        for other in languages:
            if other != lang:
                yield "cross", f"{kind}:{pid}:{other}", text, other, title


def run(semantic: bool = False) -> list[str]:
    differ = Differ(load_positions(POSITIONS), semantic="on" if semantic else "off")
    lines = []
    for kind, pid, text, lang, title in pieces():
        if semantic and kind not in ("dev", "heldout", "seed", "store"):
            continue
        try:
            result = differ.diff(text, language=lang, title=title)
        except Exception as exc:  # noqa: BLE001 — a crash is an outcome to pin too
            blob = json.dumps({"error": f"{type(exc).__name__}: {exc}"}, ensure_ascii=False)
        else:
            blob = json.dumps(result.to_json(), sort_keys=True, ensure_ascii=False)
        lines.append(f"{kind}:{pid}\t{blob}")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--out", type=Path, help="write the results here")
    group.add_argument("--compare", type=Path, help="compare the results with this file")
    ap.add_argument("--semantic", action="store_true", help="with the semantic extra")
    args = ap.parse_args()
    lines = run(args.semantic)
    if args.out is not None:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(lines)} results written to {args.out}")
        return 0
    before = args.compare.read_text(encoding="utf-8").splitlines()
    if len(before) != len(lines):
        print(f"{len(before)} results before, {len(lines)} now: the piece sets differ")
        return 1
    diffs = [(a, b) for a, b in zip(before, lines, strict=True) if a != b]
    for a, b in diffs[:5]:
        print(f"- {a[:400]}\n+ {b[:400]}\n")
    print(f"{len(lines)} results, {len(diffs)} different")
    return 1 if diffs else 0


if __name__ == "__main__":
    raise SystemExit(main())
