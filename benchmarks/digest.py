"""One week's digest, feed included, from a store with a year of history.

Targets: at 100,000 stored articles ``monitor digest --week`` takes at most 2 s on SQLite
and 3 s on PostgreSQL, and the 100k / 10k time ratio is at most 1.3 — the week's work is
found through indexes, not by scanning the archive.

    .venv/bin/python benchmarks/digest.py                      # 10k and 100k, SQLite (+ PG)
    .venv/bin/python benchmarks/digest.py --sizes 2000 20000   # quicker
    .venv/bin/python benchmarks/digest.py --only sqlite --keep DIR

What it does, per database (SQLite always; PostgreSQL when ``MONITOR_BENCH_PG_URL`` or
``MONITOR_TEST_PG_URL`` is set, in a schema of its own, dropped afterwards) and per size:

1. a fresh store holds N synthetic articles over the 52 weeks that end with 2024-W44,
   from the outlets of ``sources.yaml``: the digest week has ``--week-size`` pieces (250)
   at both sizes, the rest is spread evenly over the 51 weeks before it (so the bigger
   store has ten times the history, and the same week to report). Each piece has texts of
   2-3 KB (English, Russian or Chinese, sentences written for this benchmark), ten stances
   of the current analysis version (a third of them addressed, with evidence), a framing
   (some with a troop count) and, for one piece in fifty, an analyst's label; the store
   also holds a year of crawl runs (every source every two hours: ~70,000 rows).
   Everything goes in through ``Store.save_articles`` / ``save_diffs``.
2. the digests of the eight weeks before are written (untimed), so the Atom feed has
   earlier digests to list; on PostgreSQL the tables are then vacuumed and analysed, as
   autovacuum would have done after such a load on a live server;
3. ``monitor digest --week 2024-W44`` runs ``--runs`` times (3) as a subprocess, as an
   analyst or the daemon's cron would run it: imports, configuration, the stale-analysis
   check, the week's reads, the 12-week trends, rendering, the files and the feed.

Printed: per database and size the median wall time and the median CPU time of the
command (user + system of the client process only — PostgreSQL's own work is in the
wall time alone; on a machine shared with other work, wall time grows with the
load and CPU time does not), and the 100k/10k ratios.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.config import load_sources  # noqa: E402
from monitor.models import DiffResult, Evidence, ExtractedArticle, Framing, PositionResult  # noqa: E402
from monitor.report import week_bounds  # noqa: E402
from monitor.runtime import Settings, open_analysis_pipeline  # noqa: E402
from monitor.store.engine import normalise_url  # noqa: E402
from monitor.store.schema import crawl_runs  # noqa: E402
from monitor.store.store import NewArticle  # noqa: E402

WEEK = "2024-W44"
WEEKS = 52
SENTENCES = {
    "en": [
        "Officials in Seoul said thousands of North Korean soldiers had reached the Kursk region.",
        "The Kremlin declined to comment on the reports and called them speculation.",
        "Trade between Moscow and Pyongyang remains small despite the new treaty.",
        "Analysts said the partnership gives Russia shells and gives the North hard currency.",
        "Beijing urged restraint and said the treaty concerns only the two countries.",
        "The pact obliges each side to help the other if it is attacked.",
    ],
    "ru": [
        "Сообщения о северокорейских военных в Курской области никто не подтвердил.",
        "Договор носит оборонительный характер и ни против кого не направлен.",
        "Товарооборот между Россией и КНДР остаётся скромным.",
        "Эксперты считают, что Пхеньян получает от сотрудничества валюту и технологии.",
    ],
    "zh": [
        "俄朝全面战略伙伴关系条约正式生效，双方承诺在遭受攻击时相互援助。",
        "有关朝鲜军队在库尔斯克的报道尚未得到证实。",
        "中方表示，俄朝合作不针对任何第三方。",
        "分析人士认为，两国贸易规模仍然有限。",
    ],
}
CAMP_LANG = {"ru": "ru", "cn": "zh"}


@dataclass(frozen=True)
class Target:
    kind: str
    url: str
    schema: str | None = None


def _settings(root: Path, db_url: str | None) -> Settings:
    return Settings(
        storage=root,
        sources_path=ROOT / "sources.yaml",
        positions_path=ROOT / "positions.yaml",
        db_url=db_url,
    )


def _body(rng: random.Random, language: str) -> str:
    """Six paragraphs of 2-3 KB: one of the written sentences, then shuffled words of the
    language (characters for Chinese), so every piece is its own text and the stories
    grouper finds the few re-runs a real week has, not one story of everything."""
    pool = SENTENCES[language]
    if language == "zh":
        chars = [c for s in pool for c in s if c not in "，。、"]
        words = ["".join(rng.sample(chars, 2)) for _ in range(300)]
        sep = ""
    else:
        words = sorted({w.strip(".,") for s in pool for w in s.split()})
        sep = " "
    paragraphs = []
    for _ in range(6):
        filler = sep.join(rng.choice(words) for _ in range(40 if sep else 60))
        paragraphs.append(f"{rng.choice(pool)} {filler}.")
    return "\n\n".join(paragraphs)


def _diff(rng: random.Random, language: str, version: str, ids: list[str]) -> DiffResult:
    positions = {}
    for pid in ids:
        if rng.random() < 0.33:
            stance = rng.choice(("echo", "contest", "contest", "mixed"))
            score = {"echo": 0.6, "contest": -0.6, "mixed": 0.1}[stance]
            sentence = rng.choice(SENTENCES[language])
            evidence = (Evidence(sentence, stance, score, ("bench",), 0),)
            positions[pid] = PositionResult(
                pid, stance, score, evidence, confidence=rng.uniform(0.4, 0.95)
            )
        else:
            positions[pid] = PositionResult(pid, "absent", 0.0, confidence=0.9)
    troops = rng.choice((None, None, None, 10000, 11000, 12000, 3000))
    framing = Framing(troop_count=troops, epistemic=rng.choice(("asserted", "attributed", None)))
    return DiffResult(positions, framing, language, "lexical", version)


def populate(settings: Settings, n: int, week_size: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    config = load_sources(settings.sources_path)
    sources = [s for s in config.sources if s.enabled]
    with open_analysis_pipeline(settings) as pipeline:
        version = pipeline.differ.version
        ids = [p.id for p in pipeline.positions.positions]
        store = pipeline.store
        start, end = week_bounds(WEEK)
        first = start - timedelta(weeks=WEEKS - 1)
        history = n - week_size
        batch: list[tuple[NewArticle, DiffResult]] = []
        made = 0

        def flush() -> None:
            saved = store.save_articles([a for a, _ in batch])
            store.save_diffs([(aid, d) for (aid, _), (_, d) in zip(saved, batch, strict=True)])
            batch.clear()

        for i in range(n):
            if i < history:
                moment = first + (start - first) * (i / max(history, 1))
            else:
                moment = start + (end - start) * ((i - history) / max(week_size, 1))
            moment += timedelta(seconds=rng.randrange(3600))
            moment = min(moment, end - timedelta(seconds=1))
            source = rng.choice(sources)
            language = CAMP_LANG.get(source.camp, "en")
            body = _body(rng, language)
            article = ExtractedArticle(
                url=f"https://{source.id}.example/{i}",
                title=f"{rng.choice(SENTENCES[language])[:70]} ({i})",
                authors=(),
                published=moment,
                language=language,
                text=f"{body}\n\nPiece {i}.",
            )
            batch.append(
                (
                    NewArticle(article, source.id, source.camp, None, moment),
                    _diff(rng, language, version, ids),
                )
            )
            made += 1
            if len(batch) == 500:
                flush()
                print(f"\r  {made:,}/{n:,} articles", end="", flush=True)
        if batch:
            flush()
        print(f"\r  {n:,} articles stored" + " " * 10)
        labelled = [a.id for a in store.iter_articles()][::50]
        for article_id in labelled:
            store.set_correction(article_id, rng.choice(ids), "contest", labelled_by="bench")
    _crawl_year(settings, [s.id for s in sources], end)


def _crawl_year(settings: Settings, source_ids: list[str], end: datetime) -> None:
    """Every source every two hours for a year, one run in twenty failing."""
    engine = create_engine(normalise_url(settings.database_url()))
    rows = []
    moment = end - timedelta(days=365)
    k = 0
    while moment < end:
        for sid in source_ids:
            ok = k % 20 != 0
            rows.append(
                {
                    "source_id": sid,
                    "started": moment,
                    "finished": moment + timedelta(seconds=40),
                    "ok": ok,
                    "error": None if ok else "HTTP 503",
                    "counts": {"fetched": 12, "stored": 1},
                }
            )
            k += 1
        moment += timedelta(hours=2)
    with engine.begin() as conn:
        conn.execute(insert(crawl_runs), rows)
    engine.dispose()
    print(f"  {len(rows):,} crawl runs stored")


def _earlier_digests(settings: Settings) -> None:
    start, _ = week_bounds(WEEK)
    with open_analysis_pipeline(settings) as pipeline:
        for back in range(8, 0, -1):
            week = (start - timedelta(weeks=back)).isocalendar()
            pipeline.write_digest(f"{week[0]}-W{week[1]:02d}", settings.digest_dir)


def time_digest(settings: Settings, runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of the command.

    Run as the console script runs it, but importing this checkout's package (the
    working directory comes first on the path): the venv's ``monitor`` script may be an
    editable install of another checkout, and a worktree would then time main's code."""
    command = [
        sys.executable,
        "-c",
        "from monitor.cli import main; main()",
        "--storage",
        str(settings.storage),
        "--sources",
        str(settings.sources_path),
        "--positions",
        str(settings.positions_path),
        "-q",
    ]
    if settings.db_url:
        command += ["--db", settings.db_url]
    command += ["digest", "--week", WEEK]
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
        times.append(time.perf_counter() - began)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"monitor digest failed:\n{done.stderr}")
    return statistics.median(times), statistics.median(cpu)


def targets(only: str | None) -> list[Target]:
    found = [Target("sqlite", "")]
    pg = os.environ.get("MONITOR_BENCH_PG_URL") or os.environ.get("MONITOR_TEST_PG_URL")
    if pg:
        found.append(Target("postgres", pg))
    elif only != "sqlite":
        print("PostgreSQL skipped: set MONITOR_BENCH_PG_URL (or MONITOR_TEST_PG_URL)")
    return [t for t in found if only in (None, t.kind)]


def run(target: Target, n: int, args: argparse.Namespace, workdir: Path) -> tuple[float, float]:
    root = workdir / f"{target.kind}-{n}"
    root.mkdir(parents=True)
    schema = None
    db_url: str | None = None
    admin = None
    if target.kind == "postgres":
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        admin = create_engine(normalise_url(target.url))
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in target.url else "?"
        db_url = f"{target.url}{sep}options=-csearch_path%3D{schema}"
    try:
        settings = _settings(root, db_url)
        print(f"{target.kind}, {n:,} articles:")
        began = time.perf_counter()
        populate(settings, n, args.week_size)
        _earlier_digests(settings)
        if admin is not None:
            _vacuum(admin, schema)
        print(f"  set up in {time.perf_counter() - began:.0f} s; timing {args.runs} runs")
        seconds, cpu = time_digest(settings, args.runs)
        print(f"  monitor digest --week {WEEK}: {seconds:.2f} s wall, {cpu:.2f} s CPU (medians)")
        return seconds, cpu
    finally:
        if admin is not None and args.keep:
            print(f"  kept: {db_url}")
        elif admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()


def _vacuum(admin: Engine, schema: str | None) -> None:
    """VACUUM ANALYZE the freshly loaded tables, as autovacuum does on a live server soon
    after a load (a test server may run without it): without statistics the planner
    guesses row counts, and without the visibility map no index-only scan is one."""
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        tables = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}
        ).scalars()
        for table in list(tables):
            conn.execute(text(f'VACUUM ANALYZE "{schema}"."{table}"'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=(10_000, 100_000))
    parser.add_argument("--week-size", type=int, default=250)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep the stores in this directory (and the PostgreSQL schemas: their URLs are "
        "printed)",
    )
    args = parser.parse_args()
    small, big = args.sizes
    results: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="digest-bench-") as tmp:
        workdir = args.keep or Path(tmp)
        for target in targets(args.only):
            results[target.kind] = [run(target, n, args, workdir) for n in (small, big)]
    print()
    print("Wall time is what the target is about; CPU time (user + system of the command)")
    print("is what a busy machine cannot inflate. Target: <= 2 s (SQLite) / 3 s (PostgreSQL)")
    print(f"at {big:,} articles, and a {big:,}/{small:,} ratio <= 1.3.")
    print(f"{'database':<10} {'':>6} {small:>9,} {big:>9,}  ratio")
    for kind, ((w_small, c_small), (w_big, c_big)) in results.items():
        print(f"{kind:<10} {'wall':>6} {w_small:>8.2f}s {w_big:>8.2f}s  {w_big / w_small:>5.2f}")
        print(f"{'':<10} {'CPU':>6} {c_small:>8.2f}s {c_big:>8.2f}s  {c_big / c_small:>5.2f}")


if __name__ == "__main__":
    main()
