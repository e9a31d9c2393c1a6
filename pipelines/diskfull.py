"""A full disk (or an archive at its size limit) stops the crawl cleanly: one clear line, nothing half-written."""

from __future__ import annotations

import logging
import sqlite3
from typing import TYPE_CHECKING, Any

from scrapy.utils.defer import deferred_from_coro

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

CLOSE_REASON = "disk_full"


def is_disk_full(exc: BaseException) -> bool:
    """SQLITE_FULL: the disk is full, or the database reached `PRAGMA max_page_count`."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "database or disk is full" in str(exc)


def limit_pages(db: Any, pages: int) -> None:
    """Cap the archive's size in pages (setting NEWSARCHIVE_MAX_PAGE_COUNT; 0 = no cap).

    An operations and testing knob: it makes SQLite answer SQLITE_FULL exactly as a full disk does.
    """
    if pages > 0:
        db.execute(f"PRAGMA max_page_count = {int(pages)}")


def stop_for_full_disk(crawler: Crawler, path: str, exc: BaseException) -> None:
    """Log one clear line and close the spider with reason `disk_full` (its crawl outcome `failed: disk_full`).

    The transaction that hit the limit was rolled back whole, so the archive holds every article
    stored before it, each complete; the crawl stops rather than dropping page after page.
    """
    logger.error("archive %s is full (%s): crawl stopped; everything stored before is intact. "
                 "Free disk space, then run the crawl again to continue.", path, exc)
    if crawler.stats is not None:
        crawler.stats.set_value("store/disk_full", 1)
    if crawler.engine is not None:
        deferred_from_coro(crawler.engine.close_spider_async(reason=CLOSE_REASON))
