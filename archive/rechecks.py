"""What a crawl should recheck: archived articles by recheck mode, read in short batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from archive.schema import as_database, batches, rows

RECHECK_MODES = ("all", "due", "none")
BATCH = 500
_COLUMNS = "rowid, key, url, status, etag, last_modified, next_check_at, last_checked_at"


def _where(site: str, editions: Sequence[str] | None) -> tuple[str, list[Any]]:
    sql, params = "site = ?", [site]
    if editions:
        sql += f" AND edition IN ({', '.join('?' for _ in editions)})"
        params += list(editions)
    return sql, params


def candidates(db: Any, site: str, editions: Sequence[str] | None, mode: str, now: str,
               statuses: Sequence[str] = ("live", "gone", "redirected")) -> Iterator[dict[str, Any]]:
    """Articles to recheck: every one (`all`), those whose next_check_at has come (`due`), or none.

    Read in batches by rowid (archive.schema.batches): a crawl holds this iterator for hours.
    """
    if mode not in RECHECK_MODES:
        raise ValueError(f"unknown recheck mode {mode!r} (expected one of {', '.join(RECHECK_MODES)})")
    if mode == "none":
        return
    db = as_database(db)
    where, params = _where(site, editions)
    where += f" AND status IN ({', '.join('?' for _ in statuses)})"
    params += list(statuses)
    if mode == "due":
        where += " AND coalesce(next_check_at, '') <= ?"
        params.append(now)
    yield from batches(db, f"SELECT {_COLUMNS} FROM articles WHERE {where} AND rowid > ?", params, "rowid", BATCH)


def article_state(db: Any, key: str) -> dict[str, Any] | None:
    """An archived article's recheck state, or None when it was never archived."""
    found = rows(db, f"SELECT {_COLUMNS} FROM articles WHERE key = ?", [key])
    return found[0] if found else None
