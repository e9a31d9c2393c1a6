"""SQL functions for any SQLite connection: ar_query() (the search's MATCH expression) and ar_key().

One line makes `... WHERE articles_fts MATCH ar_query('أربيل')` work in Python's sqlite3:

    import archive.sqlfunc; archive.sqlfunc.register(conn)

Datasette gets the same functions from archive.datasette_plugins (see docs/analysts.md).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from archive.errors import QueryError
from archive.query import build_match
from archive.text import key


def ar_query(query: Any, title_only: Any = 0) -> str:
    """build_match() for SQL. A malformed query gives an expression that FTS5 rejects with the reason
    in its message (`no such column: ar_query: unbalanced quote ...`): SQLite discards the text of an
    exception raised in a Python function, so raising would only say "user-defined function raised
    exception"."""
    try:
        return build_match("" if query is None else str(query), bool(title_only))
    except QueryError as exc:
        # A column set naming a column that cannot exist; the quoted name is the message, shown verbatim.
        reason = str(exc).replace('"', '""')
        return f'{{"ar_query: {reason}"}} : x'


def ar_key(text: Any) -> str | None:
    """archive.text.key() for SQL: the folded match key of `text` (NULL stays NULL)."""
    return None if text is None else key(str(text))


def register(conn: sqlite3.Connection | Any) -> None:
    """Add ar_query(query[, title_only]) and ar_key(text) to `conn` (a sqlite3 connection or a
    sqlite_utils Database)."""
    raw = getattr(conn, "conn", conn)
    raw.create_function("ar_query", 1, ar_query, deterministic=True)
    raw.create_function("ar_query", 2, ar_query, deterministic=True)
    raw.create_function("ar_key", 1, ar_key, deterministic=True)
