"""Archive: crawls, article versions and fetch observations, each article written in one transaction."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.guard import suspect_reason
from archive.policy import DEFAULT_TIERS, next_check_at
from archive.rechecks import candidates
from archive.schema import connect
from archive.text import count_replacement
from archive.version import change_of, dumps, version_fields

OBSERVATIONS = ("failed", "blocked", "gone", "redirected", "not_modified")
CRAWL_OUTCOMES = ("running", "completed", "interrupted", "failed", "crashed")
# Fetch outcome -> crawl counter column (a fixed map, so column names never come from input).
COUNTERS = {"new": "new_articles", "version": "new_versions", "unchanged": "unchanged", "suspect": "suspect",
            "failed": "failed", "blocked": "blocked", "gone": "gone", "redirected": "redirected"}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _raw_bytes(item: Mapping[str, Any]) -> bytes | None:
    raw = item.get("raw_html")
    if isinstance(raw, str):
        raw = raw.encode(item.get("encoding") or "utf-8", "surrogateescape")
    return raw or None


class Archive:
    """The SQLite archive. One writer per process; readers may open the same file concurrently (WAL)."""

    def __init__(self, path: str | os.PathLike[str], tiers: Sequence[tuple[int, int]] = DEFAULT_TIERS) -> None:
        if path is None or str(path) == "":
            raise ArchiveError("no archive path given")
        self.path = Path(path)
        self.tiers = tiers
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
            # A crawl left "running" by a process that no longer exists was killed: say so.
            for crawl_id, pid in self.db.execute("SELECT id, pid FROM crawls WHERE outcome = 'running'").fetchall():
                if not _alive(pid):
                    self.db.execute("UPDATE crawls SET outcome = 'crashed' WHERE id = ?", [crawl_id])
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
        """Store a fetched article: "new", "version" (key-layer hash changed), "unchanged", or "suspect"
        (changed but looking broken: held back by the false-edit guard, see archive/guard.py)."""
        art_key = item.get("key")
        if not art_key:
            raise ArchiveError(f"article item without a key: {item.get('url')!r}")
        fields = version_fields(item)
        fetched_at = item.get("fetched_at") or now()
        digest = fields["content_hash"]
        with self._transaction():
            self._crawl(crawl_id)
            article = self._row("SELECT rowid AS _rowid, * FROM articles WHERE key = ?", art_key)
            reason = f"returned after {article['status']}" if article and article["status"] != "live" else None
            if article is None:
                outcome, number = "new", 1
                rowid = self._insert_article(art_key, item, fetched_at, digest)
                self._insert_version(crawl_id, art_key, 1, item, fields, None)
                self._index_fts(rowid, fields)
            else:
                current = self._row("SELECT * FROM versions WHERE article_key = ? AND version = ?",
                                    art_key, article["current_version"])
                number = article["current_version"]
                suspect = suspect_reason(current, fields, item.get("extractor_version")) if current else None
                if current is not None and current["content_hash"] == digest:
                    outcome = "unchanged"
                    self._resolve_suspects(art_key, "transient", fetched_at)
                elif suspect and not self._row("SELECT 1 FROM suspects WHERE article_key = ? AND content_hash = ?",
                                               art_key, digest):
                    outcome, reason = "suspect", suspect
                    self._hold(crawl_id, art_key, item, fields, suspect, fetched_at)
                else:
                    # Either a plain edit, or a suspect result seen a second time: the page really says so.
                    outcome, number = "version", (article["version_count"] or 0) + 1
                    change = change_of(current, fields) if current is not None else None
                    if suspect and change is not None:
                        change["confirmed_suspect"] = suspect
                        self._resolve_suspects(art_key, "confirmed", fetched_at, digest)
                    self._insert_version(crawl_id, art_key, number, item, fields, change)
                    self._index_fts(article["_rowid"], fields)
                    self.db.execute("UPDATE articles SET last_changed_at = ? WHERE key = ?", [fetched_at, art_key])
            if outcome != "suspect":
                self._touch_article(art_key, item, fetched_at, number)
            else:
                self._checked(art_key, fetched_at)
            self._schedule(art_key)
            self._log_fetch(crawl_id, art_key, item, outcome, reason, number)
            self._count(crawl_id, outcome)
        return outcome

    def record_reextraction(self, item: Mapping[str, Any]) -> int | None:
        """A stored page re-extracted with the current extractor: a new version marked `reextract` when the
        result differs (never counted or reported as a publisher's edit); the new version number or None."""
        art_key = item["key"]
        fields = version_fields(item)
        with self._transaction():
            article = self._row("SELECT rowid AS _rowid, * FROM articles WHERE key = ?", art_key)
            if article is None:
                raise ArchiveError(f"no article {art_key} to re-extract")
            current = self._row("SELECT * FROM versions WHERE article_key = ? AND version = ?",
                                art_key, article["current_version"])
            if current is None or current["content_hash"] == fields["content_hash"]:
                return None
            number = (article["version_count"] or 0) + 1
            change = change_of(current, fields)
            change["reextracted_from"] = current["version"]
            self._insert_version(current["crawl_id"], art_key, number, item, fields, change, origin="reextract")
            self._index_fts(article["_rowid"], fields)
            self.db.execute("UPDATE articles SET version_count = ?, current_version = ? WHERE key = ?",
                            [number, number, art_key])
        return number

    def record_observation(self, crawl_id: int, item: Mapping[str, Any]) -> str:
        """Store a fetch that gave no version. Outcomes: "failed", "blocked", "gone" (a 404 of a never archived
        article is "failed"), "redirected" (to another article), and "unchanged" for a 304 or a still-gone page."""
        outcome = item.get("outcome")
        if outcome not in OBSERVATIONS:
            raise ArchiveError(f"unknown observation outcome {outcome!r} (expected one of {', '.join(OBSERVATIONS)})")
        art_key, reason = item.get("key") or None, item.get("reason")
        fetched_at = item.get("fetched_at") or now()
        with self._transaction():
            self._crawl(crawl_id)
            article = self._row("SELECT * FROM articles WHERE key = ?", art_key) if art_key else None
            if article is None and outcome in ("gone", "not_modified"):
                outcome, reason = "failed", f"{reason or outcome} (never archived)"
            elif article is None:
                pass
            elif outcome == "not_modified":
                outcome = "unchanged"
                if article["status"] != "live":
                    reason = f"{reason}; returned after {article['status']}"
                self._touch_article(art_key, item, fetched_at, article["current_version"])
                self.db.execute("UPDATE crawls SET not_modified = not_modified + 1 WHERE id = ?", [crawl_id])
            elif outcome in ("gone", "redirected") and article["status"] == outcome:
                outcome, reason = "unchanged", f"still {article['status']}: {reason}"
                self._checked(art_key, fetched_at)
            elif outcome in ("gone", "redirected"):
                self.db.execute(
                    "UPDATE articles SET status = ?, gone_at = ?, redirected_to = ? WHERE key = ?",
                    [outcome, fetched_at, item.get("redirected_to"), art_key])
                self._checked(art_key, fetched_at)
            else:
                self._checked(art_key, fetched_at)
            if article is not None and outcome != "failed" and outcome != "blocked":
                self._schedule(art_key)  # a failure or a block leaves the article due: try again next crawl
            self._log_fetch(crawl_id, art_key, item, outcome, reason,
                            article["current_version"] if article else None)
            self._count(crawl_id, outcome)
        return outcome

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
        raw = _raw_bytes(item)
        self.db.table("suspects").insert({
            "article_key": art_key, "crawl_id": crawl_id, "fetched_at": fetched_at, "reason": reason,
            "content_hash": fields["content_hash"], "title": fields["title"], "lead": fields["lead"],
            "body": fields["body"], "extractor_version": item.get("extractor_version"),
            "raw_html": zlib.compress(raw, 6) if raw else None,
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
        raw = _raw_bytes(item)
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
            "sources": dumps(item.get("sources")), "dropped": dumps(item.get("dropped")),
            "replacement_chars": int(replacement or 0), "change": dumps(change), "origin": origin,
            "content_type": item.get("content_type"),
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

    # --- reads ---------------------------------------------------------------------------------
    def known_articles(self, site: str, editions: list[str] | None = None,
                       status: str | None = "live") -> Iterator[tuple[str, str]]:
        """(key, url) of archived articles, read in batches (see archive.rechecks)."""
        statuses = (status,) if status else ("live", "gone", "redirected")
        for row in candidates(self.db, site, editions, "all", "", statuses):
            yield row["key"], row["url"]
