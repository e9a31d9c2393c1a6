"""Hands cleaned items to the archive: one transaction per article, one crawl record per run."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from archive.health import FieldCounts, save as save_health
from archive.lock import CrawlLock
from archive.policy import parse_tiers
from archive.store import Archive
from pipelines.diskfull import is_disk_full, limit_pages, stop_for_full_disk
from pipelines.walguard import WalGuard

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# Scrapy's close reasons, as the archive's crawl outcomes.
OUTCOMES = {"finished": "completed", "shutdown": "interrupted", "closespider_pagecount": "completed"}


class StorePipeline:
    """Opens the archive named by the spider (`-a db=`) or `NEWSARCHIVE_DB`, and records every item."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.archive: Archive | None = None
        self.crawl_id: int | None = None
        self.lock: CrawlLock | None = None
        self.path = ""
        self.full = False  # the archive hit SQLITE_FULL: nothing more is written in this crawl
        self.walguard: WalGuard | None = None
        self.health = FieldCounts()  # which fields the article pages yielded (archive/health.py)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        if not crawler.settings.getbool("STORE_ENABLED", True):
            raise NotConfigured
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        spider = self.crawler.spider
        path = getattr(spider, "db_path", None) or self.crawler.settings.get("NEWSARCHIVE_DB")
        # One writer per archive; raises ArchiveLocked (the crawl does not start) when another holds it.
        self.lock = CrawlLock(path).acquire()
        tiers = parse_tiers(self.crawler.settings.get("NEWSARCHIVE_RECHECK_TIERS"))
        self.archive = Archive(path, tiers=tiers)
        self.path = str(path)
        limit_pages(self.archive.db, self.crawler.settings.getint("NEWSARCHIVE_MAX_PAGE_COUNT"))
        self.walguard = WalGuard(self.archive.db, self.path, self.crawler.settings.getint("NEWSARCHIVE_WAL_LIMIT"),
                                 self.crawler.stats)
        profile = getattr(spider, "profile", None)
        self.crawl_id = self.archive.start_crawl(
            profile.name if profile else "", list(getattr(spider, "editions", [])),
            profile.base_url if profile else None,
        )
        self.crawler.stats.set_value("store/crawl_id", self.crawl_id)  # type: ignore[union-attr]

    def process_item(self, item: Any) -> Any:
        assert self.archive is not None and self.crawl_id is not None
        adapter = ItemAdapter(item)
        if self.full:
            raise DropItem(f"not stored, the archive is full: {adapter.get('url')}")
        try:
            if adapter.get("kind") == "article":
                self.health.add(adapter)
                outcome = self.archive.record_article(self.crawl_id, adapter.asdict())
            else:
                outcome = self.archive.record_observation(self.crawl_id, adapter.asdict())
                logger.info("%s %s: %s", outcome, adapter.get("url"), adapter.get("reason"))
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            # The item's transaction was rolled back whole; stop instead of failing page after page.
            self.full = True
            stop_for_full_disk(self.crawler, self.path, exc)
            raise DropItem(f"not stored, the archive is full: {adapter.get('url')}") from None
        if self.walguard is not None:
            self.walguard.after_write()
        self.crawler.stats.inc_value(f"store/{outcome}")  # type: ignore[union-attr]
        adapter["outcome"] = outcome
        # The raw page is in the archive now; do not keep megabytes alive in feed exports or logs.
        adapter["raw_html"] = b""
        return item

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.archive is None or self.crawl_id is None:
            return
        outcome = OUTCOMES.get(reason, f"failed: {reason}" if reason else "failed")
        try:
            save_health(self.archive.db, self.crawl_id, self.health)
            self.archive.finish_crawl(self.crawl_id, outcome)
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            logger.error("archive %s is full: crawl %s stays marked running", self.path, self.crawl_id)
        self.archive.close()
        self.archive = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None
