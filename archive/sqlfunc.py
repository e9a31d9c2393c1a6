"""SQL functions for any SQLite connection: ar_query() (the search's MATCH expression), ar_snippet(),
ar_analyse() and ar_key().

One line makes `... WHERE search_fts MATCH ar_query('أربيل')` work in Python's sqlite3:

    import archive.sqlfunc; archive.sqlfunc.register(conn)

Datasette gets the same functions from archive.datasette_plugins (see docs/analysts.md).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from archive.analysis import analyse, language
from archive.errors import QueryError
from archive.query import build_match, parse
from archive.search import marked, snippet
from archive.text import key


def ar_query(query: Any, title_only: Any = 0, edition: Any = None) -> str:
    """build_match() for SQL. A malformed query gives an expression that FTS5 rejects with the reason
    in its message (`no such column: ar_query: unbalanced quote ...`): SQLite discards the text of an
    exception raised in a Python function, so raising would only say "user-defined function raised
    exception"."""
    try:
        return build_match("" if query is None else str(query), bool(title_only), edition or None)
    except QueryError as exc:
        # A column set naming a column that cannot exist; the quoted name is the message, shown verbatim.
        reason = str(exc).replace('"', '""')
        return f'{{"ar_query: {reason}"}} : x'


def ar_key(text: Any) -> str | None:
    """archive.text.key() for SQL: the folded match key of `text` (NULL stays NULL)."""
    return None if text is None else key(str(text))


def ar_snippet(text: Any, query: Any, edition: Any = None, before: Any = "[", after: Any = "]") -> str | None:
    """About 200 characters of `text` (display text) around the query's first match, the matched words
    between `before` and `after`; NULL for NULL text or a malformed query, "" when nothing matches."""
    if text is None or query is None:
        return None
    try:
        terms = parse(str(query), edition=edition or None).terms()
    except QueryError:
        return None
    piece, spans = snippet(str(text), terms, language(edition))
    return marked(piece, spans, str(before), str(after))


def ar_analyse(text: Any, edition: Any = None) -> str | None:
    """archive.analysis.analyse() for SQL: the index terms of `text` in `edition`'s language."""
    return None if text is None else analyse(str(text), language(edition))


def register(conn: sqlite3.Connection | Any) -> None:
    """Add ar_query(query[, title_only[, edition]]), ar_snippet(text, query[, edition[, before, after]]),
    ar_analyse(text[, edition]) and ar_key(text) to `conn` (a sqlite3 connection or a sqlite_utils Database)."""
    raw = getattr(conn, "conn", conn)
    for arity in (1, 2, 3):
        raw.create_function("ar_query", arity, ar_query, deterministic=True)
    for arity in (2, 3, 5):
        raw.create_function("ar_snippet", arity, ar_snippet, deterministic=True)
    for arity in (1, 2):
        raw.create_function("ar_analyse", arity, ar_analyse, deterministic=True)
    raw.create_function("ar_key", 1, ar_key, deterministic=True)
