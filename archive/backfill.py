"""Backfill progress kept in the archive itself, so a killed or interrupted backfill continues where it stopped.

One row per crawl target: a listing (last page walked), a sitemap (done, with the lastmod it had), an id
range (the id cursor). A row is only moved forward once everything before it is in the archive, so the
rows and the articles they cover are never out of step, whatever moment the process dies at.
"""

from __future__ import annotations

import json
import os
from typing import Any

from archive.rows import now
from archive.schema import as_database, connect, rows

KINDS = ("listing", "sitemap", "ids")

# Additive and idempotent (no schema version bump): created in place the first time a backfill runs, so an
# archive written by an older newsarchive, or never backfilled, reads the same as before.
_DDL = (
    """CREATE TABLE IF NOT EXISTS backfill_progress (
        site TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL,
        position INTEGER, done INTEGER NOT NULL DEFAULT 0, lastmod TEXT,
        updated_at TEXT NOT NULL, crawl_id INTEGER,
        PRIMARY KEY (site, kind, target))""",
    """CREATE TABLE IF NOT EXISTS backfill_runs (
        crawl_id INTEGER PRIMARY KEY REFERENCES crawls(id), site TEXT NOT NULL, options TEXT)""",
)


def ensure_tables(db: Any) -> None:
    db = as_database(db)
    with db.conn:
        for sql in _DDL:
            db.execute(sql)


def has_tables(db: Any) -> bool:
    found = as_database(db).execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'backfill_progress'").fetchone()[0]
    return bool(found)


class BackfillProgress:
    """The backfill's own connection to the archive: reads and moves the per-target progress rows."""

    def __init__(self, path: str | os.PathLike[str], site: str) -> None:
        self.db = connect(path)
        self.site = site
        ensure_tables(self.db)

    def close(self) -> None:
        self.db.close()

    def get(self, kind: str, target: str) -> dict[str, Any] | None:
        found = rows(self.db, "SELECT * FROM backfill_progress WHERE site = ? AND kind = ? AND target = ?",
                     [self.site, kind, target])
        return found[0] if found else None

    def save(self, kind: str, target: str, position: int | None, done: bool = False,
             lastmod: str | None = None, crawl_id: int | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown backfill target kind {kind!r}")
        # One autocommit statement: either the old row or the new one survives a crash, never half.
        with self.db.conn:
            self.db.execute(
                "INSERT INTO backfill_progress (site, kind, target, position, done, lastmod, updated_at, crawl_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site, kind, target) DO UPDATE SET "
                "position = excluded.position, done = excluded.done, lastmod = excluded.lastmod, "
                "updated_at = excluded.updated_at, crawl_id = excluded.crawl_id",
                [self.site, kind, target, position, int(done), lastmod, now(), crawl_id])

    def forget(self, kinds: tuple[str, ...] = KINDS) -> int:
        """Drop the saved progress of these kinds (`--restart`): the next backfill walks them from the start."""
        with self.db.conn:
            cursor = self.db.execute(
                f"DELETE FROM backfill_progress WHERE site = ? AND kind IN ({', '.join('?' for _ in kinds)})",
                [self.site, *kinds])
        return int(cursor.rowcount)

    def register_run(self, crawl_id: int, options: dict[str, Any]) -> None:
        with self.db.conn:
            self.db.execute("INSERT OR REPLACE INTO backfill_runs (crawl_id, site, options) VALUES (?, ?, ?)",
                            [crawl_id, self.site, json.dumps(options, ensure_ascii=False, sort_keys=True)])

    def published_at(self, key: str) -> str | None:
        """An archived article's declared publication date (for `--since`), None when unknown."""
        found = self.db.execute("SELECT published_at FROM articles WHERE key = ?", [key]).fetchone()
        return found[0] if found else None


def progress_rows(db: Any, site: str | None = None) -> list[dict[str, Any]]:
    """Every saved target's progress (empty when no backfill ever ran)."""
    db = as_database(db)
    if not has_tables(db):
        return []
    sql, params = "SELECT * FROM backfill_progress", []
    if site:
        sql, params = sql + " WHERE site = ?", [site]
    return rows(db, sql + " ORDER BY site, kind, target", params)


def is_backfill(db: Any, crawl_id: int) -> bool:
    db = as_database(db)
    return has_tables(db) and bool(db.execute("SELECT 1 FROM backfill_runs WHERE crawl_id = ?", [crawl_id]).fetchone())


def first_crawl(db: Any, crawl_id: int, site: str) -> bool:
    """True for the first crawl of a site into an archive that was never backfilled: the one run that
    should say older articles were not fetched."""
    db = as_database(db)
    earlier = db.execute("SELECT count(*) FROM crawls WHERE site = ? AND id < ?", [site, crawl_id]).fetchone()[0]
    return not earlier and not progress_rows(db, site)
