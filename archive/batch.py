"""Many items in one transaction: each article's decisions as record_article/record_observation, a savepoint each."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

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


def write_batch(archive: Archive, crawl_id: int, items: Sequence[Mapping[str, Any]]) -> list[str | BaseException]:
    """Record `items` in one IMMEDIATE transaction, each inside its own SAVEPOINT; per item its outcome, or
    the item's own error (that item's rows rolled back, the others kept). Nothing is acknowledged before
    the COMMIT returns. Any error that is not an item's (see ITEM_ERRORS) rolls the whole batch back and
    is raised: none of its items is stored, and the caller may retry the batch (a busy lock) or stop."""
    db = archive.db
    results: list[str | BaseException] = []
    db.execute("BEGIN IMMEDIATE")
    try:
        for item in items:
            try:
                with db.atomic():  # a SAVEPOINT: the transaction is open
                    results.append(record(archive, crawl_id, item))
            except ITEM_ERRORS as exc:
                if not db.conn.in_transaction:
                    raise  # the error ended the transaction itself: nothing of the batch is left to commit
                results.append(exc)
        db.commit()
    except BaseException:
        if db.conn.in_transaction:
            db.rollback()
        raise
    return results
