"""What a reader holding one read transaction through a crawl costs the crawl's writes, with and without the
WAL guard (pipelines/walguard.py), and the guard's old fixed retry step against its doubling one, in one run.

    python -m benchmarks.walbench [--items N]

Each scenario writes the same N generated articles (60-120 KB pages, the crawl's own extraction)
into a fresh archive through Archive.record_article + WalGuard.after_write, as the store pipeline does.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from archive.store import Archive
from benchmarks.sitegen import FIRST_ID, HOST, Site
from pipelines.walguard import WalGuard

MIB = 1024 * 1024


def prepare(n: int) -> list[dict[str, Any]]:
    from benchmarks.measure import our_path

    site, extract = Site(n), our_path()
    items = []
    for i in range(n):
        body = site.article_page(i)
        items.append({**extract(body), "kind": "article", "key": f"kurdistan24:ar:{FIRST_ID + i}",
                      "site": "kurdistan24", "edition": "ar", "article_id": str(FIRST_ID + i),
                      "url": HOST + site.path(i), "http_status": 200, "fetched_at": "2024-01-01T00:00:00+00:00",
                      "raw_html": body, "extractor_version": "bench"})
    return items


class Holder(threading.Thread):
    """A reader that opens one read transaction and keeps it until told to stop (a slow export, a notebook)."""

    def __init__(self, path: str) -> None:
        super().__init__(daemon=True)
        self.path, self.ready, self.stop = path, threading.Event(), threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None)
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM versions").fetchone()
        self.ready.set()
        self.stop.wait()
        conn.execute("COMMIT")
        conn.close()


def scenario(items: list[dict[str, Any]], reader: bool, limit: int, growth: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.db")
        stats: dict[str, int] = {}

        class Stats:
            def inc_value(self, key: str) -> None:
                stats[key] = stats.get(key, 0) + 1

        with Archive(path) as archive:
            crawl_id = archive.start_crawl("kurdistan24", ["ar"], None)
            guard = WalGuard(archive.db, path, limit, Stats())
            guard.growth = growth
            guard.skip_pinned = growth > 1  # "before": fixed step, a 1 s wait at every attempt
            holder = Holder(path)
            if reader:
                holder.start()
                holder.ready.wait()
            wal, biggest = Path(path + "-wal"), 0
            started = time.perf_counter()
            for item in items:
                archive.record_article(crawl_id, item)
                guard.after_write()
                biggest = max(biggest, wal.stat().st_size if wal.exists() else 0)
            elapsed = time.perf_counter() - started
            holder.stop.set()
            if reader:
                holder.join()
            size = Path(path).stat().st_size
        return {"s": elapsed, "ms_per_item": elapsed / len(items) * 1000, "max_wal_mb": biggest / MIB,
                "db_mb": size / MIB, "busy": stats.get("walguard/busy", 0),
                "truncated": stats.get("walguard/truncated", 0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=400)
    args = parser.parse_args()
    items = prepare(args.items)
    rows = [
        ("no reader, limit 16 MiB (baseline)", False, 16 * MIB, 2),
        ("reader holds, guard off", True, 0, 2),
        ("reader holds, 16 MiB, fixed step (before)", True, 16 * MIB, 1),
        ("reader holds, 16 MiB, doubling, no wait when pinned (now)", True, 16 * MIB, 2),
        ("reader holds, 1 MiB, fixed step (before)", True, MIB, 1),
        ("reader holds, 1 MiB, doubling, no wait when pinned (now)", True, MIB, 2),
    ]
    base = None
    print(f"{args.items} articles, SQLite {sqlite3.sqlite_version}")
    print(f"{'scenario':52} {'s':>7} {'ms/item':>8} {'x base':>7} {'max WAL MB':>10} {'DB MB':>6} {'busy':>5} {'trunc':>5}")
    for label, reader, limit, growth in rows:
        r = scenario(items, reader, limit, growth)
        base = base or r["s"]
        print(f"{label:52} {r['s']:7.2f} {r['ms_per_item']:8.2f} {r['s'] / base:7.2f} {r['max_wal_mb']:10.1f} "
              f"{r['db_mb']:6.1f} {r['busy']:5d} {r['truncated']:5d}", flush=True)


if __name__ == "__main__":
    main()
