"""One writer per archive: an exclusive lock file beside the database that a crashed run cannot leave stuck."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from archive.errors import ArchiveError


class ArchiveLocked(ArchiveError):
    """Another crawl is writing to this archive."""


class CrawlLock:
    """`flock` on `DB.lock`: the kernel drops it when the holder dies, so a killed crawl never blocks the next.

    Readers (search, export, Datasette) do not take it: SQLite's WAL lets them read during a crawl.
    """

    def __init__(self, db_path: str | os.PathLike[str]) -> None:
        self.path = Path(f"{db_path}.lock")
        self._fd: int | None = None

    def acquire(self) -> CrawlLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown process"
            os.close(fd)
            raise ArchiveLocked(f"another crawl is writing to {str(self.path)[:-5]} ({holder}); "
                                "try again when it has finished") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> CrawlLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
