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


def _prepared(item: Mapping[str, Any]) -> dict[str, Any] | None:
    """An article's prepared fields (archive/prepare.py) when the producer made them and they still hold."""
    if item.get("kind") != "article":
        return None
    try:
        return prepare.prepared(item)
    except Exception:  # noqa: BLE001 - not a usable prepared item: its write computes everything, as before
        return None


def write_batch(archive: Archive, crawl_id: int, items: Sequence[Mapping[str, Any]],
                stats: Any = None) -> list[str | BaseException]:
    """Record `items` in one IMMEDIATE transaction, each inside its own SAVEPOINT; per item its outcome, or
    the item's own error (that item's rows rolled back, the others kept). Nothing is acknowledged before
    the COMMIT returns. Any error that is not an item's (see ITEM_ERRORS) rolls the whole batch back and
    is raised: none of its items is stored, and the caller may retry the batch (a busy lock) or stop.

    Items the producer prepared (archive/prepare.py) are checked and their work is not done again; the others
    are computed as they are written, only what each decision needs (an unchanged article needs no compressed
    page, MinHash or search terms). The writes run in Archive.batch_scope (archive/scope.py). `stats`
    (anything with inc_value) counts the articles that came prepared and those computed here."""
    ready = [(item, _prepared(item)) for item in items]
    if stats is not None:
        articles = sum(1 for item in items if item.get("kind") == "article")
        ahead = sum(1 for _, fields in ready if fields is not None)
        if ahead:
            stats.inc_value("store/prepared_ahead", ahead)
        if articles - ahead:
            stats.inc_value("store/prepared_here", articles - ahead)
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
