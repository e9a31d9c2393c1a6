"""Hands cleaned items to the archive writer thread (batched transactions), one crawl record per run."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future

from archive.batch import ITEM_ERRORS, write_batch
from archive.prepare import KEY as PREPARED
from archive.errors import ArchiveError
from archive.health import FieldCounts, save as save_health
from archive.lock import CrawlLock
from archive.store import Archive
from pipelines import crawl_config
from pipelines.diskfull import CLOSE_REASON, Reserve, is_disk_full, limit_pages, make_room, stop_for_full_disk
from pipelines.walguard import WalGuard
from pipelines.writer import BatchWriter
from pipelines.writerproc import WriterProcess

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# Scrapy's close reasons, as the archive's crawl outcomes.
OUTCOMES = {"finished": "completed", "shutdown": "interrupted", "closespider_pagecount": "completed"}
STORE_ERROR = "store_error"
# An archive locked by another writer (a `sqlite3` shell, a script) is tried again this many times,
# each waiting the connection's busy timeout (5 s), before the crawl stops with `store_error`.
BUSY_RETRIES = 2
# An item's error (archive.batch.ITEM_ERRORS) belongs to that item (a bug or a contract break): counted,
# the crawl goes on and ends `failed: store_error`. Any other database error (I/O, corruption, read-only
# file, a lock held past the retries) means nothing more can be stored: the crawl stops at once.
__all__ = ["ITEM_ERRORS", "StorePipeline"]
LOGGED_VALUE = 300  # characters of one item field in a log line; the page itself is never logged


def is_busy(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and getattr(exc, "sqlite_errorcode", None) in (
        sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def raw_size(item: dict[str, Any]) -> int:
    """The bytes an item brings to a batch: its page (most of what a version writes to the WAL)."""
    raw = item.get("raw_html")
    return len(raw) if isinstance(raw, (bytes, str)) else 0


def short(exc: BaseException) -> str:
    """One bounded line for an exception (its message may quote SQL or values)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text[:200]}"


def drop(adapter: ItemAdapter, message: str) -> DropItem:
    """DropItem for an item not stored: Scrapy logs the item with it, so its long fields are cut first."""
    for name, value in list(adapter.items()):
        if len(repr(value)) > LOGGED_VALUE:
            size = len(value) if hasattr(value, "__len__") else "?"
            adapter[name] = f"<{type(value).__name__} of {size}, not logged>"
    return DropItem(message)


class Halted(Exception):
    """The writer stopped after a full disk or a store error: this item was not written."""


class _ThreadStats:
    """Stats for code running on the writer thread (WalGuard): each change is made on the reactor thread."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    def inc_value(self, key: str, count: int = 1) -> None:
        from twisted.internet import reactor  # the installed one: importing it at module level would install one

        reactor.callFromThread(self.stats.inc_value, key, count)


class StorePipeline:
    """Opens the archive named by `NEWSARCHIVE_DB` (crawler/config.py), and records every item."""

    def __init__(self, crawler: Crawler, config: Any) -> None:
        self.crawler = crawler
        self.config = config  # crawler.config.CrawlConfig: the archive path, site and editions of this crawl
        self.archive: Archive | None = None
        self.crawl_id: int | None = None
        self.lock: CrawlLock | None = None
        self.path = ""
        self.full = False  # the archive hit SQLITE_FULL: nothing more is written in this crawl
        self.broken = False  # a database error other than a full disk: nothing more is written either
        self.errors = 0  # items not stored because of an error (each also counted as store/error)
        self.walguard: WalGuard | None = None
        self.reserve: Reserve | None = None
        self.close_reason = ""  # set when the archive could not even record the crawl's start
        self.health = FieldCounts()  # which fields the article pages yielded (archive/health.py)
        self.writer: BatchWriter | None = None  # the one thread that writes items (pipelines/writer.py)
        self.halted = False  # set on the writer thread: a batch failed for the archive, nothing more is written
        self.remote: WriterProcess | None = None  # the process the writer thread hands batches to (if on)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        if not crawler.settings.getbool("STORE_ENABLED", True):
            raise NotConfigured
        pipeline = cls(crawler, crawl_config(crawler))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        return pipeline

    def open_spider(self) -> None:
        path = self.config.db
        # One writer per archive; raises ArchiveLocked (the crawl does not start) when another holds it.
        self.lock = CrawlLock(path).acquire()
        self.reserve = Reserve(path)
        self.reserve.create()
        self.path = str(path)
        try:
            self.archive = Archive(path, tiers=self.config.tiers)
            limit_pages(self.archive.db, self.crawler.settings.getint("NEWSARCHIVE_MAX_PAGE_COUNT"))
            self.walguard = WalGuard(self.archive.db, self.path,
                                     self.crawler.settings.getint("NEWSARCHIVE_WAL_LIMIT"),
                                     _ThreadStats(self.crawler.stats))
            site = self.config.site
            self.crawl_id = self.archive.start_crawl(site.name, list(self.config.editions), site.base_url,
                                                     site_source=site.source)
            if self.crawler.settings.getbool("NEWSARCHIVE_WRITER_PROCESS"):
                self.remote = WriterProcess(self.path, self.config.tiers,
                                            self.crawler.settings.getint("NEWSARCHIVE_MAX_PAGE_COUNT"),
                                            self.crawler.settings.getint("NEWSARCHIVE_WAL_LIMIT"))
        except (sqlite3.Error, ArchiveError) as exc:
            self._cannot_start(exc)
            return
        self.crawler.stats.set_value("store/crawl_id", self.crawl_id)  # type: ignore[union-attr]
        settings = self.crawler.settings
        self.writer = BatchWriter(self._write, batch=settings.getint("NEWSARCHIVE_WRITE_BATCH"),
                                  wait_ms=settings.getfloat("NEWSARCHIVE_WRITE_BATCH_MS"),
                                  max_queued=settings.getint("NEWSARCHIVE_WRITE_QUEUE"),
                                  max_bytes=settings.getint("NEWSARCHIVE_WRITE_BATCH_BYTES"), size=raw_size).start()

    def _cannot_start(self, exc: BaseException) -> None:
        """The archive cannot take the crawl's record (full disk, I/O error): one line, and the spider closes
        before fetching anything (no crawl row; `crawl` says "did not start", exit 1)."""
        self.full = is_disk_full(exc, self.path)
        self.broken = not self.full
        reason = CLOSE_REASON if self.full else STORE_ERROR
        self._stat("store/error")
        logger.error("archive %s cannot record a new crawl (%s): nothing is fetched.%s", self.path, short(exc),
                     " Free disk space, then run the crawl again." if self.full else "")
        self._release()
        self.close_reason = reason  # closed from spider_opened: the engine is still opening the spider now

    def spider_opened(self, spider: Spider) -> None:
        if self.close_reason and self.crawler.engine is not None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=self.close_reason))

    async def process_item(self, item: Any) -> Any:
        """Returns the item once its batch is committed: only then is it "scraped"
        (item_scraped, the stats, the outcome ledger, the backfill cursor), so a crash never acknowledges
        an article that is not in the archive."""
        adapter = ItemAdapter(item)
        url = str(adapter.get("url"))[:LOGGED_VALUE]
        if self.full or self.broken or self.writer is None:
            self._stat("store/not_stored")
            why = "disk full" if self.full else STORE_ERROR
            raise drop(adapter, f"not stored, the crawl is stopping ({why}): {url}")
        if adapter.get("kind") == "article":
            self.health.add(adapter)
        # A shallow copy: the writer only reads the item, and nothing changes it before its answer comes back
        # (adapter.asdict() copied every nested list and dict: 1.5 ms an article on the reactor thread).
        result = await maybe_deferred_to_future(self.writer.submit(dict(adapter.items())))
        return self._written(result, item, adapter, url)

    def _written(self, result: Any, item: Any, adapter: ItemAdapter, url: str) -> Any:
        """(Reactor thread.) The item's result from the writer: its outcome, or why it was not stored."""
        if isinstance(result, Halted):
            self._stat("store/not_stored")
            why = "disk full" if self.full else STORE_ERROR
            raise drop(adapter, f"not stored, the crawl is stopping ({why}): {url}")
        if isinstance(result, BaseException):
            if is_disk_full(result, self.path):
                # The batch's transaction was rolled back whole; stop instead of failing page after page.
                if not self.full:
                    self.full = True
                    stop_for_full_disk(self.crawler, self.path, result)
                raise drop(adapter, f"not stored, the archive is full: {url}")
            raise self._failed(adapter, url, result)
        outcome = str(result)
        if adapter.get("kind") != "article":
            logger.info("%s %s: %s", outcome, url, str(adapter.get("reason"))[:LOGGED_VALUE])
        self._stat(f"store/{outcome}")
        adapter["outcome"] = outcome
        # The raw page is in the archive now; do not keep megabytes alive in feed exports or logs.
        adapter["raw_html"] = b""
        if isinstance(item, dict):
            item.pop(PREPARED, None)  # the prepared write (bytes) is in the archive too
        return item

    def _write(self, items: list[dict[str, Any]]) -> list[Any]:
        """(Writer thread.) One batch in one transaction, a busy lock tried again; the WAL kept bounded."""
        assert self.archive is not None and self.crawl_id is not None
        if self.halted:
            return [Halted()] * len(items)
        for attempt in range(BUSY_RETRIES + 1):
            try:
                results: list[Any] = self._batch(items)
                break
            except Exception as exc:
                if is_busy(exc) and attempt < BUSY_RETRIES:
                    self._stat_from_thread("store/busy_retry")
                    time.sleep(0.1)
                    continue
                if len(items) > 1 and not is_busy(exc):
                    # A full disk (or an I/O error) part-way: store what still fits, one item at a time,
                    # as a crawl without batches would have, up to the item that fails.
                    return self._one_by_one(items)
                self.halted = True  # nothing more is written: the reactor side stops the crawl
                raise
        self._stat_from_thread("store/batches")
        try:
            if self.remote is not None:
                for key, count in self.remote.walguard().items():
                    self._stat_from_thread(key, count)
            elif self.walguard is not None:
                self.walguard.after_write()
        except sqlite3.Error as exc:  # the items are stored; a checkpoint that fails is retried later
            for key, count in getattr(exc, "counts", {}).items():
                self._stat_from_thread(key, count)
            self._stat_from_thread("walguard/error")
            logger.warning("archive %s: WAL checkpoint failed (%s)", self.path, short(exc))
        return results

    def _batch(self, items: list[dict[str, Any]]) -> list[Any]:
        """(Writer thread.) archive.batch.write_batch, in the writer process when there is one."""
        assert self.archive is not None and self.crawl_id is not None
        if self.remote is not None:
            return self.remote.write_batch(self.crawl_id, items, _ThreadStats(self.crawler.stats))
        return write_batch(self.archive, self.crawl_id, items, _ThreadStats(self.crawler.stats))

    def _one_by_one(self, items: list[dict[str, Any]]) -> list[Any]:
        """(Writer thread.) Each item in its own transaction until one fails for the archive; the rest Halted."""
        assert self.archive is not None and self.crawl_id is not None
        results: list[Any] = []
        for item in items:
            if self.halted:
                results.append(Halted())
                continue
            try:
                results.extend(self._batch([item]))
            except Exception as exc:
                self.halted = True
                results.append(exc)
        return results

    def _stat_from_thread(self, key: str, count: int = 1) -> None:
        from twisted.internet import reactor

        reactor.callFromThread(self.crawler.stats.inc_value, key, count)  # type: ignore[union-attr]

    def _failed(self, adapter: ItemAdapter, url: str, exc: Exception) -> DropItem:
        """Count an item not stored, log one bounded line, and stop the crawl unless the error is the item's."""
        if self.broken and not isinstance(exc, ITEM_ERRORS):
            # The rest of the batch that stopped the crawl: counted and logged once, on its first item.
            self._stat("store/not_stored")
            return drop(adapter, f"not stored, the crawl is stopping ({STORE_ERROR}): {url}")
        self.errors += 1
        self._stat("store/error")
        if isinstance(exc, ITEM_ERRORS):
            logger.error("not stored %s: %s", url, short(exc))
        else:
            self.broken = True
            logger.error("archive %s cannot be written (%s): crawl stopped after %s; everything stored before "
                         "is intact", self.path, short(exc), url)
            if self.crawler.engine is not None:
                deferred_from_coro(self.crawler.engine.close_spider_async(reason=STORE_ERROR))
        return drop(adapter, f"not stored ({short(exc)}): {url}")

    def _stat(self, key: str) -> None:
        self.crawler.stats.inc_value(key)  # type: ignore[union-attr]

    def outcome(self, reason: str) -> str:
        """The crawl's outcome: a full disk or an item not stored fails it, whatever Scrapy's close reason."""
        if self.full:
            return "failed: disk_full"
        if self.broken or (self.errors and reason in ("finished", "closespider_pagecount")):
            return f"failed: {STORE_ERROR}"
        return OUTCOMES.get(reason, f"failed: {reason}" if reason else "failed")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.writer is not None:
            self.writer.stop()  # every item has its answer by now (Scrapy waits for them); ends the thread
            self.writer = None
        if self.remote is not None:
            self.remote.close()
            self.remote = None
        try:
            if self.archive is not None and self.crawl_id is not None:
                self._finish(self.outcome(reason))
        finally:
            self._release()

    def _release(self) -> None:
        if self.remote is not None:
            self.remote.close()
            self.remote = None
        if self.archive is not None:
            self.archive.close()
            self.archive = None
        if self.reserve is not None:
            self.reserve.release()
        if self.lock is not None:  # after the archive's connection: see CrawlLock
            self.lock.release()
            self.lock = None

    def _finish(self, outcome: str) -> None:
        """Record the outcome; on a full disk, give back the reserve and try again; a lock, wait and retry."""
        assert self.archive is not None and self.crawl_id is not None
        try:
            save_health(self.archive.db, self.crawl_id, self.health)
        except Exception as exc:  # the shares are a report; the outcome below is the record, never lost for them
            self._stat("store/health_not_saved")
            logger.warning("archive %s: crawl %s's field shares not saved (%s)", self.path, self.crawl_id, short(exc))
        for attempt in range(BUSY_RETRIES + 2):
            try:
                self.archive.finish_crawl(self.crawl_id, outcome)
                return
            except Exception as exc:
                if is_disk_full(exc, self.path) and attempt == 0:
                    if not self.full:
                        outcome, self.full = "failed: disk_full", True
                        stop_for_full_disk(self.crawler, self.path, exc, close=False)  # closing already
                    if self.reserve is not None:
                        self.reserve.release()
                    make_room(self.archive.db)
                    continue
                if is_busy(exc) and attempt <= BUSY_RETRIES:
                    continue
                self._stat("store/error")
                self._stat("store/finish_failed")
                logger.error("archive %s: the outcome of crawl %s (%s) could not be recorded (%s): it stays "
                             "marked running until the next crawl marks it crashed", self.path, self.crawl_id,
                             outcome, short(exc))
                return
