"""`newsarchive ingest`: the cluster's one archive writer; reads the item stream, commits batches, then acks."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from itemadapter import ItemAdapter

from archive.batch import write_batch
from archive.health import FieldCounts
from archive.lock import CrawlLock
from archive.policy import DEFAULT_TIERS, parse_tiers
from archive.rechecks import candidates
from archive.schema import batches
from archive.store import Archive
from crawler.cluster import runs
from crawler.cluster.cursor import MARKER, TALLY, CursorArchive, create_tables, run_errors
from crawler.cluster.keys import GROUP, SEED_REQUESTS, STREAM, connect, run_key
from crawler.cluster.stream import decode
from pipelines.walguard import WalGuard

logger = logging.getLogger(__name__)
STATE_COLUMNS = "rowid, key, url, status, etag, last_modified, next_check_at, last_checked_at"
BUSY_RETRIES = 3


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Ingest:
    """Single writer: holds the archive's crawl lock for its whole life (a plain crawl is refused meanwhile)."""

    def __init__(self, db: str, url: str, batch: int = 100, consumer: str = "ingest", block_ms: int = 500,
                 wal_limit: int = 16 * 1024 * 1024) -> None:
        self.lock = CrawlLock(db).acquire()
        self.archive = Archive(db)
        # Ingest writes for as long as the cluster runs, with Datasette or `search` reading beside it:
        # the same bound on the WAL as a crawl's writer (NEWSARCHIVE_WAL_LIMIT; 0 = off).
        self.walguard = WalGuard(self.archive.db, db, wal_limit, self)
        self.cursor = CursorArchive(self.archive)
        create_tables(self.archive.db.conn)
        self.server = connect(url)
        self.batch, self.consumer, self.block_ms = batch, consumer, block_ms
        self.written = self.runs_finished = self.seeded = 0
        self.counts: dict[str, int] = defaultdict(int)  # write_batch's: store/prepared_ahead, store/prepared_here
        self.tiers: dict[str, tuple[tuple[int, int], ...]] = {}  # per run, read from its hash once

    def close(self) -> None:
        self.archive.close()
        self.lock.release()  # after the archive's connection (archive/lock.py)

    # --- the loop -------------------------------------------------------------------------------------
    def run(self, stopping: Callable[[], bool]) -> None:
        """Until `stopping()`: take over entries read before and never acknowledged, then read new ones.
        Each read batch is committed and acknowledged before `stopping` is looked at again."""
        try:
            self.server.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except Exception as exc:  # BUSYGROUP: it exists
            if "BUSYGROUP" not in str(exc):
                raise
        # Named at once (not at its first delivery): `cluster status` shows that a writer is attached.
        self.server.xgroup_createconsumer(STREAM, GROUP, self.consumer)
        self.take_over(stopping)
        while not stopping():
            got = self.server.xreadgroup(GROUP, self.consumer, {STREAM: ">"}, count=self.batch, block=self.block_ms)
            entries = got[0][1] if got else []
            if entries:
                self.apply(entries)
            else:
                self.seed_waiting()  # caught up: every item read so far is in the archive

    def take_over(self, stopping: Callable[[], bool]) -> None:
        """XAUTOCLAIM every pending entry (read by an ingest that died before acknowledging), oldest first."""
        start = "0-0"
        while not stopping():
            start, entries, deleted = self.server.xautoclaim(STREAM, GROUP, self.consumer, min_idle_time=0,
                                                             start_id=start, count=self.batch)[:3]
            if deleted:
                self.server.xack(STREAM, GROUP, *deleted)
            if entries:
                logger.warning("taking over %d entries read but never acknowledged", len(entries))
                self.apply(entries)
            if text(start) == "0-0":
                return

    def apply(self, entries: list[tuple[Any, dict[bytes, bytes]]]) -> None:
        """Items in order, one transaction per run among them; a run's end once its items are written."""
        pending: list[tuple[str, dict[bytes, bytes]]] = []
        for sid, fields in entries:
            if fields.get(b"kind") == b"end":
                self.write(pending)
                pending = []
                self.finish(text(fields[b"run"]), text(sid), fields)
            else:
                pending.append((text(sid), fields))
        self.write(pending)

    def write(self, entries: list[tuple[str, dict[bytes, bytes]]]) -> None:
        if not entries:
            return
        ids = [sid for sid, _ in entries]
        marks = ",".join("?" for _ in ids)
        done = {r[0] for r in self.archive.db.execute(
            f"SELECT stream_id FROM cluster_stream WHERE stream_id IN ({marks})", ids).fetchall()}
        by_run: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        for sid, fields in entries:
            if sid not in done:
                by_run[text(fields[b"run"])].append((sid, decode(fields[b"data"])))
        counts: dict[str, int] = {}
        for run, found in by_run.items():
            items = [item for _, item in found]
            health = FieldCounts()
            for item in items:
                if item.get("kind") == "article":
                    health.add(ItemAdapter(item))
            marker = {"kind": MARKER, "run": run, "ids": [sid for sid, _ in found], "health": health.as_dict()}
            crawl_id = self.crawl_for(run)
            self.archive.tiers = self.tiers_for(run)  # read by the batch's scope (archive/scope.py)
            results = self._write_batch(crawl_id, [marker, *items, {"kind": TALLY, "run": run}])
            for item, result in zip(items, results[1:-1]):
                if isinstance(result, BaseException):
                    logger.error("not stored %s: %s: %s", item.get("url"), type(result).__name__, result)
            counts[run] = len(items)
        # Only now, after every COMMIT: acknowledged and dropped from the stream (its pages leave Redis' memory).
        pipe = self.server.pipeline(transaction=True)
        pipe.xack(STREAM, GROUP, *ids).xdel(STREAM, *ids)
        for run, n in counts.items():
            pipe.hincrby(run_key(run), "written", n)
        pipe.execute()
        self.written += sum(counts.values())
        self.walguard.after_write()

    def tiers_for(self, run: str) -> tuple[tuple[int, int], ...]:
        """The run's recheck tiers (its workers' NEWSARCHIVE_RECHECK_TIERS); the defaults for a run without."""
        if run not in self.tiers:
            raw = runs.meta(self.server, run).get("tiers")
            try:
                self.tiers[run] = parse_tiers(raw)
            except (ValueError, TypeError):
                logger.warning("run %s: recheck tiers %r unreadable: the default tiers are used", run, raw)
                self.tiers[run] = DEFAULT_TIERS
        return self.tiers[run]

    def inc_value(self, key: str, count: int = 1) -> None:
        self.counts[key] += count

    def _write_batch(self, crawl_id: int, items: list[dict[str, Any]]) -> list[Any]:
        for attempt in range(BUSY_RETRIES + 1):
            try:
                return write_batch(self.cursor, crawl_id, items, self)  # type: ignore[arg-type]
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == BUSY_RETRIES:
                    raise
                time.sleep(0.2)
        raise AssertionError("unreachable")

    # --- runs -----------------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        db = self.archive.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.conn.rollback()
            raise
        db.conn.commit()

    def crawl_for(self, run: str) -> int:
        """The archive's crawl of this run, started (with its `cluster_runs` row, one transaction) if new."""
        row = self.archive.db.execute("SELECT crawl_id FROM cluster_runs WHERE run = ?", [run]).fetchone()
        if row:
            return int(row[0])
        meta = runs.meta(self.server, run)
        with self.transaction():
            crawl_id = self.archive.start_crawl(meta["site"], [e for e in meta["editions"].split(",") if e],
                                                meta.get("base_url") or None, site_source=meta.get("site_source") or None)
            self.archive.db.execute("INSERT INTO cluster_runs (run, crawl_id) VALUES (?, ?)", [run, crawl_id])
        return crawl_id

    def finish(self, run: str, sid: str, mark: dict[bytes, bytes] | None = None) -> None:
        """The run's end mark: every item of the run is before it in the stream, so all are written now.
        The mark's discovery counts fail a run in which no home page, listing, feed or sitemap answered."""
        row = self.archive.db.execute("SELECT crawl_id, finished FROM cluster_runs WHERE run = ?", [run]).fetchone()
        if row and not row[1]:
            self.catch_up(sid)
            crawl_id = int(row[0])
            # Refusals and field counts were recorded with each batch (crawler/cluster/cursor.py): an ingest
            # restarted mid-run still knows those of the batches before it.
            mark = mark or {}
            down = runs.entry_pages_failed(int(mark.get(b"discovery_ok") or 0),
                                           int(mark.get(b"discovery_failed") or 0))
            outcome = ("failed: store_error" if run_errors(self.archive.db.conn, run)
                       else "failed: entry_pages_failed" if down else "completed")
            with self.transaction():
                self.archive.finish_crawl(crawl_id, outcome)
                self.archive.db.execute("UPDATE cluster_runs SET finished = 1 WHERE run = ?", [run])
                # Its entries are all acknowledged: none can come back, so their ids need no keeping.
                self.archive.db.execute("DELETE FROM cluster_stream WHERE run = ?", [run])
            self.runs_finished += 1
            logger.info("run %s ended: crawl %s %s", run, crawl_id, outcome)
        pipe = self.server.pipeline(transaction=True)
        pipe.xack(STREAM, GROUP, sid).xdel(STREAM, sid)
        pipe.execute()

    def catch_up(self, before: str) -> None:
        """Entries before `before` read but never applied: a read whose reply a Redis restart lost (the retry
        read the entries after them). Written now, before the run they may belong to is finished."""
        while True:
            lost = self.server.xpending_range(STREAM, GROUP, min="-", max=f"({before}", count=self.batch)
            if not lost:
                return
            ids = [p["message_id"] for p in lost]
            claimed = [(text(sid), fields) for sid, fields in
                       self.server.xclaim(STREAM, GROUP, self.consumer, 0, ids) if fields]
            logger.warning("writing %d entries read earlier and never applied", len(claimed))
            self.write(claimed)
            self.server.xack(STREAM, GROUP, *ids)  # those deleted from the stream meanwhile (none to write)

    # --- seeding --------------------------------------------------------------------------------------
    def seed_waiting(self) -> None:
        for raw in self.server.lrange(SEED_REQUESTS, 0, -1):
            self.seed(text(raw))
            self.server.lrem(SEED_REQUESTS, 0, raw)  # after seeding: an ingest killed meanwhile seeds it again

    def seed(self, run: str) -> None:
        """The run's crawl record, and what workers need of the archive: each known article's recheck state
        (`<run>:known`) and those due now (`<run>:due`), so no worker needs a copy of the archive."""
        meta = runs.meta(self.server, run)
        if meta.get("state") != runs.WAITING:
            return  # cancelled (no ingest answered in time), or seeded before a crash
        site, editions = meta["site"], [e for e in meta["editions"].split(",") if e]
        crawl_id = self.crawl_for(run)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        known, due = run_key(run, "known"), run_key(run, "due")
        self.server.delete(known, due)
        n_due = n_known = 0
        for chunk in _chunks((json.dumps(s) for s in candidates(self.archive.db, site, editions, meta["recheck"], now)),
                             1000):
            self.server.rpush(due, *chunk)
            n_due += len(chunk)
        marks = ",".join("?" for _ in editions)
        sql = f"SELECT {STATE_COLUMNS} FROM articles WHERE site = ? AND edition IN ({marks}) AND rowid > ?"
        for chunk in _chunks(batches(self.archive.db, sql, [site, *editions], "rowid", 1000), 1000):
            self.server.hset(known, mapping={s["key"]: json.dumps(s) for s in chunk})
            n_known += len(chunk)
        self.server.hset(run_key(run), mapping={"now": now, "crawl_id": crawl_id, "state": runs.SEEDING,
                                                "due": n_due, "known": n_known})
        self.seeded += 1
        logger.info("seeded run %s: crawl %s, %d known article(s), %d due", run, crawl_id, n_known, n_due)


def _chunks(rows: Any, size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
