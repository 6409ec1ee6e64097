"""How long `monitor reanalyse` takes after an edit to positions.yaml, end to end.

The target (default install, lexical differ, 2 cores): re-analysing 10,000 stored
full-length articles takes at most 10 minutes.

    .venv/bin/python benchmarks/reanalyse_speed.py              # 1,000 articles, ~1 minute
    .venv/bin/python benchmarks/reanalyse_speed.py --n 10000    # the real target
    .venv/bin/python benchmarks/reanalyse_speed.py --via pipeline   # in-process, no CLI

What it does, in a temporary directory (``--keep DIR`` to keep it):

1. copies positions.yaml there and opens a SQLite store through ``open_analysis_pipeline``
   (the assembly every entry point uses), then stores N full-length articles (~4,000
   characters, built like ``long_pieces`` in differ_eval.py: runs of six same-language
   pieces of the labelled dev set, read in place from ../shared/data, never copied; each
   article rotates its paragraphs and carries its own number, so every content hash
   differs) through ``Store.upsert_article``;
2. gives every article differ results of the original positions.yaml through
   ``Store.save_diff`` — one real diff per distinct run × rotation, reused for the
   articles that share it (only the number line differs), so the store holds what a
   first analysis leaves without the setup costing as much as the measurement;
3. edits the copy's ``version_note``, which makes every stored stance stale;
4. times ``monitor --storage … --positions … reanalyse`` as a subprocess (``--via
   pipeline``: ``Pipeline.rediff_stale`` in this process), printing progress read from the
   database while it runs, and checks that every article now carries the new version;
5. side by side: the bare differ on the same texts, no store (the first ``--raw`` of
   them, 1,000 by default; the texts cycle through every run × rotation — 240 of them
   with today's dev set — so the sample is representative).

Store overhead = bare differ rate / end-to-end rate: what opening, reading, writing and
starting the CLI cost on top of the analysis itself.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.differ import Differ, load_positions  # noqa: E402
from monitor.models import DiffResult, ExtractedArticle  # noqa: E402
from monitor.runtime import Settings, open_analysis_pipeline  # noqa: E402

DEV = ROOT / ".." / "shared" / "data" / "framing" / "dev.jsonl"
POSITIONS = ROOT / "positions.yaml"
SOURCES = ROOT / "sources.yaml"
TARGET_N = 10_000
TARGET_MINUTES = 10.0
RUN = 6  # dev pieces joined into one article (as differ_eval.long_pieces)
SEEN = datetime(2024, 11, 4, 9, 0, tzinfo=UTC)
PROGRESS_SECONDS = 5.0


@dataclass(frozen=True)
class Base:
    """One run of same-language dev pieces: the paragraphs an article is built from."""

    language: str
    paragraphs: tuple[str, ...]


def bases(path: Path) -> list[Base]:
    """Every window of RUN consecutive same-language pieces (languages with fewer are
    left out, as in long_pieces), so the mix of languages follows the dev set's."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    by_lang: dict[str, list[str]] = {}
    for r in rows:
        by_lang.setdefault(r["lang"], []).append(r["text"].strip())
    out = []
    for lang, texts in sorted(by_lang.items()):
        for i in range(len(texts) - RUN + 1):
            out.append(Base(lang, tuple(texts[i : i + RUN])))
    return out


def shape(i: int, pool: list[Base]) -> tuple[int, int]:
    """Article i's (base, rotation): the bases cycle first, then the rotations."""
    return i % len(pool), (i // len(pool)) % RUN


def body(base: Base, rotation: int) -> str:
    paras = base.paragraphs[rotation:] + base.paragraphs[:rotation]
    return "\n\n".join(paras)


def article(i: int, pool: list[Base]) -> ExtractedArticle:
    b, r = shape(i, pool)
    base = pool[b]
    return ExtractedArticle(
        url=f"https://bench.example/{base.language}/{i}",
        title=None,  # as in the dev set
        authors=(),
        published=SEEN - timedelta(hours=i % (24 * 60)),
        language=base.language,
        text=f"{body(base, r)}\n\n({i})",
    )


def positions_copy(directory: Path, note_suffix: str = "") -> Path:
    """positions.yaml as parsed content (the version hashes that, not the formatting),
    with ``lexicon_dir`` made absolute so the copy reads the same lexicon files."""
    data: dict[str, Any] = yaml.safe_load(POSITIONS.read_text(encoding="utf-8"))
    if data.get("lexicon_dir"):
        data["lexicon_dir"] = str((POSITIONS.parent / data["lexicon_dir"]).resolve())
    data["version_note"] = str(data.get("version_note", "")) + note_suffix
    path = directory / "positions.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def say(message: str) -> None:
    print(message, flush=True)


# ── setup ───────────────────────────────────────────────────────────────────────────


def build_store(settings: Settings, n: int, pool: list[Base]) -> str:
    """Store n articles with results of the original positions; returns that version."""
    with open_analysis_pipeline(settings) as pipeline:
        by_lang = {s.language: s for s in reversed(pipeline.config.sources)}
        fallback = pipeline.config.sources[0]
        old: dict[tuple[int, int], DiffResult] = {}
        t = time.perf_counter()
        step = max(1, n // 10)
        for i in range(n):
            a = article(i, pool)
            src = by_lang.get(a.language or "", fallback)
            article_id, created = pipeline.store.upsert_article(
                a, source_id=src.id, camp=src.camp, capture_id=None, seen_at=SEEN
            )
            assert created, a.url
            key = shape(i, pool)
            if key not in old:
                base = pool[key[0]]
                old[key] = pipeline.differ.diff(body(base, key[1]), language=base.language)
            pipeline.store.save_diff(article_id, old[key])
            if (i + 1) % step == 0 or i + 1 == n:
                say(f"  setup: stored {i + 1:>6}/{n} articles with results "
                    f"({time.perf_counter() - t:.0f} s)")
        assert pipeline.rediff_stale() == 0, "the fresh store should be current"
        return pipeline.differ.version


# ── the measurement ─────────────────────────────────────────────────────────────────


def count_done(db: Path, version: str) -> int:
    """Articles whose results carry ``version`` (a reader beside the writer: WAL)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        row = conn.execute(
            "SELECT COUNT(*) FROM framings WHERE positions_version = ?", (version,)
        ).fetchone()
        return int(row[0])
    finally:
        conn.close()


def monitor_command() -> list[str]:
    script = Path(sys.executable).parent / "monitor"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from monitor.cli import main; main()"]


def run_cli(settings: Settings, n: int, version: str) -> float:
    """`monitor reanalyse` in a subprocess; returns its wall time in seconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    cmd = [
        *monitor_command(),
        "--storage", str(settings.storage),
        "--sources", str(settings.sources_path),
        "--positions", str(settings.positions_path),
        "--semantic", "off",  # the default install has no semantic extra
        "reanalyse",
    ]
    db = settings.storage / "monitor.db"
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=settings.storage.parent)
    # read the pipes in threads so a chatty child never blocks on a full pipe
    out: dict[str, str] = {}
    readers = [
        threading.Thread(target=lambda k=k, f=f: out.__setitem__(k, f.read()), daemon=True)
        for k, f in (("stdout", proc.stdout), ("stderr", proc.stderr))
    ]
    for r in readers:
        r.start()
    last = 0.0
    while proc.poll() is None:
        time.sleep(0.5)
        elapsed = time.perf_counter() - t
        if elapsed - last >= PROGRESS_SECONDS:
            last = elapsed
            report_progress(count_done(db, version), n, elapsed)
    wall = time.perf_counter() - t
    for r in readers:
        r.join()
    if proc.returncode != 0:
        raise SystemExit(f"monitor reanalyse failed ({proc.returncode}):\n{out.get('stderr')}")
    say(f"  cli: {out.get('stdout', '').strip()}")
    return wall


def run_pipeline(settings: Settings, n: int) -> float:
    """``Pipeline.rediff_stale`` in this process (what `monitor reanalyse` calls)."""
    t = time.perf_counter()
    last = [0.0]

    def progress(done: int) -> None:
        elapsed = time.perf_counter() - t
        if elapsed - last[0] >= PROGRESS_SECONDS or done == n:
            last[0] = elapsed
            report_progress(done, n, elapsed)

    with open_analysis_pipeline(settings) as pipeline:
        done = pipeline.rediff_stale(progress=progress)
    if done != n:
        raise SystemExit(f"rediff_stale re-analysed {done} articles, expected {n}")
    return time.perf_counter() - t


def report_progress(done: int, n: int, elapsed: float) -> None:
    rate = done / elapsed if elapsed else 0.0
    say(f"  reanalyse: {done:>6}/{n} after {elapsed:5.0f} s ({rate:5.1f} articles/s)")


def raw_rate(positions_path: Path, pool: list[Base], k: int) -> float:
    """The bare differ on the first k of the same texts: no store, no CLI."""
    differ = Differ(load_positions(positions_path))
    for base in pool:  # compile each language's tables once, as a long run does
        differ.diff(body(base, 0), language=base.language)
    texts = [article(i, pool) for i in range(k)]
    t = time.perf_counter()
    for i, a in enumerate(texts):
        differ.diff(a.text, language=a.language, title=a.title)
        if (i + 1) % max(1, k // 4) == 0:
            say(f"  bare differ: {i + 1:>5}/{k}")
    return k / (time.perf_counter() - t)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="stored articles (default 1000)")
    ap.add_argument("--via", choices=("cli", "pipeline"), default="cli",
                    help="run `monitor reanalyse` as a subprocess (default) or "
                    "Pipeline.rediff_stale in this process")
    ap.add_argument("--raw", type=int, default=1000,
                    help="texts for the bare differ rate (default 1000, at most --n)")
    ap.add_argument("--data", type=Path, default=DEV)
    ap.add_argument("--keep", type=Path, help="build the store in DIR and keep it")
    args = ap.parse_args()
    if not args.data.exists():
        say(f"no labelled data at {args.data}; nothing to build articles from")
        return 2
    pool = bases(args.data)
    sample = [article(i, pool) for i in range(min(args.n, len(pool) * RUN))]
    mean = sum(len(a.text) for a in sample) / len(sample)
    langs = sorted({b.language for b in pool})
    say(f"{args.n} articles, mean {mean:.0f} chars, {len(pool)} runs x {RUN} rotations "
        f"({', '.join(langs)}) · {os.cpu_count()} CPUs · via {args.via}")

    work = args.keep or Path(tempfile.mkdtemp(prefix="reanalyse_speed_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        settings = Settings(storage=work / "storage", sources_path=SOURCES,
                            positions_path=positions_copy(work))
        t = time.perf_counter()
        old_version = build_store(settings, args.n, pool)
        say(f"setup: {time.perf_counter() - t:.0f} s (analysis version {old_version})")

        positions_copy(work, " [edited by benchmarks/reanalyse_speed.py]")
        new_version = Differ(load_positions(settings.positions_path)).version
        assert new_version != old_version, "the edit should make every stance stale"
        say(f"positions.yaml edited: analysis version {old_version} → {new_version}")

        if args.via == "cli":
            wall = run_cli(settings, args.n, new_version)
        else:
            wall = run_pipeline(settings, args.n)
        done = count_done(settings.storage / "monitor.db", new_version)
        if done != args.n:
            raise SystemExit(f"only {done}/{args.n} articles carry the new version")

        k = max(1, min(args.raw, args.n))
        raw = raw_rate(settings.positions_path, pool, k)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    rate = args.n / wall
    minutes = TARGET_N / rate / 60
    label = "measured" if args.n == TARGET_N else "projected"
    verdict = "meets" if minutes <= TARGET_MINUTES else "misses"
    say(f"\nreanalyse end to end ({args.via}): {args.n} articles in {wall:.1f} s = "
        f"{rate:.1f} articles/s")
    say(f"  {label} for {TARGET_N:,} articles: {minutes:.1f} min ({verdict} the "
        f"{TARGET_MINUTES:.0f}-minute target)")
    say(f"bare differ, same texts, no store (1 process, {k} texts): {raw:.1f} articles/s "
        f"= {TARGET_N / raw / 60:.1f} min for {TARGET_N:,}")
    say(f"store overhead: bare / end to end = {raw / rate:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
