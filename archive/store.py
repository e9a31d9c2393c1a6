"""Archive: crawls, article versions and fetch observations, each article written in one transaction."""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.diff import image_name, paragraph_counts
from archive.errors import ArchiveError
from archive.schema import connect
from archive.text import content_hash, count_replacement, display, key, split_paragraphs

OBSERVATIONS = ("failed", "blocked", "gone")
CRAWL_OUTCOMES = ("running", "completed", "interrupted", "failed")
# Fetch outcome -> crawl counter column (a fixed map, so column names never come from input).
COUNTERS = {"new": "new_articles", "version": "new_versions", "unchanged": "unchanged",
            "failed": "failed", "blocked": "blocked", "gone": "gone"}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _text(value: Any) -> str | None:
    """Display layer of an optional field; empty after cleaning means absent."""
    return (display(str(value)) or None) if value is not None else None


def version_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    """The content columns of a version: display text, key layers and the content hash (dates excluded)."""
    title, lead, author, section = (_text(item.get(f)) for f in ("title", "lead", "author", "section"))
    # Re-split so that a paragraph holding a blank line cannot break the "\n\n" join stored in `body`.
    body = [p for raw in item.get("body") or [] for p in split_paragraphs(display(str(raw))) if p.strip()]
    tags = [t for t in (_text(t) for t in item.get("tags") or []) if t]
    images = [{"url": i.get("url"), "caption": _text(i.get("caption"))} for i in item.get("images") or []]
    # Lists are length-prefixed so that text moving between fields can never give the same hash.
    parts = [title or "", lead or "", str(len(body)), *body, author or "", section or "",
             str(len(tags)), *tags, str(len(images))]
    for image in images:
        parts += [image["caption"] or "", image_name(image["url"])]
    return {
        "title": title, "lead": lead, "body": "\n\n".join(body), "author": author, "section": section,
        "tags": _dumps(tags), "images": _dumps(images),
        "title_key": key(title or ""), "lead_key": key(lead or ""), "body_key": key("\n".join(body)),
        "content_hash": content_hash(parts),
        "_paragraphs": body, "_tags": tags, "_images": images,
    }


def _change(prev: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Which parts of the key layer changed since the previous version (stored as versions.change)."""
    old_body = [key(p) for p in (prev["body"] or "").split("\n\n") if p.strip()]
    meta = [f for f in ("author", "section") if key(prev[f] or "") != key(new[f] or "")]
    if [key(t) for t in json.loads(prev["tags"] or "[]")] != [key(t) for t in new["_tags"]]:
        meta.append("tags")
    old_images = [(key(i.get("caption") or ""), image_name(i.get("url"))) for i in json.loads(prev["images"] or "[]")]
    if old_images != [(key(i["caption"] or ""), image_name(i["url"])) for i in new["_images"]]:
        meta.append("images")
    return {"title": prev["title_key"] != new["title_key"], "lead": prev["lead_key"] != new["lead_key"],
            "body": paragraph_counts(old_body, [key(p) for p in new["_paragraphs"]]), "meta": meta}


class Archive:
    """The SQLite archive. One writer per process; readers may open the same file concurrently (WAL)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        if path is None or str(path) == "":
            raise ArchiveError("no archive path given")
        self.path = Path(path)
        self.db = connect(self.path)
        self._closed = False

    # --- lifecycle ------------------------------------------------------------------------------
    def close(self) -> None:
        if not self._closed:
            self.db.close()
            self._closed = True

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        # IMMEDIATE: take the write lock before the first read, so a second writer waits (busy_timeout)
        # instead of failing on a stale read snapshot when it upgrades to write.
        if self.db.conn.in_transaction:
            with self.db.atomic():
                yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()

    # --- crawls ---------------------------------------------------------------------------------
    def start_crawl(self, site: str, editions: list[str], base_url: str | None) -> int:
        with self._transaction():
            table = self.db.table("crawls").insert({
                "site": site, "editions": ",".join(editions or []), "base_url": base_url,
                "started_at": now(), "outcome": "running", "pid": os.getpid(),
            })
        return int(table.last_pk)

    def finish_crawl(self, crawl_id: int, outcome: str = "completed") -> dict[str, Any]:
        # "failed: <reason>" is accepted: the pipeline passes Scrapy's close reason along.
        if outcome.split(":", 1)[0].strip() not in CRAWL_OUTCOMES:
            raise ArchiveError(f"unknown crawl outcome {outcome!r} (expected one of {', '.join(CRAWL_OUTCOMES)})")
        finished = now()
        with self._transaction():
            crawl = self._crawl(crawl_id)
            duration = (datetime.fromisoformat(finished) - datetime.fromisoformat(crawl["started_at"])).total_seconds()
            self.db.execute("UPDATE crawls SET finished_at = ?, outcome = ?, duration_s = ? WHERE id = ?",
                            [finished, outcome, max(duration, 0.0), crawl_id])
        return self._crawl(crawl_id)

    def _crawl(self, crawl_id: int) -> dict[str, Any]:
        cursor = self.db.execute("SELECT * FROM crawls WHERE id = ?", [crawl_id])
        row = cursor.fetchone()
        if row is None:
            raise ArchiveError(f"unknown crawl id {crawl_id} (start_crawl() first)")
        return dict(zip([c[0] for c in cursor.description], row))

    def _count(self, crawl_id: int, outcome: str) -> None:
        column = COUNTERS[outcome]
        self.db.execute(f"UPDATE crawls SET {column} = {column} + 1 WHERE id = ?", [crawl_id])

    # --- writes ---------------------------------------------------------------------------------
    def record_article(self, crawl_id: int, item: Mapping[str, Any]) -> str:
        """Store a fetched article: "new", "version" (key-layer hash changed) or "unchanged"."""
        art_key = item.get("key")
        if not art_key:
            raise ArchiveError(f"article item without a key: {item.get('url')!r}")
        fields = version_fields(item)
        fetched_at = item.get("fetched_at") or now()
        with self._transaction():
            self._crawl(crawl_id)
            article = self._row("SELECT rowid AS _rowid, * FROM articles WHERE key = ?", art_key)
            reason = "returned" if article and article["status"] == "gone" else None
            if article is None:
                outcome, number = "new", 1
                rowid = self._insert_article(art_key, item, fetched_at, fields["content_hash"])
                self._insert_version(crawl_id, art_key, 1, item, fields, None)
                self._index_fts(rowid, fields)
            else:
                current = self._row("SELECT * FROM versions WHERE article_key = ? AND version = ?",
                                    art_key, article["current_version"])
                if current is not None and current["content_hash"] == fields["content_hash"]:
                    outcome, number = "unchanged", current["version"]
                else:
                    outcome, number = "version", (article["version_count"] or 0) + 1
                    change = _change(current, fields) if current is not None else None
                    self._insert_version(crawl_id, art_key, number, item, fields, change)
                    self._index_fts(article["_rowid"], fields)
                self._touch_article(art_key, item, fetched_at, number)
            self._log_fetch(crawl_id, art_key, item, outcome, reason, number)
            self._count(crawl_id, outcome)
        return outcome

    def record_observation(self, crawl_id: int, item: Mapping[str, Any]) -> str:
        """Store a fetch that gave no version: "failed", "blocked" or "gone" (a 404 never archived is "failed")."""
        outcome = item.get("outcome")
        if outcome not in OBSERVATIONS:
            raise ArchiveError(f"unknown observation outcome {outcome!r} (expected one of {', '.join(OBSERVATIONS)})")
        art_key, reason = item.get("key") or None, item.get("reason")
        fetched_at = item.get("fetched_at") or now()
        with self._transaction():
            self._crawl(crawl_id)
            article = self._row("SELECT * FROM articles WHERE key = ?", art_key) if art_key else None
            if outcome == "gone" and article is None:
                outcome = "failed"  # nothing archived, so nothing was deleted
                reason = f"{reason or 'gone'} (never archived)"
            elif outcome == "gone":
                self.db.execute(
                    "UPDATE articles SET gone_at = CASE WHEN status = 'gone' THEN gone_at ELSE ? END, "
                    "status = 'gone', last_checked_at = max(coalesce(last_checked_at, ''), ?) WHERE key = ?",
                    [fetched_at, fetched_at, art_key])
            elif article is not None:
                self.db.execute("UPDATE articles SET last_checked_at = max(coalesce(last_checked_at, ''), ?) "
                                "WHERE key = ?", [fetched_at, art_key])
            self._log_fetch(crawl_id, art_key, item, outcome, reason,
                            article["current_version"] if article else None)
            self._count(crawl_id, outcome)
        return outcome

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
                        fields: Mapping[str, Any], change: dict[str, Any] | None) -> None:
        raw = item.get("raw_html")
        if isinstance(raw, str):
            raw = raw.encode(item.get("encoding") or "utf-8", "surrogateescape")
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
            "raw_html": zlib.compress(raw, 6) if raw else None, "raw_encoding": item.get("encoding"),
            "raw_size": len(raw) if raw else 0, "extractor_version": item.get("extractor_version"),
            "sources": _dumps(item.get("sources")), "dropped": _dumps(item.get("dropped")),
            "replacement_chars": int(replacement or 0), "change": _dumps(change),
        })

    def _index_fts(self, rowid: int, fields: Mapping[str, Any]) -> None:
        # The index holds only the current version: replace the article's row.
        self.db.execute("DELETE FROM articles_fts WHERE rowid = ?", [rowid])
        self.db.execute("INSERT INTO articles_fts (rowid, title_key, lead_key, body_key) VALUES (?, ?, ?, ?)",
                        [rowid, fields["title_key"], fields["lead_key"], fields["body_key"]])

    def _log_fetch(self, crawl_id: int, art_key: str | None, item: Mapping[str, Any], outcome: str,
                   reason: str | None, number: int | None) -> None:
        self.db.table("fetches").insert({
            "crawl_id": crawl_id, "article_key": art_key, "url": item.get("url"),
            "fetched_at": item.get("fetched_at") or now(), "http_status": item.get("http_status"),
            "outcome": outcome, "reason": reason, "version": number,
        })

    # --- reads ----------------------------------------------------------------------------------
    def known_articles(self, site: str, editions: list[str] | None = None,
                       status: str | None = "live") -> Iterator[tuple[str, str]]:
        """(key, url) of archived articles, streamed from a cursor (not loaded into memory)."""
        sql, params = "SELECT key, url FROM articles WHERE site = ?", [site]
        if editions:
            sql += f" AND edition IN ({', '.join('?' for _ in editions)})"
            params += list(editions)
        if status:
            sql += " AND status = ?"
            params.append(status)
        for row in self.db.execute(sql + " ORDER BY rowid", params):
            yield row[0], row[1]
