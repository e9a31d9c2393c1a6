"""One batch's writes (archive.batch): the row SQL of archive/rows.py on the bare connection, lookups cached."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from sqlite_utils.db import jsonify_if_needed

from archive import neardup, searchindex
from archive.prepare import extras, fields_of
from archive.rows import ArticleRows, now
from archive.version import dumps

# The columns the decisions read (archive/store.py, archive/guard.py, archive/version.change_of): the stored
# page (tens of KB) is never read back.
ARTICLE = "SELECT rowid AS _rowid, status, current_version, version_count FROM articles WHERE key = ?"
CURRENT = ("SELECT version, content_hash, extractor_version, title, lead, body, author, section, tags, images, "
           "title_key, lead_key FROM versions WHERE article_key = ? AND version = ?")
ARTICLE_COLUMNS = ("key", "site", "edition", "article_id", "url", "canonical_url", "status", "first_seen_at",
                   "last_seen_at", "last_checked_at", "current_version", "version_count", "duplicate_of",
                   "published_at", "published_approx", "modified_at", "etag", "last_modified")
VERSION_COLUMNS = ("title", "lead", "body", "author", "section", "tags", "images", "title_key", "lead_key",
                   "body_key", "content_hash", "article_key", "version", "crawl_id", "fetched_at", "url",
                   "http_status", "published_at", "published_approx", "modified_at", "dateline_place",
                   "dateline_agency", "raw_html", "raw_encoding", "raw_size", "extractor_version", "sources",
                   "dropped", "replacement_chars", "change", "origin", "content_type", "layout")
FETCH_COLUMNS = ("crawl_id", "article_key", "url", "fetched_at", "http_status", "outcome", "reason", "version")


_PLAIN = frozenset({str, int, float, bytes, bool, type(None)})


def _values(values: list[Any]) -> list[Any]:
    """Values as sqlite-utils' insert() stores them (a list as JSON, a date as ISO text): the same rows as
    ArticleRows' table helpers write, without their per-row schema reads."""
    return [v if type(v) in _PLAIN else jsonify_if_needed(v) for v in values]


def _insert(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


INSERT_ARTICLE = _insert("articles", ARTICLE_COLUMNS)
INSERT_VERSION = _insert("versions", VERSION_COLUMNS)
INSERT_FETCH = _insert("fetches", FETCH_COLUMNS)
# The same duplicate rule as ArticleRows._insert_article.
SAME_CONTENT = ("SELECT a.key FROM articles a JOIN versions v ON v.article_key = a.key "
                "AND v.version = a.current_version "
                "WHERE v.content_hash = ? AND a.key != ? ORDER BY a.first_seen_at, a.rowid LIMIT 1")


class BatchScope(ArticleRows):
    """ArticleRows on a plain sqlite3 connection inside write_batch's transaction. Every statement is a fixed
    string (sqlite3 keeps it prepared), no schema is read per row, a crawl is checked once per batch, and crawl
    counters are summed and written once by flush(): an item's counts are kept only when its savepoint is."""

    def __init__(self, conn: sqlite3.Connection, tiers: Sequence[tuple[int, int]]) -> None:
        self.db = conn  # type: ignore[assignment]  # ArticleRows' plain-SQL helpers only call execute()
        self.conn = conn
        self.tiers = tiers
        self.in_item = False  # write_batch holds an item's savepoint open
        self._item: Mapping[str, Any] | None = None
        self._fields: dict[str, Any] | None = None
        self._crawls: set[int] = set()
        self._item_counts: dict[tuple[int, str], int] = {}
        self._counts: dict[tuple[int, str], int] = {}
        neardup.ensure_tables(conn)  # once per batch, outside any item's savepoint

    # --- per item ---------------------------------------------------------------------------------
    def begin_item(self, item: Mapping[str, Any], fields: dict[str, Any] | None) -> None:
        """`fields`: the item's prepared fields, checked by write_batch (so not checked twice)."""
        self.in_item = True
        self._item, self._fields = item, fields
        self._item_counts.clear()

    def fields(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """The write's fields for `item`: the prepared ones write_batch checked, else version_fields (the rest
        of prepare.compute is made on demand by the writes that need it)."""
        if item is self._item and self._fields is not None:
            return self._fields
        return fields_of(item, full=False)

    def end_item(self, kept: bool) -> None:
        """The item's savepoint was released (`kept`) or rolled back: its counts follow it."""
        self.in_item = False
        self._item, self._fields = None, None
        if kept:
            for column, count in self._item_counts.items():
                self._counts[column] = self._counts.get(column, 0) + count
        self._item_counts.clear()

    def flush(self) -> None:
        """Write the batch's crawl counters: one UPDATE per crawl, before the COMMIT."""
        by_crawl: dict[int, list[tuple[str, int]]] = {}
        for (crawl_id, column), count in sorted(self._counts.items()):
            by_crawl.setdefault(crawl_id, []).append((column, count))
        for crawl_id, columns in by_crawl.items():
            assignments = ", ".join(f"{column} = {column} + ?" for column, _ in columns)
            self.conn.execute(f"UPDATE crawls SET {assignments} WHERE id = ?", [c for _, c in columns] + [crawl_id])
        self._counts.clear()

    # --- ArticleRows, leaner --------------------------------------------------------------------
    def _check_crawl(self, crawl_id: int) -> None:
        if crawl_id not in self._crawls:  # the write lock is held: a crawl row seen stays there
            super()._check_crawl(crawl_id)
            self._crawls.add(crawl_id)

    def _bump(self, crawl_id: int, column: str) -> None:
        self._item_counts[(crawl_id, column)] = self._item_counts.get((crawl_id, column), 0) + 1

    def _article(self, art_key: str) -> dict[str, Any] | None:
        return self._row(ARTICLE, art_key)

    def _current(self, art_key: str, number: int) -> dict[str, Any] | None:
        return self._row(CURRENT, art_key, number)

    def _insert_article(self, art_key: str, item: Mapping[str, Any], fetched_at: str, digest: str) -> int:
        site, edition, article_id = (art_key.split(":", 2) + ["", ""])[:3]
        dup = self.conn.execute(SAME_CONTENT, [digest, art_key]).fetchone()
        cursor = self.conn.execute(INSERT_ARTICLE, _values([
            art_key, item.get("site") or site, item.get("edition") or edition,
            item.get("article_id") or article_id, item.get("url") or "", item.get("canonical_url"), "live",
            fetched_at, fetched_at, fetched_at, 1, 1, dup[0] if dup else None, item.get("published_at"),
            int(bool(item.get("published_approx"))), item.get("modified_at"), item.get("etag"),
            item.get("last_modified")]))
        return int(cursor.lastrowid or 0)

    def _insert_version(self, crawl_id: int, art_key: str, number: int, item: Mapping[str, Any],
                        fields: Mapping[str, Any], change: dict[str, Any] | None, origin: str = "fetch") -> None:
        if "_raw_z" not in fields:
            fields = {**fields, **extras(item, fields, search=False)}  # _index_fts analyses on its own
        self.conn.execute(INSERT_VERSION, _values([
            fields["title"], fields["lead"], fields["body"], fields["author"], fields["section"], fields["tags"],
            fields["images"], fields["title_key"], fields["lead_key"], fields["body_key"], fields["content_hash"],
            art_key, number, crawl_id, item.get("fetched_at") or now(), item.get("url"), item.get("http_status"),
            item.get("published_at"), int(bool(item.get("published_approx"))), item.get("modified_at"),
            item.get("dateline_place"), item.get("dateline_agency"), fields["_raw_z"], item.get("encoding"),
            fields["_raw_size"], item.get("extractor_version"), dumps(item.get("sources")),
            dumps(item.get("dropped")), fields["_replacement"], dumps(change), origin, item.get("content_type"),
            item.get("layout")]))

    def _hold(self, crawl_id: int, art_key: str, item: Mapping[str, Any], fields: Mapping[str, Any],
              reason: str, fetched_at: str) -> None:
        raw_z = fields["_raw_z"] if "_raw_z" in fields else extras(item, fields, search=False)["_raw_z"]
        self.conn.execute(
            "INSERT INTO suspects (article_key, crawl_id, fetched_at, reason, content_hash, title, lead, body, "
            "extractor_version, raw_html) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _values([art_key, crawl_id, fetched_at, reason, fields["content_hash"], fields["title"], fields["lead"],
             fields["body"], item.get("extractor_version"), raw_z]))

    def _index_fts(self, rowid: int, art_key: str, fields: Mapping[str, Any]) -> None:
        searchindex.index_article(self.conn, rowid, fields["title_key"], fields["lead_key"], fields["body_key"],
                                  ahead=fields.get("_fts"))
        neardup.index_article(self.conn, art_key, fields["body_key"], sketched=fields.get("_sketch"), ensured=True)

    def _log_fetch(self, crawl_id: int, art_key: str | None, item: Mapping[str, Any], outcome: str,
                   reason: str | None, number: int | None) -> None:
        self.conn.execute(INSERT_FETCH, _values([crawl_id, art_key, item.get("url"), item.get("fetched_at") or now(),
                                                 item.get("http_status"), outcome, reason, number]))


