"""The archive writer as a process of its own: batches in over a pipe, outcomes back, no GIL shared with the crawl."""

from __future__ import annotations

import builtins
import multiprocessing
import os
import signal
import sqlite3
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

from archive import errors as archive_errors

# Seconds the parent waits for the writer process to open the archive.
START_TIMEOUT = 60.0


class WriterGone(RuntimeError):
    """The writer process died: nothing more can be stored (never an item's own error)."""


def encode(exc: BaseException) -> tuple[str, str, int | None, str | None]:
    """An exception as plain values (sqlite3's error code does not survive pickling)."""
    message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    return (type(exc).__name__, str(message), getattr(exc, "sqlite_errorcode", None),
            getattr(exc, "sqlite_errorname", None))


def decode(values: Sequence[Any]) -> BaseException:
    """The exception again, of the same class when it is sqlite3's, the archive's or a builtin one."""
    name, message, code, code_name = values
    cls = getattr(sqlite3, name, None) or getattr(archive_errors, name, None) or getattr(builtins, name, None)
    if not (isinstance(cls, type) and issubclass(cls, BaseException)):
        cls = RuntimeError
        message = f"{name}: {message}"
    exc = cls(message)
    if code is not None:
        exc.sqlite_errorcode = code  # type: ignore[attr-defined]
        exc.sqlite_errorname = code_name  # type: ignore[attr-defined]
    return exc


class _Counts:
    """WalGuard's stats in the writer process: sent back to the crawl with each answer."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + count

    def take(self) -> dict[str, int]:
        counts, self.counts = self.counts, {}
        return counts


def _die_with_parent(parent: int) -> None:
    """SIGKILL this process when the crawl dies (Linux): an uncommitted batch is then rolled back by SQLite,
    never committed behind a crawl that is gone (and whose lock on the archive is released)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere: the pipe's end-of-file ends the loop below
    if os.getppid() != parent:
        os._exit(1)


def _serve(conn: Connection, parent: int, path: str, tiers: Any, max_pages: int, wal_limit: int) -> None:
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl's to handle: it stops us by the pipe
    from archive.batch import write_batch
    from archive.store import Archive
    from pipelines.walguard import WalGuard

    try:
        archive = Archive(path, tiers=tiers)
        if max_pages > 0:
            archive.db.execute(f"PRAGMA max_page_count = {int(max_pages)}")
    except Exception as exc:
        conn.send(("raise", encode(exc), {}))
        return
    counts = _Counts()
    guard = WalGuard(archive.db, path, wal_limit, counts)
    conn.send(("ok", None, {}))
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:
                return
            if message[0] == "close":
                conn.send(("ok", None, {}))
                return
            try:
                if message[0] == "batch":
                    results = write_batch(archive, message[1], message[2], counts)
                    answer: Any = [r if isinstance(r, str) else ("error", encode(r)) for r in results]
                else:  # "walguard"
                    guard.after_write()
                    answer = None
                conn.send(("ok", answer, counts.take()))
            except Exception as exc:
                conn.send(("raise", encode(exc), counts.take()))
    finally:
        archive.close()


class WriterProcess:
    """The parent's side: `write_batch` and `walguard` run in the child, one request at a time."""

    def __init__(self, path: str, tiers: Any, max_pages: int = 0, wal_limit: int = 0) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a process that runs threads and a reactor
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, name="archive-writer",
                                       args=(child, os.getpid(), path, tiers, max_pages, wal_limit), daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(START_TIMEOUT):
            self.close()
            raise archive_errors.ArchiveError(f"the archive writer process did not start within {START_TIMEOUT:.0f} s")
        self._answer()

    def _answer(self) -> tuple[Any, dict[str, int]]:
        try:
            status, value, counts = self.conn.recv()
        except (EOFError, OSError):
            raise WriterGone("the archive writer process ended unexpectedly") from None
        if status == "raise":
            exc = decode(value)
            exc.counts = counts  # type: ignore[attr-defined]
            raise exc
        return value, counts

    def write_batch(self, crawl_id: int, items: Sequence[Any], stats: Any = None) -> list[Any]:
        """archive.batch.write_batch in the child: outcomes, or an item's exception; raises a batch's error.
        `stats` (anything with inc_value) gets the counts the child made."""
        try:
            self.conn.send(("batch", crawl_id, list(items)))
        except OSError:
            raise WriterGone("the archive writer process ended unexpectedly") from None
        value, counts = self._answer()
        for key, count in counts.items() if stats is not None else ():
            stats.inc_value(key, count)
        return [decode(r[1]) if isinstance(r, tuple) else r for r in value]

    def walguard(self) -> dict[str, int]:
        """WalGuard.after_write in the child; the stats it counted."""
        try:
            self.conn.send(("walguard",))
        except OSError:
            raise WriterGone("the archive writer process ended unexpectedly") from None
        return self._answer()[1]

    def close(self) -> None:
        if self.process.is_alive():
            try:
                self.conn.send(("close",))
                self.conn.poll(30) and self.conn.recv()
            except (OSError, EOFError):
                pass
        self.process.join(30)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()
