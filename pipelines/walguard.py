"""Keeps the archive's write-ahead log bounded while readers (search, Datasette) query it during a crawl."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# How long one forced checkpoint may wait for readers to finish (it runs between two item writes).
CHECKPOINT_WAIT_MS = 1000


class WalGuard:
    """SQLite's automatic checkpoint copies the WAL back into the database, but the WAL only starts
    over when no reader is using it. A reader that polls all the time (a dashboard, a long export)
    therefore lets the WAL grow with every article written. Once the WAL file passes `limit` bytes,
    the crawl's writer runs `wal_checkpoint(TRUNCATE)`: it waits briefly for the current read
    transactions to end (new ones read the database file), then empties the file.

    A reader holding one transaction open for longer than the wait keeps the WAL: the next attempt
    comes after another `limit` bytes, so a stubborn reader costs one short wait per `limit`, not one
    per article.
    """

    def __init__(self, db: Any, path: str, limit: int, stats: Any = None) -> None:
        self.db = db
        self.wal = Path(f"{path}-wal")
        self.limit = limit
        self.stats = stats
        self.next_at = limit

    def after_write(self) -> None:
        """Call outside any transaction, after an item is committed."""
        if self.limit <= 0:
            return
        try:
            size = self.wal.stat().st_size
        except FileNotFoundError:
            return
        if size < self.next_at:
            return
        busy_timeout = self.db.execute("PRAGMA busy_timeout").fetchone()[0]
        self.db.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
        try:
            busy = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")
        if busy:
            self.next_at = size + self.limit
            self._count("walguard/busy")
            logger.warning("archive WAL is %d bytes and a reader holds it: checkpoint postponed", size)
        else:
            self.next_at = self.limit
            self._count("walguard/truncated")

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)
