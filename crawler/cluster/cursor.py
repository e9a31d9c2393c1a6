"""What an ingest batch writes besides its items, in the batch's own transaction: stream ids, field counts, refusals."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from archive.batch import ITEM_ERRORS
from archive.health import FIELDS
from archive.store import Archive

# The batch's first item: its stream ids (a redelivered id is then skipped) and the field counts of its
# articles, added to the crawl's `field_counts`. Its last item: how many of its items the archive refused,
# added to `cluster_runs.errors`. Both commit or roll back with the items, so an ingest killed at any
# moment and restarted counts every item exactly once: the run's health and outcome survive the restart.
MARKER = "cluster_cursor"
TALLY = "cluster_tally"
TABLES = """
CREATE TABLE IF NOT EXISTS cluster_runs (run TEXT PRIMARY KEY, crawl_id INTEGER NOT NULL,
                                         finished INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS cluster_stream (stream_id TEXT PRIMARY KEY, run TEXT NOT NULL);
"""


class CursorError(RuntimeError):
    """The batch's own records could not be written: not an item's error (archive.batch.ITEM_ERRORS), so
    write_batch rolls the whole batch back; nothing of it is acknowledged."""


def create_tables(conn: sqlite3.Connection) -> None:
    conn.executescript(TABLES)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(cluster_runs)").fetchall()}
    if "errors" not in columns:  # an archive an earlier ingest wrote
        conn.execute("ALTER TABLE cluster_runs ADD COLUMN errors INTEGER NOT NULL DEFAULT 0")


def run_errors(conn: sqlite3.Connection, run: str) -> int:
    row = conn.execute("SELECT errors FROM cluster_runs WHERE run = ?", [run]).fetchone()
    return int(row[0]) if row else 0


class CursorArchive:
    """What write_batch sees as the archive: the Archive's writes, counting those refused with an item's own
    error, plus the MARKER and TALLY items."""

    def __init__(self, archive: Archive) -> None:
        self.archive, self.db = archive, archive.db
        self.refused = 0  # items of the batch being written whose write raised their own error

    def batch_scope(self) -> Any:
        return self.archive.batch_scope()

    def record_article(self, crawl_id: int, item: Mapping[str, Any]) -> str:
        try:
            return self.archive.record_article(crawl_id, item)
        except ITEM_ERRORS:
            self.refused += 1
            raise

    def record_observation(self, crawl_id: int, item: Mapping[str, Any]) -> str:
        kind = item.get("kind")
        if kind == MARKER:
            self.refused = 0  # a batch (or its retry after a busy lock) starts here
            self._write(self._cursor, crawl_id, item)
            return "cursor"
        if kind == TALLY:
            if self.refused:
                self._write(self._tally, crawl_id, item)
            return "tally"
        try:
            return self.archive.record_observation(crawl_id, item)
        except ITEM_ERRORS:
            self.refused += 1
            raise

    def _write(self, what: Any, crawl_id: int, item: Mapping[str, Any]) -> None:
        try:
            what(crawl_id, item)
        except (sqlite3.Error, ValueError, TypeError, KeyError) as exc:
            raise CursorError(f"{item.get('kind')} not recorded: {exc}") from exc

    def _cursor(self, crawl_id: int, item: Mapping[str, Any]) -> None:
        conn = self.db.conn
        conn.executemany("INSERT INTO cluster_stream (stream_id, run) VALUES (?, ?)",
                         [(sid, item["run"]) for sid in item["ids"]])
        added: Mapping[str, int] = item.get("health") or {}
        if added.get("articles"):
            row = conn.execute("SELECT field_counts FROM crawls WHERE id = ?", [crawl_id]).fetchone()
            counts = json.loads(row[0]) if row and row[0] else {}
            # In FieldCounts.as_dict()'s order: the same JSON as a plain crawl's for the same counts.
            order = ["articles", *FIELDS, *sorted({*counts, *added} - {"articles", *FIELDS})]
            merged = {k: int(counts.get(k, 0)) + int(added.get(k, 0)) for k in order}
            conn.execute("UPDATE crawls SET field_counts = ? WHERE id = ?", [json.dumps(merged), crawl_id])

    def _tally(self, crawl_id: int, item: Mapping[str, Any]) -> None:
        self.db.conn.execute("UPDATE cluster_runs SET errors = errors + ? WHERE run = ?", [self.refused, item["run"]])
