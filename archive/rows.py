"""The row writes behind one article's record (article, version, FTS, fetch, suspect), used inside Archive's transactions."""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from archive import neardup, searchindex
from archive.errors import ArchiveError
from archive.policy import next_check_at
from archive.text import count_replacement
from archive.version import dumps


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def raw_bytes(item: Mapping[str, Any]) -> bytes | None:
    """The page as stored: bytes in its own encoding."""
    raw = item.get("raw_html")
    if isinstance(raw, str):
        raw = raw.encode(item.get("encoding") or "utf-8", "surrogateescape")
    return raw or None


# zlib level for stored pages: 3 compresses a page in 0.66 ms against 1.61 ms at 6, for 15% more bytes
# (17.5 against 15.2 KB per 90 KB page, docs/performance.md). Any level decompresses the same way.
RAW_LEVEL = 3


# Fetch outcome -> crawl counter column (a fixed map, so column names never come from input).
COUNTERS = {"new": "new_articles", "version": "new_versions", "unchanged": "unchanged", "suspect": "suspect",
            "failed": "failed", "blocked": "blocked", "gone": "gone", "redirected": "redirected"}


class ArticleRows:
    """SQL for the tables an article's write touches; the decisions are Archive's (archive/store.py)."""

    db: Database
    tiers: Sequence[tuple[int, int]]

    # --- reads and small writes of the decisions (archive/scope.py has a leaner set for batches) ---------
    def _check_crawl(self, crawl_id: int) -> None:
        if self.db.execute("SELECT 1 FROM crawls WHERE id = ?", [crawl_id]).fetchone() is None:
            raise ArchiveError(f"unknown crawl id {crawl_id} (start_crawl() first)")

    def _article(self, art_key: str) -> dict[str, Any] | None:
        return self._row("SELECT rowid AS _rowid, * FROM articles WHERE key = ?", art_key)

    def _current(self, art_key: str, number: int) -> dict[str, Any] | None:
        return self._row("SELECT * FROM versions WHERE article_key = ? AND version = ?", art_key, number)

    def _suspect_seen(self, art_key: str, digest: str) -> bool:
        seen = self._row("SELECT 1 FROM suspects WHERE article_key = ? AND content_hash = ?", art_key, digest)
        return seen is not None

    def _changed(self, art_key: str, at: str) -> None:
        self.db.execute("UPDATE articles SET last_changed_at = ? WHERE key = ?", [at, art_key])

    def _count(self, crawl_id: int, outcome: str) -> None:
        self._bump(crawl_id, COUNTERS[outcome])

    def _bump(self, crawl_id: int, column: str) -> None:
        """Add one to a crawl counter (`column` comes from a fixed map, never from input)."""
        self.db.execute(f"UPDATE crawls SET {column} = {column} + 1 WHERE id = ?", [crawl_id])

    # --- helpers --------------------------------------------------------------------------------
    def _checked(self, art_key: str, at: str) -> None:
        self.db.execute("UPDATE articles SET last_checked_at = max(coalesce(last_checked_at, ''), ?) WHERE key = ?",
                        [at, art_key])

    def _schedule(self, art_key: str) -> None:
        row = self._row("SELECT published_at, first_seen_at, last_changed_at, status, gone_at FROM articles "
                        "WHERE key = ?", art_key)
        if row is not None:
            due = next_check_at(datetime.now(UTC), self.tiers, **row)
            self.db.execute("UPDATE articles SET next_check_at = ? WHERE key = ?", [due, art_key])

    def _hold(self, crawl_id: int, art_key: str, item: Mapping[str, Any], fields: Mapping[str, Any],
              reason: str, fetched_at: str) -> None:
        raw = raw_bytes(item)
        self.db.table("suspects").insert({
            "article_key": art_key, "crawl_id": crawl_id, "fetched_at": fetched_at, "reason": reason,
            "content_hash": fields["content_hash"], "title": fields["title"], "lead": fields["lead"],
            "body": fields["body"], "extractor_version": item.get("extractor_version"),
            "raw_html": zlib.compress(raw, RAW_LEVEL) if raw else None,
        })

    def _resolve_suspects(self, art_key: str, resolution: str, at: str, digest: str | None = None) -> None:
        sql = "UPDATE suspects SET resolution = ?, resolved_at = ? WHERE article_key = ? AND resolution IS NULL"
        params: list[Any] = [resolution, at, art_key]
        if digest:
            sql += " AND content_hash = ?"
            params.append(digest)
        self.db.execute(sql, params)

    def _row(self, sql: str, *params: Any) -> dict[str, Any] | None:
        cursor = self.db.execute(sql, list(params))
        row = cursor.fetchone()
        return None if row is None else dict(zip([c[0] for c in cursor.description], row))

    def _insert_article(self, art_key: str, item: Mapping[str, Any], fetched_at: str, digest: str) -> int:
        site, edition, article_id = (art_key.split(":", 2) + ["", ""])[:3]
        # Same content already archived under another identity: point at the earliest, never delete.
        dup = self._row(
            "SELECT a.key FROM articles a JOIN versions v ON v.article_key = a.key AND v.version = a.current_version "
            "WHERE v.content_hash = ? AND a.key != ? ORDER BY a.first_seen_at, a.rowid LIMIT 1", digest, art_key)
        table = self.db.table("articles").insert({
            "key": art_key, "site": item.get("site") or site, "edition": item.get("edition") or edition,
            "article_id": item.get("article_id") or article_id, "url": item.get("url") or "",
            "canonical_url": item.get("canonical_url"), "status": "live", "first_seen_at": fetched_at,
            "last_seen_at": fetched_at, "last_checked_at": fetched_at, "current_version": 1, "version_count": 1,
            "duplicate_of": dup["key"] if dup else None, "published_at": item.get("published_at"),
            "published_approx": int(bool(item.get("published_approx"))), "modified_at": item.get("modified_at"),
            "etag": item.get("etag"), "last_modified": item.get("last_modified"),
        })
        return int(table.last_rowid)

    def _touch_article(self, art_key: str, item: Mapping[str, Any], fetched_at: str, number: int) -> None:
        """A successful fetch: live again, validators and dates refreshed, current version set."""
        self.db.execute(
            """UPDATE articles SET status = 'live', gone_at = NULL,
                 last_seen_at = max(coalesce(last_seen_at, ''), :at),
                 last_checked_at = max(coalesce(last_checked_at, ''), :at),
                 url = coalesce(:url, url), canonical_url = coalesce(:canonical, canonical_url),
                 etag = coalesce(:etag, etag), last_modified = coalesce(:last_modified, last_modified),
                 modified_at = coalesce(:modified, modified_at),
                 -- an exact date replaces an approximate one (resolved from "3 hours ago"), not the reverse
                 published_approx = CASE WHEN :published IS NOT NULL AND (published_at IS NULL OR
                     (published_approx AND NOT :approx)) THEN :approx ELSE published_approx END,
                 published_at = CASE WHEN :published IS NOT NULL AND (published_at IS NULL OR
                     (published_approx AND NOT :approx)) THEN :published ELSE published_at END,
                 version_count = max(coalesce(version_count, 0), :n), current_version = :n
               WHERE key = :key""",
            {"at": fetched_at, "url": item.get("url") or None, "canonical": item.get("canonical_url"),
             "etag": item.get("etag"), "last_modified": item.get("last_modified"),
             "modified": item.get("modified_at"), "published": item.get("published_at"),
             "approx": int(bool(item.get("published_approx"))), "n": number, "key": art_key})

    def _insert_version(self, crawl_id: int, art_key: str, number: int, item: Mapping[str, Any],
                        fields: Mapping[str, Any], change: dict[str, Any] | None, origin: str = "fetch") -> None:
        raw = raw_bytes(item)
        replacement = item.get("replacement_chars")
        if replacement is None:
            replacement = count_replacement("\n".join(filter(None, [fields["title"], fields["lead"], fields["body"]])))
        self.db.table("versions").insert({
            **{k: v for k, v in fields.items() if not k.startswith("_")},
            "article_key": art_key, "version": number, "crawl_id": crawl_id,
            "fetched_at": item.get("fetched_at") or now(), "url": item.get("url"),
            "http_status": item.get("http_status"), "published_at": item.get("published_at"),
            "published_approx": int(bool(item.get("published_approx"))), "modified_at": item.get("modified_at"),
            "dateline_place": item.get("dateline_place"), "dateline_agency": item.get("dateline_agency"),
            "raw_html": zlib.compress(raw, RAW_LEVEL) if raw else None, "raw_encoding": item.get("encoding"),
            "raw_size": len(raw) if raw else 0, "extractor_version": item.get("extractor_version"),
            "sources": dumps(item.get("sources")), "dropped": dumps(item.get("dropped")),
            "replacement_chars": int(replacement or 0), "change": dumps(change), "origin": origin,
            "content_type": item.get("content_type"), "layout": item.get("layout"),
        })

    def _index_fts(self, rowid: int, art_key: str, fields: Mapping[str, Any]) -> None:
        # The indexes hold only the current version: replace the article's rows.
        searchindex.index_article(self.db, rowid, fields["title_key"], fields["lead_key"], fields["body_key"])
        neardup.index_article(self.db, art_key, fields["body_key"])  # duplicate_of for near-copies

    def _log_fetch(self, crawl_id: int, art_key: str | None, item: Mapping[str, Any], outcome: str,
                   reason: str | None, number: int | None) -> None:
        self.db.table("fetches").insert({
            "crawl_id": crawl_id, "article_key": art_key, "url": item.get("url"),
            "fetched_at": item.get("fetched_at") or now(), "http_status": item.get("http_status"),
            "outcome": outcome, "reason": reason, "version": number,
        })

