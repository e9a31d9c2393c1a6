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

    A reader holding one transaction open for longer than the wait keeps the WAL. Each failed attempt
    doubles the distance to the next one (limit, 2 x limit, 4 x limit... past the size that failed),
    so a reader that holds its snapshot through a whole crawl costs about log2(WAL / limit) waits of
    1 s instead of one per `limit` bytes (450 waits for a 450 MB WAL at a 1 MiB limit before).
    """

    # Distance growth per consecutive failed attempt (1 gives the old fixed step of `limit`).
    growth = 2
    # After a failed attempt, look first (PASSIVE, no wait) whether a snapshot still pins the WAL.
    skip_pinned = True
    max_doublings = 20

    def __init__(self, db: Any, path: str, limit: int, stats: Any = None) -> None:
        self.db = db
        self.wal = Path(f"{path}-wal")
        self.limit = limit
        self.stats = stats
        self.next_at = limit
        self.failures = 0  # consecutive checkpoints a reader kept from truncating the WAL

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
        if self.skip_pinned and self.failures and not self._copied_all():
            # The reader that kept the WAL last time still pins frames: waiting for it would cost 1 s for nothing.
            self._postpone(size)
            return
        busy_timeout = self.db.execute("PRAGMA busy_timeout").fetchone()[0]
        self.db.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
        try:
            busy = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")
        if busy:
            self._postpone(size)
        else:
            self.next_at = self.limit
            self.failures = 0
            self._count("walguard/truncated")

    def _copied_all(self) -> bool:
        """A PASSIVE checkpoint (never waits): True when it copied every frame, i.e. no reader's snapshot pins any."""
        _busy, log, copied = self.db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return bool(log == copied)

    def _postpone(self, size: int) -> None:
        step = self.limit * self.growth ** min(self.failures, self.max_doublings)
        self.failures += 1
        self.next_at = size + step
        self._count("walguard/busy")
        logger.warning("archive WAL is %d bytes and a reader holds it: checkpoint postponed until %d bytes",
                       size, self.next_at)

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)
