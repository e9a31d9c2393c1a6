"""The archive under stress: a full disk stops the crawl cleanly; readers beside a crawl see only whole versions."""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from tests.conftest import crawl_json, run_cli
from tests.fault_server import FaultServer, page

WORDS = ("الحكومة", "إقليم", "كوردستان", "أربيل", "البرلمان", "الاقتصاد", "المشاريع", "الوزير", "الانتخابات",
         "المياه", "الكهرباء", "النفط", "بغداد", "السليمانية", "دهوك", "الطرق", "المدارس", "الصحة", "الزراعة",
         "الاستثمار", "الموازنة", "الرواتب", "المواطنين", "الشركات", "الحدود", "التجارة", "السياحة", "الثقافة")


def big_article(n: int, paragraphs: int, edited: bool = False) -> bytes:
    """A long article of seeded random words (so compression cannot make its versions small)."""
    rng = random.Random(n)
    title = f"تقرير رقم {n} عن " + " ".join(rng.choice(WORDS) for _ in range(4)) + (" (محدث)" if edited else "")
    body = "".join("<p>" + " ".join(rng.choice(WORDS) for _ in range(60)) + f" {n}-{i}.</p>" for i in range(paragraphs))
    return (f'<html lang="ar"><head><meta charset="utf-8"><title>{title}</title></head><body><article>'
            f'<div class="intro"><h1 itemprop="Title">{title}</h1></div><div class="reader-content">{body}</div>'
            "</article></body></html>").encode()


def big_site(n_articles: int, paragraphs: int, day: int = 1) -> dict[str, Any]:
    routes: dict[str, Any] = {"/robots.txt": page("User-agent: *\nDisallow: /private/\n", content_type="text/plain")}
    for n in range(1, n_articles + 1):
        routes[f"/ar/story/{n}/x"] = page(big_article(n, paragraphs, edited=day == 2 and n % 2 == 0))
    routes["/ar"] = page("".join(f'<article><a href="/ar/story/{n}/x">{n}</a></article>'
                                 for n in range(1, n_articles + 1)))
    routes["/ar/latest"] = routes["/ar"]  # the profile's listing
    return routes


def one(db: str, sql: str) -> Any:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def snapshot_problems(conn: sqlite3.Connection, hold: float = 0.0) -> tuple[int, list[str]]:
    """In one read transaction: every article's versions 1..current complete and indexed. (versions, problems)"""
    problems: list[str] = []
    conn.execute("BEGIN")
    try:
        time.sleep(hold)  # a reader that keeps its snapshot a while, as a slow query does
        versions: dict[str, list[int]] = {}
        for key, number, title, body, digest in conn.execute(
                "SELECT article_key, version, title, body, content_hash FROM versions ORDER BY article_key, version"):
            if not (title and body and digest):
                problems.append(f"incomplete version {key} v{number}")
            versions.setdefault(key, []).append(number)
        for key, current, rowid in conn.execute("SELECT key, current_version, rowid FROM articles"):
            if versions.get(key) != list(range(1, current + 1)):
                problems.append(f"{key}: current {current}, versions {versions.get(key)}")
            if conn.execute("SELECT count(*) FROM search_fts WHERE rowid = "
                            "(SELECT search_id FROM articles WHERE rowid = ?)", [rowid]).fetchone()[0] != 1:
                problems.append(f"{key}: not in the search index")
        if set(versions) - {k for k, _c, _r in conn.execute("SELECT key, current_version, rowid FROM articles")}:
            problems.append("versions without an article row")
        return sum(len(v) for v in versions.values()), problems
    finally:
        conn.execute("COMMIT")


# --- disk full ------------------------------------------------------------------------------------------
def test_disk_full_stops_the_crawl_and_keeps_the_archive_usable(tmp_path: Path):
    db = str(tmp_path / "archive.db")
    routes = big_site(60, 12)
    with FaultServer(routes) as srv:
        started = time.monotonic()
        proc = run_cli("crawl", "--local", "--json", "--db", db, "--base-url", srv.base_url,
                       "-s", "NEWSARCHIVE_MAX_PAGE_COUNT=120", timeout=120)
        elapsed = time.monotonic() - started
        assert proc.returncode == 1, proc.stderr[-2000:]
        report = json.loads(proc.stdout)
        assert report["crawl"]["outcome"] == "failed: disk_full"
        errors = [line for line in proc.stderr.splitlines() if "ERROR" in line]
        assert len(errors) == 1, proc.stderr[-3000:]
        assert f"archive {db} is full (database or disk is full): crawl stopped; everything stored before is " \
               "intact. Free disk space, then run the crawl again to continue." in errors[0]
        assert "Traceback" not in proc.stderr
        assert elapsed < 60
        stored = one(db, "SELECT count(*) FROM versions")
        assert 0 < stored < 60
        assert one(db, "PRAGMA integrity_check") == "ok"
        conn = sqlite3.connect(db)
        assert snapshot_problems(conn) == (stored, [])
        conn.execute("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')")
        conn.close()
        # Usable: search and export work on what was stored.
        found = run_cli("search", "--db", db, "--json", "تقرير")
        assert found.returncode == 0, found.stderr
        assert len(json.loads(found.stdout)) == min(stored, 20)
        exported = run_cli("export", "--db", db, "--format", "jsonl")
        assert exported.returncode == 0 and len(exported.stdout.splitlines()) == stored
        # With space again, the next crawl completes the archive.
        again = crawl_json("--db", db, "--base-url", srv.base_url)
    assert again["crawl"]["outcome"] == "completed"
    assert again["crawl"]["new_articles"] == 60 - stored
    assert one(db, "SELECT count(*) FROM versions") == 60


# --- readers beside a crawl ------------------------------------------------------------------------------
class Reader(threading.Thread):
    """Polls the archive in short read transactions while a crawl writes, as `search` or Datasette would."""

    def __init__(self, db: str, hold: float = 0.0) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.hold = hold
        self.stop = threading.Event()
        self.polls = 0
        self.mid_crawl = 0  # polls that saw some but not all versions
        self.problems: list[str] = []
        self.max_wal = 0

    def run(self) -> None:
        while not Path(self.db).exists() and not self.stop.is_set():
            time.sleep(0.01)
        conn = sqlite3.connect(self.db, timeout=10)
        try:
            while not self.stop.is_set():
                try:
                    seen, problems = snapshot_problems(conn, self.hold)
                except sqlite3.OperationalError:
                    time.sleep(0.01)  # schema not created yet
                    continue
                self.polls += 1
                self.problems += problems
                self.mid_crawl += 0 < seen
                wal = Path(self.db + "-wal")
                if wal.exists():
                    self.max_wal = max(self.max_wal, wal.stat().st_size)
                time.sleep(0.002)
        finally:
            conn.close()


def test_readers_see_only_whole_versions_and_the_wal_stays_bounded(tmp_path: Path):
    db = str(tmp_path / "archive.db")
    n_articles = 100
    limit = 2 * 1024 * 1024  # NEWSARCHIVE_WAL_LIMIT for this test (the default, 16 MiB, needs a longer crawl)
    reader = Reader(db)
    stats: dict[str, int] = {}
    with FaultServer(big_site(n_articles, 60)) as srv:
        reader.start()
        try:
            for day, recheck in ((1, "due"), (2, "all")):
                srv.routes.update(big_site(n_articles, 60, day))
                report = crawl_json("--db", db, "--base-url", srv.base_url, "--recheck", recheck,
                                    "-s", f"NEWSARCHIVE_WAL_LIMIT={limit}")
                for name, value in report["scrapy_stats"].items():
                    if name.startswith("walguard/"):
                        stats[name] = stats.get(name, 0) + value
        finally:
            reader.stop.set()
            reader.join(timeout=30)
    assert reader.problems == []
    assert reader.polls > 0 and reader.mid_crawl > 0
    assert one(db, "SELECT count(*) FROM versions") == n_articles + n_articles // 2
    # The crawls wrote several times the limit; a reader scanning all the time keeps SQLite from starting
    # the WAL over by itself (measured with the guard off: 8.0 to 9.6 MB). With it, the WAL stays within
    # the limit plus the frames of an article or two (one postponed checkpoint at most doubles it).
    assert one(db, "PRAGMA page_count") * one(db, "PRAGMA page_size") > 6 * limit
    assert stats.get("walguard/truncated", 0) >= 3
    assert reader.max_wal < limit + 3 * 1024 * 1024


def test_wal_guard_postpones_while_a_reader_holds_a_snapshot_then_truncates(tmp_path: Path):
    from pipelines.walguard import WalGuard

    path = str(tmp_path / "wal.db")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")  # only the guard checkpoints here
    writer.execute("CREATE TABLE t (x BLOB)")
    wal = Path(path + "-wal")
    guard = WalGuard(writer, path, limit=256 * 1024)
    busy_timeout = writer.execute("PRAGMA busy_timeout").fetchone()[0]

    def write(kb: int) -> None:
        writer.execute("INSERT INTO t VALUES (randomblob(?))", [kb * 1024])

    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchone()  # a snapshot held open: the WAL cannot start over
    write(300)
    started = time.monotonic()
    guard.after_write()
    assert time.monotonic() - started < 5  # waited about CHECKPOINT_WAIT_MS, then gave up
    assert wal.stat().st_size > 256 * 1024
    assert guard.next_at > wal.stat().st_size  # the next attempt comes after another limit's worth
    reader.execute("COMMIT")
    write(300)
    guard.after_write()
    assert (wal.stat().st_size, guard.next_at) == (0, 256 * 1024)
    assert writer.execute("PRAGMA busy_timeout").fetchone()[0] == busy_timeout  # restored after each attempt
    reader.close()
    writer.close()


def test_wal_guard_skips_only_while_the_same_snapshot_pins_the_wal(tmp_path: Path):
    """After a failed attempt, the next is skipped while the reader that failed it stays; a reader that came
    later (as a dashboard polling in short transactions does) does not stop the next attempt."""
    from pipelines.walguard import WalGuard

    path = str(tmp_path / "wal.db")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("CREATE TABLE t (x BLOB)")
    wal = Path(path + "-wal")
    guard = WalGuard(writer, path, limit=256 * 1024)

    def write(kb: int) -> None:
        writer.execute("INSERT INTO t VALUES (randomblob(?))", [kb * 1024])

    def snapshot() -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM t").fetchone()
        return conn

    long_reader = snapshot()
    write(300)
    guard.after_write()
    assert guard.failures == 1
    write(300)
    guard.after_write()  # the same snapshot still pins the WAL: skipped without a wait
    assert guard.failures == 2 and wal.stat().st_size > 512 * 1024
    long_reader.execute("COMMIT")
    newer = snapshot()  # a newer reader: it pins frames too, but copying now gets further
    write(300)
    size = wal.stat().st_size
    guard.next_at = size  # due now
    started = time.monotonic()
    guard.after_write()  # tried (not skipped): it waits for `newer`, which is still open, and fails
    assert time.monotonic() - started > 0.5
    assert guard.failures == 3
    newer.execute("COMMIT")
    guard.next_at = 0
    guard.after_write()
    assert (wal.stat().st_size, guard.failures) == (0, 0)
    newer.close()
    long_reader.close()
    writer.close()
