"""A full disk (or an archive at its size limit) stops the crawl cleanly: one clear line, nothing half-written."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.utils.defer import deferred_from_coro

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

CLOSE_REASON = "disk_full"
# Disk kept aside during a crawl and given back when the disk fills, so the crawl's own record
# ("failed: disk_full") can still be written: a few WAL frames need a few pages of 4 KiB.
RESERVE_BYTES = 256 * 1024
NEARLY_FULL = 1024 * 1024  # free bytes under which an I/O error is taken for a full disk


def is_disk_full(exc: BaseException, path: str | os.PathLike[str] | None = None) -> bool:
    """SQLITE_FULL: the disk is full, or the database reached `PRAGMA max_page_count`. With `path`, also an
    I/O error while the archive's filesystem has (almost) no space left: SQLite reports some ENOSPC
    (writing the -shm or the WAL header) as SQLITE_IOERR."""
    if isinstance(exc, sqlite3.OperationalError) and (
            getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "database or disk is full" in str(exc)):
        return True
    if path is None or "disk I/O error" not in str(exc) and getattr(exc, "sqlite_errorcode", 0) & 0xFF != 10:
        return False
    try:
        fs = os.statvfs(Path(os.path.realpath(path)).parent)
    except OSError:
        return False
    return fs.f_bavail * fs.f_frsize < NEARLY_FULL


def limit_pages(db: Any, pages: int) -> None:
    """Cap the archive's size in pages (setting NEWSARCHIVE_MAX_PAGE_COUNT; 0 = no cap).

    An operations and testing knob: it makes SQLite answer SQLITE_FULL exactly as a full disk does.
    """
    if pages > 0:
        db.execute(f"PRAGMA max_page_count = {int(pages)}")


def stop_for_full_disk(crawler: Crawler, path: str, exc: BaseException, close: bool = True) -> None:
    """Log one clear line and close the spider with reason `disk_full` (its crawl outcome `failed: disk_full`).

    The transaction that hit the limit was rolled back whole, so the archive holds every article
    stored before it, each complete; the crawl stops rather than dropping page after page.
    """
    logger.error("archive %s is full (%s): crawl stopped; everything stored before is intact. "
                 "Free disk space, then run the crawl again to continue.", path, exc)
    if crawler.stats is not None:
        crawler.stats.set_value("store/disk_full", 1)
    if close and crawler.engine is not None:
        deferred_from_coro(crawler.engine.close_spider_async(reason=CLOSE_REASON))


class Reserve:
    """`DB-reserve`, RESERVE_BYTES of real (not sparse) blocks beside the archive while a crawl runs.

    Without it, a disk that fills up mid-crawl has no room left for the crawl's last write, its
    outcome: the crawl stayed `running` and the command exited 0 (1 of 9 fill sizes on a tmpfs).
    Freed first when the disk is full, and removed when the crawl ends; a killed crawl's is reused."""

    def __init__(self, db_path: str | os.PathLike[str]) -> None:
        self.path = Path(f"{os.path.realpath(db_path)}-reserve")

    def create(self) -> bool:
        try:
            with open(self.path, "wb") as fp:
                fp.write(b"\0" * RESERVE_BYTES)
                fp.flush()
                os.fsync(fp.fileno())
        except OSError:
            self.path.unlink(missing_ok=True)  # the disk is full already: the crawl will say so
            return False
        return True

    def release(self) -> bool:
        """Give the space back; True when there was some to give."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


def make_room(db: Any) -> None:
    """After SQLITE_FULL: let a capped archive (max_page_count) grow by a few pages for the crawl's record."""
    limit = db.execute("PRAGMA max_page_count").fetchone()[0]
    count = db.execute("PRAGMA page_count").fetchone()[0]
    if limit - count < 16:
        db.execute(f"PRAGMA max_page_count = {int(count) + 16}")
