"""Full-text search over the current versions (articles_fts on the key layer), with display-text snippets."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from typing import Any

from archive.errors import QueryError
from archive.filters import Filters
from archive.query import parse
from archive.schema import as_database
from archive.text import key

SNIPPET_CHARS = 200
# bm25 column weights (title_key, lead_key, body_key): a word in the title says more than one in the body.
WEIGHTS = (10.0, 4.0, 1.0)


def search(db: Any, query: str, limit: int = 20, edition: str | None = None, *, title_only: bool = False,
           since: str | None = None, until: str | None = None, no_duplicates: bool = False) -> list[dict[str, Any]]:
    """Best matches first: key, url, edition, status, title, snippet, published_at, rank (lower is better).

    `since`/`until` are inclusive YYYY-MM-DD days (see archive.filters.Filters); `no_duplicates` hides
    articles marked as copies of an earlier one."""
    parsed = parse(query, title_only)  # QueryError for an empty or malformed query
    filters = Filters(since=since, until=until, edition=edition, no_duplicates=no_duplicates)
    if limit < 1:
        raise QueryError("limit must be at least 1")
    where, where_params = filters.where("a")
    # Rank inside the index first and read the bodies (for snippets) of the `limit` best rows only:
    # joining versions before the LIMIT read every matching article's body.
    sql = ("WITH hits AS (SELECT a.rowid AS rid, a.key AS key, bm25(articles_fts, ?, ?, ?) AS rank "
           "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
           f"WHERE articles_fts MATCH ? AND {where} ORDER BY rank, a.key LIMIT ?) "
           "SELECT h.key, a.url, a.edition, a.status, a.published_at, a.duplicate_of, v.title, v.lead, v.body, "
           "h.rank FROM hits h JOIN articles a ON a.rowid = h.rid "
           "JOIN versions v ON v.article_key = a.key AND v.version = a.current_version ORDER BY h.rank, h.key")
    params: list[Any] = [*WEIGHTS, parsed.match(), *where_params, int(limit)]
    try:
        cursor = as_database(db).execute(sql, params)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row)) for row in cursor]
    except sqlite3.OperationalError as exc:
        raise QueryError(f"cannot search for {query!r}: {exc}") from None
    forms = parsed.forms()
    results = []
    for row in rows:
        text = row.pop("body") or ""
        lead = row.pop("lead") or ""
        row["snippet"] = snippet(text, forms) or snippet(lead, forms) or _window(lead or text, 0)
        results.append(row)
    return results


def snippet(text: str, forms: Sequence[tuple[str, bool]], width: int = SNIPPET_CHARS) -> str:
    """About `width` characters of display text around the first word whose key matches the query ("" if none)."""
    exact = {f for f, prefix in forms if not prefix}
    prefixes = tuple(f for f, prefix in forms if prefix)
    for match in re.finditer(r"\S+", text):
        if any(t in exact or t.startswith(prefixes) for t in key(match.group()).split()):
            return _window(text, match.start(), width)
    return ""


def _window(text: str, at: int, width: int = SNIPPET_CHARS) -> str:
    if not text:
        return ""
    start = max(0, min(at - width // 3, len(text) - width))
    end = min(len(text), start + width)
    # Cut at spaces so no word is shown half (the ellipsis marks the cut).
    if start > 0:
        space = text.find(" ", start, at) if at > start else -1
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", max(at, start), end)
        end = space if space > at else end
    piece = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")
