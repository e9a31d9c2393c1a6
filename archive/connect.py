"""Read-only opens of an archive: what every reading command (search, stats, export, serve...) uses, never a write."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from archive.errors import ArchiveError
from archive.lock import real_path

UPGRADE_HINT = "run a crawl (or `newsarchive migrate`) to upgrade it"


def readonly_uri(path: str | os.PathLike[str], immutable: bool = False) -> str:
    """An SQLite URI opening `path` read-only (`immutable=1` also skips locking and the WAL)."""
    return f"file:{quote(os.fspath(path))}?mode=ro" + ("&immutable=1" if immutable else "")


def writable(path: Path) -> bool:
    """Can this process write the file and create files beside it (SQLite's -wal and -shm)?"""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def open_readonly(path: str | os.PathLike[str], check_schema: bool = True) -> Database:
    """The archive at `path` opened with `mode=ro`: no migration, no WAL switch, no file created or changed.

    When the file or its folder is not writable by this process and SQLite cannot read the WAL that
    way (no -shm to share), the file is opened `immutable=1`: nobody can be writing a WAL beside it
    that we could not see. ArchiveError names the problem (no file, not an archive, schema too old or
    too new) in one line."""
    shown = Path(path)
    target = real_path(path)
    if not target.is_file():
        raise ArchiveError(f"no archive at {shown} (crawl first, or pass --db PATH)")
    try:
        conn = _connect(target, immutable=False)
    except sqlite3.Error as exc:
        if writable(target):
            raise ArchiveError(f"cannot read archive {shown}: {_reason(exc)}") from None
        try:
            conn = _connect(target, immutable=True)
        except sqlite3.Error as exc2:
            raise ArchiveError(f"cannot read archive {shown}: {_reason(exc2)}") from None
    db = Database(conn)
    if check_schema:
        try:
            check_version(db, shown)
        except BaseException:
            conn.close()
            raise
    return db


def _connect(target: Path, immutable: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(readonly_uri(target, immutable), uri=True, timeout=5.0)
    try:
        conn.execute("PRAGMA query_only = 1")  # a second guard: even a bug cannot write through it
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # not a database: fails here
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def check_version(db: Database, shown: Path) -> int:
    """The archive's schema version; ArchiveError when this newsarchive cannot read it as it is."""
    from archive.schema import SCHEMA_VERSION  # here: archive.schema imports this module's neighbours

    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as exc:
        raise ArchiveError(f"cannot read archive {shown}: {_reason(exc)}") from None
    if version > SCHEMA_VERSION:
        raise ArchiveError(f"archive {shown} has schema {version}, newer than this newsarchive (knows "
                           f"{SCHEMA_VERSION}): upgrade newsarchive")
    if version == 0 and "articles" not in tables:
        raise ArchiveError(f"{shown} is not a newsarchive archive (no articles table)" if tables
                           else f"{shown} is an empty archive: {UPGRADE_HINT}")
    if version < SCHEMA_VERSION:
        raise ArchiveError(f"archive {shown} has schema {version}, this newsarchive reads {SCHEMA_VERSION}: "
                           f"{UPGRADE_HINT} (reading commands never write)")
    return version


def _reason(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def stale_views(db: Database) -> list[str]:
    """The archive views missing or defined otherwise than this newsarchive's (a crawl recreates them)."""
    from archive.views import VIEWS

    present = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'").fetchall())
    return [name for name, sql in VIEWS.items() if present.get(name) != f"CREATE VIEW {name} AS {sql.strip()}"]
