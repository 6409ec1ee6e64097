"""SQLite in WAL mode: the digest, the CLI or an analyst's own SQLite browser can read
while the daemon writes, and none of them sees a half-written piece or an error."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.store import open_store

T0 = datetime(2024, 11, 1, tzinfo=UTC)
PIECES = 120


def test_readers_keep_reading_while_the_daemon_writes(tmp_path: Path, piece) -> None:
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    writer, reader = open_store(url), open_store(url)  # daemon and CLI: two processes' worth
    done = threading.Event()
    seen_counts: list[int] = []

    def write() -> None:
        try:
            for i in range(PIECES):
                writer.upsert_article(
                    piece(f"https://x.example/{i}", text=f"Report {i} on the Kursk deployment."),
                    source_id="wire",
                    camp="west",
                    capture_id=None,
                    seen_at=T0 + timedelta(minutes=i),
                )
        finally:
            done.set()

    def read() -> int:
        reads = 0
        while not done.is_set() or reads == 0:
            seen_counts.append(reader.count_articles())
            reader.search("Kursk deployment", limit=5)
            reader.articles_between(T0, T0 + timedelta(days=1))
            reads += 1
        return reads

    with ThreadPoolExecutor(max_workers=4) as pool:
        readers = [pool.submit(read) for _ in range(3)]
        pool.submit(write).result()
        assert all(r.result() > 0 for r in readers)  # .result() re-raises a reader's error

    assert reader.count_articles() == PIECES
    assert len(reader.search("Kursk deployment", limit=500)) == PIECES
    assert all(0 <= n <= PIECES for n in seen_counts)
    writer.close()
    reader.close()


def test_an_open_read_transaction_elsewhere_does_not_block_the_daemon(
    tmp_path: Path, piece
) -> None:
    path = tmp_path / "monitor.db"
    store = open_store(f"sqlite:///{path}")
    store.upsert_article(
        piece("https://x.example/0"), source_id="wire", camp="west", capture_id=None, seen_at=T0
    )

    browser = sqlite3.connect(path, isolation_level=None, timeout=0)
    browser.execute("BEGIN")
    assert browser.execute("SELECT count(*) FROM articles").fetchone() == (1,)

    # Without WAL this write would wait for the reader, then fail with "database is locked".
    store.upsert_article(
        piece("https://x.example/1"), source_id="wire", camp="west", capture_id=None, seen_at=T0
    )
    assert browser.execute("SELECT count(*) FROM articles").fetchone() == (1,)  # its snapshot
    browser.execute("COMMIT")
    assert browser.execute("SELECT count(*) FROM articles").fetchone() == (2,)
    browser.close()
    store.close()


def test_two_daemons_storing_the_same_pieces_at_once_store_each_once(
    database, piece, blank_diff
) -> None:
    """On PostgreSQL several daemons may share the database (docker-compose scale-out)."""
    urls = [f"https://x.example/{i}" for i in range(40)]
    daemons = [database.open(), database.open()]

    def crawl(store) -> set[int]:
        ids = set()
        for i, url in enumerate(urls):
            article_id, _ = store.upsert_article(
                piece(url), source_id="wire", camp="west", capture_id=None, seen_at=T0
            )
            store.mark_link(url, "wire", "stored", at=T0)
            store.save_diff(article_id, blank_diff(f"v{i % 2}"))
            ids.add(article_id)
        return ids

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(crawl, daemons)

    assert first == second
    assert daemons[0].count_articles() == len(urls)
    assert all(len(s) == 10 for s in daemons[0].stances_for(first).values())
    for store in daemons:
        store.close()
