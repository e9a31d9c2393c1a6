"""Datasette plugin: ar_query() and friends on every connection, an Arabic-aware search box, RTL cells with
readable URLs, column notes folded below the table, and an article page with every edit's word diff."""

from __future__ import annotations

import sqlite3
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup

from archive import datasette_guard
from archive import datasette_pages as pages
from archive.sqlfunc import ar_query, register


def _search_box(query: Any) -> str:
    """Datasette passes what is typed in a table's search box through escape_fts(); on an archive it
    should mean what `newsarchive search` means (analysed words, spellings, OR, -word)."""
    return ar_query(query)


@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    register(conn)
    # trylast: runs after Datasette's own escape_fts registration, which this replaces - but only on
    # databases that are newsarchive archives, so other databases served alongside keep the default.
    try:
        is_archive = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_fts'").fetchone()
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


# --- look: right-to-left text, readable URLs, column notes below the rows --------------------------
@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    shown = pages.cell_html(row, value, column, database)
    return None if shown is None else Markup(shown)


@hookimpl
def extra_css_urls() -> list[str]:
    return [pages.CSS_PATH]


@hookimpl
def extra_body_script(template: str, view_name: str) -> str:
    return pages.SCRIPT if view_name == "table" else ""


# --- the article page: /-/article?db=NAME&key=SITE:EDITION:ID --------------------------------------
async def _css() -> Response:
    return Response(pages.CSS, content_type="text/css; charset=utf-8")


async def _article(request: Any, datasette: Any) -> Response:
    key = request.args.get("key") or ""
    name = request.args.get("db")
    try:
        db = datasette.get_database(name) if name else datasette.get_database()
    except KeyError:
        return Response.html(pages.page("not found", f"<p>no database {name!r}</p>"), status=404)
    found = await db.execute("SELECT * FROM articles WHERE key = ?", [key])
    if not found.rows:
        return Response.html(pages.page("not found", "<p>no article with that key</p>"), status=404)
    article = dict(found.rows[0])
    versions = await db.execute(
        "SELECT version, fetched_at, origin, title, lead, body, tags, images FROM versions "
        "WHERE article_key = ? ORDER BY version", [key])
    body = pages.article_html(db.name, article, [dict(r) for r in versions.rows])
    return Response.html(pages.page(f"{key}: versions", body, db.name))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/article$", _article), (r"^/-/newsarchive\.css$", _css)]
