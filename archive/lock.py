"""One writer per archive: an exclusive `flock` on the database file itself, so every name of it (a symlink,
a hard link, a relative path) is the same lock, and a crashed run cannot leave it stuck."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from archive.errors import ArchiveError


class ArchiveLocked(ArchiveError):
    """Another crawl is writing to this archive."""


def real_path(db_path: str | os.PathLike[str]) -> Path:
    """The archive's path with symlinks resolved: SQLite names its -wal and -shm files after the path it is
    given, so every opener must give the same one (a hard link has no such name: see CrawlLock)."""
    return Path(os.path.realpath(os.fspath(db_path)))


class CrawlLock:
    """`flock(LOCK_EX)` on the database file's inode, held for the whole crawl.

    The lock lives on the file's identity (device + inode), not on a name: a second crawl through a
    symlink, a hard link or another relative path is refused exactly as one through the same path.
    The kernel drops it when the holder dies. `flock` locks and SQLite's own `fcntl` locks are
    independent on Linux and macOS; the descriptor is closed only after the archive's connections
    (closing any descriptor of a file drops that process's `fcntl` locks on it).

    Readers (search, export, Datasette) do not take it: SQLite's WAL lets them read during a crawl.
    """

    def __init__(self, db_path: str | os.PathLike[str]) -> None:
        self.db_path = Path(db_path)
        self._fd: int | None = None

    @property
    def identity(self) -> tuple[int, int] | None:
        """(st_dev, st_ino) of the locked file while held."""
        if self._fd is None:
            return None
        st = os.fstat(self._fd)
        return st.st_dev, st.st_ino

    def acquire(self) -> CrawlLock:
        path = real_path(self.db_path)
        try:
            # O_CREAT: an empty file is an empty SQLite database, so the first crawl is locked too.
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as exc:
            raise ArchiveError(f"cannot open archive {self.db_path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            st = os.fstat(fd)
            os.close(fd)
            holder = lock_holder(st.st_dev, st.st_ino)
            links = f"; the file has {st.st_nlink} names (hard links)" if st.st_nlink > 1 else ""
            raise ArchiveLocked(f"another crawl is writing to {self.db_path} ({holder}{links}); "
                                "try again when it has finished") from None
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


def lock_holder(dev: int, ino: int) -> str:
    """"pid N" of the process holding a flock on (dev, ino), read from /proc/locks (Linux); else a phrase."""
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return "unknown process"
    wanted = f"{os.major(dev):02x}:{os.minor(dev):02x}:{ino}"
    by_inode = []
    for line in lines:
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 1234 00:2f:5678 0 EOF" (a blocked waiter's line has "->" first)
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[3] == "WRITE":
            if fields[5] == wanted:
                return f"pid {fields[4]}"
            if fields[5].rsplit(":", 1)[-1] == str(ino):
                by_inode.append(fields[4])  # some filesystems (overlayfs) show another device number
    return f"pid {by_inode[0]}" if len(by_inode) == 1 else "unknown process"
