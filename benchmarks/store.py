"""Ingest through the Store API against a bulk insert of the same rows, per database.

``--n`` synthetic articles (default 100,000; texts of 2–4 KB in English and Russian, each
with ten stances carrying evidence, and a framing) are written into a fresh store three
ways, side by side in one run:

* **per page** — what the crawler did before: ``upsert_article`` and ``save_diff``, each
  its own transaction;
* **store API** — what the crawler's single writer does: ``Store.save_articles`` /
  ``Store.save_diffs`` with ``--batch`` pieces per transaction;
* **bulk** — plain SQLAlchemy Core ``executemany`` INSERTs of the same rows (articles,
  stances, framings) in transactions of ``--batch`` pieces, no checks, no upsert.

The ways take turns batch by batch (each into its own store), so a machine shared with
other work slows them alike. Figures are articles per second and the store API's ratio
to bulk (target ≥ 0.7).
SQLite runs always; PostgreSQL when ``MONITOR_BENCH_PG_URL`` (or ``MONITOR_TEST_PG_URL``)
is set, each run in its own schema, dropped afterwards.

    .venv/bin/python benchmarks/store.py [--n 100000] [--batch 200] [--only sqlite|postgres]
                                          [--skip-per-page]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loopback_web import EN_OFF, EN_ON, RU_OFF, RU_ON  # noqa: E402

from monitor.models import (  # noqa: E402
    STANCES,
    DiffResult,
    Evidence,
    ExtractedArticle,
    Framing,
    PositionResult,
)
from monitor.store import (  # noqa: E402
    NewArticle,
    Store,
    codec,  # noqa: E402
    open_store,
)
from monitor.store.engine import normalise_url  # noqa: E402
from monitor.store.schema import articles, framings, stances  # noqa: E402

START = datetime(2024, 10, 1, tzinfo=UTC)
POSITIONS = [f"P{i}" for i in range(1, 11)]


@dataclass(frozen=True)
class Piece:
    article: ExtractedArticle
    source_id: str
    camp: str
    seen_at: datetime
    diff: DiffResult


def pieces(n: int, seed: int = 8) -> Iterator[Piece]:
    rng = random.Random(seed)
    for i in range(n):
        ru = i % 3 == 2
        on, off = (RU_ON, RU_OFF) if ru else (EN_ON, EN_OFF)
        sentences = [rng.choice(on) if rng.random() < 0.8 else rng.choice(off)
                     for _ in range(rng.randint(18, 36))]  # fmt: skip
        paragraphs = [" ".join(sentences[k : k + 3]) for k in range(0, len(sentences), 3)]
        seen = START + timedelta(minutes=i)
        article = ExtractedArticle(
            url=f"https://outlet{i % 50}.example/world/{i:06d}-story",
            title=f"{rng.choice(on)[:60]} ({i})",
            authors=("Staff Correspondent",),
            published=seen - timedelta(hours=rng.randint(0, 48)),
            language="ru" if ru else "en",
            text="\n\n".join(paragraphs),
        )
        results = {}
        for pid in POSITIONS:
            stance = rng.choice(STANCES)
            evidence = tuple(
                Evidence(sentence=rng.choice(sentences), stance="contest" if k else "echo",
                         score=0.5 - k, cues=("cue",), index=rng.randint(0, 30))
                for k in range(0 if stance == "absent" else rng.randint(1, 3))
            )  # fmt: skip
            results[pid] = PositionResult(pid, stance, rng.uniform(-1, 1), evidence,
                                          rng.uniform(0.3, 1.0))  # fmt: skip
        framing = Framing(troop_labels=("troops",), troop_count=rng.choice([None, 11000]),
                          epistemic=rng.choice([None, "asserted", "reported"]),
                          subtopics={"troops": 2})  # fmt: skip
        diff = DiffResult(results, framing, article.language or "en", "lexical", "v-bench")
        yield Piece(article, f"outlet_{i % 50:02d}", "ru" if ru else "west", seen, diff)


def per_page(store: Store, batch: list[Piece]) -> None:
    for p in batch:
        article_id, _ = store.upsert_article(p.article, source_id=p.source_id, camp=p.camp,
                                             capture_id=None, seen_at=p.seen_at)  # fmt: skip
        store.save_diff(article_id, p.diff)


def store_api(store: Store, batch: list[Piece]) -> None:
    saved = store.save_articles(
        [NewArticle(p.article, p.source_id, p.camp, None, p.seen_at) for p in batch]
    )
    ids = [article_id for article_id, _ in saved]
    store.save_diffs([(i, p.diff) for i, p in zip(ids, batch, strict=True)])


def bulk(store: Store, batch: list[Piece]) -> None:
    """The same rows with Core executemany: no checks, no conflict handling."""
    engine = store._engine  # noqa: SLF001 - the benchmark's yardstick bypasses the API
    with engine.begin() as conn:
        rows = []
        for p in batch:
            a = p.article
            body = codec.clean(a.text)
            rows.append({
                "canonical_url": a.url, "url": a.url, "source_id": p.source_id,
                "camp": p.camp, "language": a.language, "title": a.title,
                "authors": list(a.authors), "published_at": a.published,
                "dated_at": a.published or p.seen_at, "text": body,
                "content_hash": codec.content_hash(body), "capture_id": None,
                "first_seen": p.seen_at, "last_seen": p.seen_at,
            })  # fmt: skip
        ids = conn.execute(articles.insert().returning(articles.c.id, sort_by_parameter_order=True),
                           rows).scalars().all()  # fmt: skip
        stance_rows, framing_rows = [], []
        now = datetime.now(UTC)
        for article_id, p in zip(ids, batch, strict=True):
            common = {"positions_version": p.diff.positions_version,
                      "method": p.diff.method, "computed_at": now}  # fmt: skip
            for pid, r in p.diff.positions.items():
                stance_rows.append({
                    "article_id": article_id, "position_id": pid, "stance": r.stance,
                    "score": r.score, "confidence": r.confidence,
                    "evidence": [e.to_json() for e in r.evidence], **common,
                })  # fmt: skip
            framing_rows.append({
                "article_id": article_id, "framing": p.diff.framing.to_json(),
                "troop_count": p.diff.framing.troop_count,
                "epistemic": p.diff.framing.epistemic, **common,
            })  # fmt: skip
        conn.execute(stances.insert(), stance_rows)
        conn.execute(framings.insert(), framing_rows)


def run(open_: Callable[[str], Store], ways: dict[str, Callable[[Store, list[Piece]], None]],
        n: int, size: int) -> dict[str, float]:  # fmt: skip
    """Articles per second for each of ``ways``, each into its own fresh store. The ways
    take turns batch by batch, so a busy machine slows them alike (building pieces not
    counted)."""
    stores = {label: open_(hashlib.sha1(label.encode()).hexdigest()[:6]) for label in ways}
    try:
        spent = dict.fromkeys(ways, 0.0)
        done = 0
        batch: list[Piece] = []

        def one_batch() -> None:
            for label, way in ways.items():
                start = time.perf_counter()
                way(stores[label], batch)
                spent[label] += time.perf_counter() - start

        for piece in pieces(n):
            batch.append(piece)
            if len(batch) == size:
                one_batch()
                done += len(batch)
                batch = []
                if done % (size * 50) == 0:
                    rates = "  ".join(f"{k} {done / v:5.0f}/s" for k, v in spent.items())
                    print(f"    {done}/{n}  {rates}", file=sys.stderr)
        if batch:
            one_batch()
        for label, store in stores.items():
            if store.count_articles() != n:
                raise SystemExit(f"{label}: stored {store.count_articles()} of {n}")
        return {label: n / seconds for label, seconds in spent.items()}
    finally:
        for store in stores.values():
            store.close()


def databases(only: str | None, tmp: Path) -> Iterator[tuple[str, Callable[[str], Store],
                                                          Callable[[], None]]]:  # fmt: skip
    if only in (None, "sqlite"):
        yield ("SQLite", lambda tag: open_store(f"sqlite:///{tmp / tag}.db"), lambda: None)
    pg = os.environ.get("MONITOR_BENCH_PG_URL") or os.environ.get("MONITOR_TEST_PG_URL")
    if only in (None, "postgres") and pg:
        admin = create_engine(normalise_url(pg))
        schemas: list[str] = []

        def open_pg(tag: str) -> Store:
            schema = f"bench_{tag}_{uuid.uuid4().hex[:8]}"
            schemas.append(schema)
            return open_store(pg, schema=schema)

        def drop() -> None:
            with admin.begin() as conn:
                for s in schemas:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{s}" CASCADE'))
            admin.dispose()

        yield ("PostgreSQL", open_pg, drop)
    elif only == "postgres":
        raise SystemExit("set MONITOR_BENCH_PG_URL=postgresql://postgres@127.0.0.1/test")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=200, help="pieces per transaction")
    ap.add_argument("--only", choices=["sqlite", "postgres"])
    ap.add_argument("--skip-per-page", action="store_true")
    args = ap.parse_args()
    sample = next(pieces(1))
    size = len(sample.article.text.encode())
    print(f"{args.n} articles (~{size / 1000:.1f} KB text, 10 stances each), "
          f"{args.batch} per transaction")  # fmt: skip
    ways: dict[str, Callable[[Store, list[Piece]], None]] = {"bulk": bulk,
                                                              "store API": store_api}
    if not args.skip_per_page:
        ways["per page"] = per_page
    with tempfile.TemporaryDirectory() as tmp:
        for name, open_, cleanup in databases(args.only, Path(tmp)):
            try:
                print(f"  {name}: {', '.join(ways)}, batch by batch…", file=sys.stderr)
                rates = run(open_, ways, args.n, args.batch)
                print(f"\n{name}")
                for label, rate in rates.items():
                    ratio = rate / rates["bulk"]
                    print(f"  {label:10s} {rate:8.0f} articles/s   {ratio:5.2f}x bulk")
                print("  target: store API >= 0.70x bulk")
            finally:
                cleanup()


if __name__ == "__main__":
    main()
