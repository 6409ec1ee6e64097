"""Story grouping at scale: 100,000 same-topic articles, a fifth of them wire re-runs.

The target: grouping 100,000 articles (normalise, shingle, MinHash, place in a story) takes
at most 60 s. Run:

    .venv/bin/python benchmarks/stories.py                 # 100,000 articles
    .venv/bin/python benchmarks/stories.py --n 20000       # quicker

The articles are generated, so that every "distinct" one really is distinct and every
re-run knows its original. A word-level Markov chain (order 2; characters, order 3, for
Chinese) is trained on the repository's labelled corpus (``corpus/pieces``) and the
development set read in place from ../shared/data; it writes a pool of sentences in the
coverage's own phrasing, and each original article is 12–24 pool sentences in
paragraphs of three (about 450 words, English 70 %, Russian 20 %, Chinese 10 %). Shared
pool sentences between distinct articles play the part of the stock phrases real coverage
shares. 20 % of the articles are re-runs of an earlier one: trimmed to 40–100 % of its
paragraphs, half of them with a local lead, a third with two paragraphs swapped, and 2 %
of their words replaced.

Printed, in one run:

1. grouping the N articles through ``StoryIndex`` (what ``StoryGrouper.assign`` does
   apart from the store): seconds, articles/s, and how well it grouped — re-runs placed in
   their original's story, and distinct originals that ended up in one story;
2. the same articles' LSH buckets in datasketch's ``MinHashLSH`` (64 bands of 2, dict
   storage) beside ``BandIndex``, on the first ``--lsh-n`` signatures: inserts/s and
   memory, as ratios;
3. the real development data, read in place: the 130 Readability test pages (extracted by
   ``monitor.extract``), the labelled corpus and the dev set, grouped together — every
   group of more than one is printed, so a merge of distinct pieces shows;
4. the store round trip on SQLite for the first ``--store-n`` articles: ``StoryGrouper``
   assigning as the crawler does (rate, and the ratio to the in-memory rate), then a
   restarted daemon reading every fingerprint back (``StoryGrouper.load``) — the cost of a
   restart per 100,000 grouped pieces.

With ``--against DIR`` (another checkout of the repository, e.g. main's), step 1 runs
first with DIR's ``monitor`` in a child process on the same articles, then with this
checkout's, one after the other under the same load: both wall and CPU seconds, the ratios,
and whether the two grouped every article alike.

    .venv/bin/python benchmarks/stories.py --against ../main
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.models import ExtractedArticle, StoryMember  # noqa: E402
from monitor.store import open_store  # noqa: E402
from monitor.stories import StoryGrouper, StoryIndex, fingerprint  # noqa: E402
from monitor.stories.bands import BANDS, ROWS, BandIndex, band_keys  # noqa: E402
from monitor.stories.sketch import minhash  # noqa: E402

DEV = ROOT / ".." / "shared" / "data" / "framing" / "dev.jsonl"
PAGES = ROOT / ".." / "shared" / "data" / "extraction" / "readability-test-pages"
LANGS = (("en", 0.7), ("ru", 0.2), ("zh", 0.1))


def _texts() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    files = sorted((ROOT / "corpus" / "pieces").glob("*.jsonl"))
    if DEV.exists():
        files.append(DEV)
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            piece = json.loads(line)
            found[piece["lang"]].append(piece["text"])
    return found


class Markov:
    """Order-2 words (order-3 characters for Chinese) of one language's coverage."""

    def __init__(self, texts: list[str], chars: bool) -> None:
        self.chars = chars
        self.next: dict[tuple[str, ...], list[str]] = defaultdict(list)
        self.starts: list[tuple[str, ...]] = []
        order = 3 if chars else 2
        for text in texts:
            units = list(text.replace("\n", "")) if chars else text.split()
            for i in range(len(units) - order):
                state = tuple(units[i : i + order])
                if i == 0 or units[i - 1][-1:] in ".。!?":
                    self.starts.append(state)
                self.next[state].append(units[i + order])
        self.order = order

    def sentence(self, rng: random.Random) -> str:
        state = rng.choice(self.starts)
        out = list(state)
        limit = rng.randint(40, 70) if self.chars else rng.randint(14, 34)
        while len(out) < limit:
            options = self.next.get(state)
            if not options:
                break
            unit = rng.choice(options)
            out.append(unit)
            state = (*state[1:], unit)
            if unit[-1:] in ".。!?" and len(out) > limit // 2:
                break
        return ("" if self.chars else " ").join(out)


def make_articles(n: int, seed: int) -> tuple[list[str], list[int]]:
    """``n`` texts and, per text, the index of the original it re-runs (itself if none)."""
    rng = random.Random(seed)
    corpus = _texts()
    pools: dict[str, list[str]] = {}
    for lang, _ in LANGS:
        chain = Markov(corpus[lang], chars=lang == "zh")
        # a pool about as large as the sentences drawn from it, so two distinct articles
        # share a sentence about as often as real coverage shares a stock phrase
        size = max(10_000, int(n * 12 * dict(LANGS)[lang]))
        pools[lang] = [chain.sentence(rng) for _ in range(size)]
    texts: list[str] = []
    original: list[int] = []
    paragraphs: list[list[str]] = []
    langs: list[str] = []
    for i in range(n):
        if i > 50 and rng.random() < 0.2:
            src = original[rng.randrange(i)]
            paras = _rerun(paragraphs[src], pools[langs[src]], langs[src] == "zh", rng)
            original.append(src)
            langs.append(langs[src])
        else:
            lang = rng.choices([x for x, _ in LANGS], [w for _, w in LANGS])[0]
            sentences = [rng.choice(pools[lang]) for _ in range(rng.randint(12, 24))]
            joiner = "" if lang == "zh" else " "
            paras = [joiner.join(sentences[j : j + 3]) for j in range(0, len(sentences), 3)]
            original.append(i)
            langs.append(lang)
        paragraphs.append(paras)
        texts.append("\n\n".join(paras))
    return texts, original


def _rerun(paras: list[str], pool: list[str], chars: bool, rng: random.Random) -> list[str]:
    keep = max(1, round(len(paras) * rng.uniform(0.4, 1.0)))
    out = list(paras[:keep])
    if rng.random() < 0.5:
        out.insert(0, ("" if chars else " ").join(rng.choice(pool) for _ in range(2)))
    if len(out) > 3 and rng.random() < 0.33:
        a, b = rng.sample(range(1, len(out)), 2)
        out[a], out[b] = out[b], out[a]
    if not chars:
        edited = []
        for para in out:
            words = para.split()
            for _ in range(max(1, len(words) // 50)):
                words[rng.randrange(len(words))] = rng.choice(["the", "said", "reportedly", "on"])
            edited.append(" ".join(words))
        out = edited
    return out


def group_in_memory(texts: list[str]) -> tuple[list[int], float, float, StoryIndex, list]:
    index = StoryIndex()
    story_of: list[int] = []
    prints = []
    started = time.perf_counter()
    placing = 0.0
    next_story = 1
    for article_id, text in enumerate(texts, 1):
        fp = fingerprint(text)
        t = time.perf_counter()
        story = index.place(fp)
        if story is None:
            story, next_story = next_story, next_story + 1
        member = StoryMember(article_id, story, fp.exact, fp.signature_bytes(), fp.size)
        index.add(member, fp)
        placing += time.perf_counter() - t
        story_of.append(story)
        prints.append(fp)
        if article_id % 20_000 == 0:
            rate = article_id / (time.perf_counter() - started)
            print(f"  … {article_id:,} grouped ({rate:,.0f}/s)", file=sys.stderr)
    return story_of, time.perf_counter() - started, placing, index, prints


# Run in the child of ``--against``: the other checkout's ``monitor`` is imported first,
# so this file's own imports (and sys.path entry) find it already loaded.
_ELSEWHERE = """
import importlib.util, json, pickle, sys, time
checkout, bench, data = sys.argv[1:4]
sys.path.insert(0, checkout)
import monitor.stories
spec = importlib.util.spec_from_file_location("stories_bench", bench)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
with open(data, "rb") as f:
    texts = pickle.load(f)
cpu = time.process_time()
story_of, seconds, placing, _, _ = bench.group_in_memory(texts)
cpu = time.process_time() - cpu
print(json.dumps({"code": monitor.stories.__file__, "seconds": seconds, "cpu": cpu,
                  "placing": placing, "story_of": story_of}))
"""


def group_elsewhere(checkout: Path, texts: list[str]) -> dict[str, Any]:
    """Group ``texts`` as ``group_in_memory`` does, with another checkout's code."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "texts.pickle"
        with data.open("wb") as f:
            pickle.dump(texts, f)
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        child = subprocess.run(
            [sys.executable, "-c", _ELSEWHERE, str(checkout), __file__, str(data)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
    found: dict[str, Any] = json.loads(child.stdout)
    if not Path(found["code"]).resolve().is_relative_to(checkout.resolve()):
        raise SystemExit(f"--against {checkout}: the child imported {found['code']}")
    return found


def side_by_side(
    checkout: Path,
    theirs: dict[str, Any],
    ours: tuple[float, float, float],
    story_of: list[int],
    original: list[int],
) -> None:
    seconds, cpu, placing = ours
    print(f"\nSide by side, the same {len(story_of):,} articles, one run after the other:")
    for name, run, grouped in (
        (str(checkout), (theirs["seconds"], theirs["cpu"], theirs["placing"]), theirs["story_of"]),
        ("this checkout", ours, story_of),
    ):
        reruns, joined, originals, merged = quality(grouped, original)
        print(
            f"  {name}: {run[0]:.1f} s wall, {run[1]:.1f} s CPU (fingerprints "
            f"{run[0] - run[2]:.1f} s, placing {run[2]:.1f} s); re-runs in their original's "
            f"story {joined:,} / {reruns:,}, distinct originals sharing a story {merged:,}"
        )
    same = "the same stories" if theirs["story_of"] == story_of else "DIFFERENT stories"
    print(
        f"  ratio: {theirs['seconds'] / seconds:.2f}x less wall time, "
        f"{theirs['cpu'] / cpu:.2f}x less CPU time; {same} for every article"
    )


def quality(story_of: list[int], original: list[int]) -> tuple[int, int, int, int]:
    """(re-runs, re-runs in their original's story, originals, originals sharing a story)."""
    reruns = [i for i, o in enumerate(original) if o != i]
    joined = sum(story_of[i] == story_of[original[i]] for i in reruns)
    originals = [i for i, o in enumerate(original) if o == i]
    per_story: dict[int, int] = defaultdict(int)
    for i in originals:
        per_story[story_of[i]] += 1
    merged = sum(c for c in per_story.values() if c > 1)
    return len(reruns), joined, len(originals), merged


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1e6


def compare_lsh(prints: list, n: int) -> None:
    from datasketch import MinHashLSH

    sigs = [fp.signature for fp in prints[:n] if fp.signature is not None]
    gc.collect()
    before = _rss_mb()
    t = time.perf_counter()
    ours = BandIndex()
    for row, sig in enumerate(sigs):
        ours.add(row, band_keys(sig[None, :])[0])
    ours.flush()
    ours_s = time.perf_counter() - t
    ours_mb = _rss_mb() - before
    gc.collect()
    before = _rss_mb()
    t = time.perf_counter()
    theirs = MinHashLSH(num_perm=BANDS * ROWS, params=(BANDS, ROWS))
    for row, sig in enumerate(sigs):
        theirs.insert(row, minhash(sig), check_duplication=False)
    theirs_s = time.perf_counter() - t
    theirs_mb = _rss_mb() - before
    per = 100_000 / len(sigs)
    print(f"\nLSH buckets, {len(sigs):,} signatures, {BANDS} bands of {ROWS}:")
    print(
        f"  BandIndex (numpy)      {len(sigs) / ours_s:>9,.0f} inserts/s "
        f"{ours_mb * per:>7,.0f} MB per 100k"
    )
    print(
        f"  datasketch MinHashLSH  {len(sigs) / theirs_s:>9,.0f} inserts/s "
        f"{theirs_mb * per:>7,.0f} MB per 100k"
    )
    print(
        f"  ratio: {theirs_s / ours_s:.1f}x faster, "
        f"{theirs_mb / max(ours_mb, 0.1):.1f}x less memory"
    )
    del theirs


def real_pages() -> None:
    from monitor import extract
    from monitor.errors import MonitorError

    texts: list[tuple[str, str]] = []
    for page in sorted(p for p in PAGES.iterdir() if p.is_dir()) if PAGES.exists() else []:
        try:
            html = (page / "source.html").read_bytes()
            texts.append(
                (page.name, extract.extract(html, f"https://example.org/{page.name}").text)
            )
        except MonitorError:
            continue  # the extractor refuses a few test pages (no text): nothing to group
    for name, pieces in _texts().items():
        texts.extend((f"{name}:{i}", t) for i, t in enumerate(pieces))
    index = StoryIndex()
    groups: dict[int, list[str]] = defaultdict(list)
    for article_id, (name, text) in enumerate(texts, 1):
        fp = fingerprint(text)
        story = index.place(fp) or article_id
        index.add(StoryMember(article_id, story, fp.exact, fp.signature_bytes(), fp.size), fp)
        groups[story].append(name)
    shared = [g for g in groups.values() if len(g) > 1]
    print(f"\nReal development data: {len(texts)} texts, {len(groups)} stories")
    for group in shared:
        print(f"  one story: {', '.join(group[:8])}{' …' if len(group) > 8 else ''} ({len(group)})")
    print(
        "  (Readability's synthetic test pages share one Lorem-ipsum text, and two of them are "
        "captures of one Lifehacker post: those groups are right)"
    )


def store_round_trip(texts: list[str], n: int, memory_rate: float) -> None:
    texts = texts[:n]
    t0 = datetime(2024, 10, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "monitor.db")
        with open_store(path) as store:
            ids = []
            for i, text in enumerate(texts):
                article = ExtractedArticle(
                    url=f"https://bench.example/{i}",
                    title=None,
                    authors=(),
                    published=t0 + timedelta(minutes=i),
                    language=None,
                    text=text,
                )
                article_id, _ = store.upsert_article(
                    article, source_id="bench", camp="west", capture_id=None, seen_at=t0
                )
                ids.append(article_id)
            grouper = StoryGrouper(store)
            t = time.perf_counter()
            for article_id, text in zip(ids, texts, strict=True):
                grouper.assign(article_id, text)
            assign_s = time.perf_counter() - t
        with open_store(path) as store:
            t = time.perf_counter()
            loaded = StoryGrouper(store).load()
            load_s = time.perf_counter() - t
    rate = n / assign_s
    print(f"\nStore round trip (SQLite), {n:,} articles:")
    print(
        f"  assigning as the crawler does: {assign_s:.1f} s, {rate:,.0f} articles/s "
        f"(in memory: {memory_rate:,.0f}/s; store overhead {memory_rate / rate:.1f}x)"
    )
    print(
        f"  restart: {loaded:,} fingerprints read back in {load_s:.2f} s "
        f"(≈ {load_s * 100_000 / max(loaded, 1):.1f} s per 100,000 grouped pieces)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles to group")
    parser.add_argument(
        "--lsh-n", type=int, default=20_000, help="signatures for the LSH side by side"
    )
    parser.add_argument(
        "--store-n", type=int, default=5_000, help="articles for the store round trip"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--against",
        type=Path,
        metavar="DIR",
        help="another checkout (e.g. main's) to group the same articles with first",
    )
    args = parser.parse_args()

    t = time.perf_counter()
    texts, original = make_articles(args.n, args.seed)
    words = sum(len(x.split()) for x in texts) / len(texts)
    print(
        f"{args.n:,} articles generated in {time.perf_counter() - t:.1f} s "
        f"(mean {words:,.0f} space-separated units; not timed below)"
    )
    theirs = group_elsewhere(args.against, texts) if args.against else None
    cpu = time.process_time()
    story_of, seconds, placing, index, prints = group_in_memory(texts)
    cpu = time.process_time() - cpu
    reruns, joined, originals, merged = quality(story_of, original)
    target = "within" if seconds <= 60 else "OVER"
    print(
        f"\nGrouping {args.n:,} articles: {seconds:.1f} s, {args.n / seconds:,.0f} articles/s "
        f"({cpu:.1f} s of CPU time: {args.n / cpu:,.0f} articles/s on a core of its own)"
    )
    print(
        f"  of which fingerprints {seconds - placing:.1f} s, placing {placing:.1f} s; "
        f"index arrays {index.nbytes / 1e6:,.0f} MB — {target} the 60 s target"
    )
    print(f"  {len(set(story_of)):,} stories")
    print(f"  re-runs in their original's story: {joined:,} / {reruns:,} ({joined / reruns:.1%})")
    print(f"  distinct originals sharing a story: {merged:,} / {originals:,}")
    if theirs is not None:
        side_by_side(args.against, theirs, (seconds, cpu, placing), story_of, original)
    compare_lsh(prints, min(args.lsh_n, args.n))
    del prints
    real_pages()
    store_round_trip(texts, min(args.store_n, args.n), args.n / seconds)


if __name__ == "__main__":
    main()
