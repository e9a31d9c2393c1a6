"""Many items in one transaction: each article's decisions as record_article/record_observation, a savepoint each."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from archive import prepare
from archive.errors import ArchiveError
from archive.store import Archive

# An error raised by one item's write belongs to that item (a bug or a contract break): its savepoint is
# rolled back and the batch goes on. Any other error (I/O, a full disk, a lock) rolls back the whole batch.
ITEM_ERRORS: tuple[type[BaseException], ...] = (ArchiveError, sqlite3.IntegrityError, ValueError, TypeError,
                                                KeyError)


def record(archive: Archive, crawl_id: int, item: Mapping[str, Any]) -> str:
    """One item, by its kind: the outcome string of Archive.record_article or record_observation."""
    if item.get("kind") == "article":
        return archive.record_article(crawl_id, item)
    return archive.record_observation(crawl_id, item)


def _prepared(item: Mapping[str, Any]) -> tuple[Mapping[str, Any], dict[str, Any] | None]:
    """(item, its checked prepared fields) for an article (archive/prepare.py); an item prepare() cannot take
    is left without, so that its write raises its own error at the same point an unbatched write would."""
    if item.get("kind") != "article":
        return item, None
    fields = prepare.prepared(item)
    if fields is not None:
        return item, fields
    try:
        item = prepare.prepare(item)
    except Exception:  # noqa: BLE001 - record_article raises it again, as that item's error
        return item, None
    return item, item[prepare.KEY]["fields"]


def write_batch(archive: Archive, crawl_id: int, items: Sequence[Mapping[str, Any]]) -> list[str | BaseException]:
    """Record `items` in one IMMEDIATE transaction, each inside its own SAVEPOINT; per item its outcome, or
    the item's own error (that item's rows rolled back, the others kept). Nothing is acknowledged before
    the COMMIT returns. Any error that is not an item's (see ITEM_ERRORS) rolls the whole batch back and
    is raised: none of its items is stored, and the caller may retry the batch (a busy lock) or stop.

    Articles are prepared first (archive/prepare.py), before the write lock is taken; items prepared by the
    producer are checked and used as they are. The writes run in Archive.batch_scope (archive/scope.py)."""
    ready = [_prepared(item) for item in items]
    conn = archive.db.conn
    results: list[str | BaseException] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        with archive.batch_scope() as scope:
            for item, fields in ready:
                conn.execute("SAVEPOINT batch_item")
                scope.begin_item(item, fields)
                try:
                    outcome = record(archive, crawl_id, item)
                except ITEM_ERRORS as exc:
                    # An error such as a RAISE(ROLLBACK) trigger can end the whole transaction, savepoints
                    # included: then nothing of the batch is left to commit.
                    if not conn.in_transaction:
                        raise
                    conn.execute("ROLLBACK TO SAVEPOINT batch_item")
                    conn.execute("RELEASE SAVEPOINT batch_item")
                    scope.end_item(kept=False)
                    results.append(exc)
                else:
                    conn.execute("RELEASE SAVEPOINT batch_item")
                    scope.end_item(kept=True)
                    results.append(outcome)
            scope.flush()
        conn.commit()
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
    return results
