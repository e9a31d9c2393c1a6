"""Keeps the archive's write-ahead log bounded while readers (search, Datasette) query it during a crawl."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# How long one forced checkpoint may wait for readers to finish (it runs between two item writes).
CHECKPOINT_WAIT_MS = 1000
# Pause between two checkpoint attempts. SQLite's own busy handler sleeps up to 100 ms between tries,
# which a reader that starts a new transaction every few milliseconds (a dashboard polling) never lets
# through: its gaps between transactions are that short.
RETRY_PAUSE_S = 0.001


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
    The next attempt is skipped without waiting only while that same snapshot still pins the WAL (a
    PASSIVE checkpoint copies no further than it did when the attempt failed); readers that come and
    go do not count as one that stays.
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
        self.pinned: tuple[int, int] = (0, 0)  # (frames in the WAL, frames copied) when the last attempt failed

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
        if self.skip_pinned and self.failures and self._still_pinned():
            # The reader that kept the WAL last time still pins frames: waiting for it would cost 1 s for nothing.
            self._postpone(size)
            return
        busy, log, copied = self._truncate()
        if busy:
            self.pinned = (log, copied)
            self._postpone(size)
        else:
            self.next_at = self.limit
            self.failures = 0
            self._count("walguard/truncated")

    def _truncate(self) -> tuple[int, int, int]:
        """wal_checkpoint(TRUNCATE) tried every millisecond for up to CHECKPOINT_WAIT_MS: (busy, log, copied)."""
        busy_timeout = self.db.execute("PRAGMA busy_timeout").fetchone()[0]
        self.db.execute("PRAGMA busy_timeout = 0")
        try:
            deadline = time.monotonic() + CHECKPOINT_WAIT_MS / 1000
            while True:
                busy, log, copied = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if not busy or time.monotonic() >= deadline:
                    return int(busy), int(log), int(copied)
                time.sleep(RETRY_PAUSE_S)
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")

    def _still_pinned(self) -> bool:
        """A PASSIVE checkpoint (never waits): True when a snapshot pins frames and copying got no further
        than when the last attempt failed, i.e. the reader that held the WAL then most likely holds it still."""
        _busy, log, copied = self.db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if log == copied:
            return False
        pinned_log, pinned_copied = self.pinned
        # A smaller log means the WAL started over in between (its frames are numbered afresh).
        return bool(log >= pinned_log and copied <= pinned_copied)

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
