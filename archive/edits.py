"""Publishers' edits over a time window (versions after the first, fetched ones only), and held suspects."""

from __future__ import annotations

import json
from typing import Any

from archive.diff import diff_versions
from archive.history import get_version
from archive.schema import as_database, rows


def _window(column: str, since: str | None, until: str | None, params: list[Any]) -> str:
    sql = ""
    if since:
        sql += f" AND {column} >= ?"
        params.append(since)
    if until:
        sql += f" AND {column} < ?"
        params.append(until)
    return sql


def list_edits(db: Any, since: str | None = None, until: str | None = None, lang: str | None = None,
               limit: int | None = None) -> list[dict[str, Any]]:
    """Each edit: article, version, when it was seen, what kind of change, and how many words moved.

    Re-extractions (`origin = 'reextract'`) are our extractor's doing, not the publisher's: left out.
    """
    db = as_database(db)
    params: list[Any] = []
    sql = ("SELECT v.article_key AS key, v.version, v.fetched_at, v.title, v.change, a.url, a.edition, a.published_at "
           "FROM versions v JOIN articles a ON a.key = v.article_key "
           "WHERE v.version > 1 AND coalesce(v.origin, 'fetch') = 'fetch'")
    sql += _window("v.fetched_at", since, until, params)
    if lang:
        sql += " AND a.edition = ?"
        params.append(lang)
    sql += " ORDER BY v.fetched_at, v.id"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    edits = []
    for row in rows(db, sql, params):
        change = json.loads(row.pop("change") or "{}")
        old, new = get_version(db, row["key"], _previous(db, row["key"], row["version"])), \
            get_version(db, row["key"], row["version"])
        words = {"inserted": 0, "deleted": 0}
        if old and new:
            for op, text in _all_ops(diff_versions(old, new)):
                if op in ("insert", "delete"):
                    words["inserted" if op == "insert" else "deleted"] += len(text.split())
        edits.append({**row, "kinds": change.get("kinds", []), "change": change, "words": words})
    return edits


def _previous(db: Any, key: str, version: int) -> int:
    """The version this one replaced (skipping re-extractions would be wrong: they are what was shown)."""
    row = db.execute("SELECT max(version) FROM versions WHERE article_key = ? AND version < ?",
                     [key, version]).fetchone()
    return int(row[0] or 0)


def _all_ops(diff: dict[str, Any]) -> list[tuple[str, str]]:
    ops: list[tuple[str, str]] = []
    for field in ("title", "lead"):
        ops += [tuple(o) for o in (diff.get(field) or {}).get("diff", [])]  # type: ignore[misc]
    for p in (diff.get("body") or {}).get("paragraphs", []):
        if p["op"] == "changed":
            ops += [tuple(o) for o in p["diff"]]  # type: ignore[misc]
        elif p["op"] in ("added", "removed"):
            ops.append(("insert" if p["op"] == "added" else "delete", p["text"]))
    return ops


def list_suspects(db: Any, since: str | None = None, until: str | None = None,
                  unresolved_only: bool = False) -> list[dict[str, Any]]:
    """Extractions held back by the false-edit guard, with why, and how each was resolved."""
    params: list[Any] = []
    sql = ("SELECT s.article_key AS key, s.fetched_at, s.reason, s.title, length(s.body) AS body_chars, "
           "s.resolution, s.resolved_at, a.url FROM suspects s JOIN articles a ON a.key = s.article_key WHERE 1")
    sql += _window("s.fetched_at", since, until, params)
    if unresolved_only:
        sql += " AND s.resolution IS NULL"
    return rows(db, sql + " ORDER BY s.fetched_at, s.id", params)
