"""Datasette plugin: ar_query()/ar_key() on every connection, and an Arabic-aware search box on archives."""

from __future__ import annotations

import sqlite3
from typing import Any

from datasette import hookimpl

from archive import datasette_guard
from archive.sqlfunc import ar_query, register


def _search_box(query: Any) -> str:
    """Datasette passes what is typed in a table's search box through escape_fts(); on an archive it
    should mean what `newsarchive search` means (clitics, hamza, harakat, digits, OR, -word)."""
    return ar_query(query)


@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    register(conn)
    # trylast: runs after Datasette's own escape_fts registration, which this replaces - but only on
    # databases that are newsarchive archives, so other databases served alongside keep the default.
    try:
        is_archive = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles_fts'").fetchone()
    except sqlite3.Error:
        return
    if is_archive:
        conn.create_function("escape_fts", 1, _search_box, deterministic=True)
        datasette_guard.restrict(conn)  # authorizer and size limits (archive/datasette_guard.py)


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    # Only where `newsarchive serve` (or its --metadata file) configured it: other Datasette sites keep theirs.
    config = datasette.plugin_config("newsarchive")
    if not config:
        return None
    return lambda app: datasette_guard.wrap(app, config)
