"""Archive: crawls, article versions and fetch observations, each article written in one transaction."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from archive.connect import open_readonly
from archive.errors import ArchiveError
from archive.guard import suspect_reason
from archive.policy import DEFAULT_TIERS
from archive.rechecks import candidates
from archive.rows import ArticleRows, now
from archive.schema import connect
from archive.prepare import fields_of
from archive.scope import BatchScope
from archive.version import change_of, version_fields

OBSERVATIONS = ("failed", "blocked", "gone", "redirected", "not_modified")
CRAWL_OUTCOMES = ("running", "completed", "interrupted", "failed", "crashed")


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


class Archive(ArticleRows):
    """The SQLite archive. One writer per process; readers may open the same file concurrently (WAL)."""

    def __init__(self, path: str | os.PathLike[str], tiers: Sequence[tuple[int, int]] = DEFAULT_TIERS,
                 readonly: bool = False) -> None:
        """`readonly`: open with `mode=ro` (archive.connect), never migrating or writing; the write methods
        then fail with "attempt to write a readonly database"."""
        if path is None or str(path) == "":
            raise ArchiveError("no archive path given")
        self.path = Path(path)
        self.tiers = tiers
        self.readonly = readonly
        self.db = open_readonly(self.path) if readonly else connect(self.path)
        self._closed = False
        self._scope: BatchScope | None = None  # set while archive.batch.write_batch runs (archive/scope.py)

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
        if self._scope is not None and self._scope.in_item:
            yield  # write_batch opened this item's savepoint already
            return
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
    def start_crawl(self, site: str, editions: list[str], base_url: str | None, site_source: str | None = None) -> int:
        with self._transaction():
            # A crawl left "running" by a process that no longer exists was killed: say so.
            for crawl_id, pid in self.db.execute("SELECT id, pid FROM crawls WHERE outcome = 'running'").fetchall():
                if not _alive(pid):
                    self.db.execute("UPDATE crawls SET outcome = 'crashed' WHERE id = ?", [crawl_id])
            table = self.db.table("crawls").insert({
                "site": site, "editions": ",".join(editions or []), "base_url": base_url,
                "started_at": now(), "outcome": "running", "pid": os.getpid(), "site_source": site_source,
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

    @contextmanager
    def batch_scope(self) -> Iterator[BatchScope]:
        """Inside an open transaction (archive.batch.write_batch): record_article/record_observation use the
        scope's lean SQL and per-batch caches; the scope's counters are written by its flush()."""
        if not self.db.conn.in_transaction:
            raise ArchiveError("batch_scope() needs an open transaction")
        self._scope = BatchScope(self.db.conn, self.tiers)
        try:
            yield self._scope
        finally:
            self._scope = None

    # --- writes ---------------------------------------------------------------------------------
    def record_article(self, crawl_id: int, item: Mapping[str, Any]) -> str:
        """Store a fetched article: "new", "version" (key-layer hash changed), "unchanged", or "suspect"
        (changed but looking broken: held back by the false-edit guard, see archive/guard.py)."""
        art_key = item.get("key")
        if not art_key:
            raise ArchiveError(f"article item without a key: {item.get('url')!r}")
        fields = self._scope.fields(item) if self._scope is not None else fields_of(item, full=False)
        fetched_at = item.get("fetched_at") or now()
        digest = fields["content_hash"]
        rows: ArticleRows = self._scope or self  # the same decisions, the batch's leaner SQL
        with self._transaction():
            rows._check_crawl(crawl_id)
            article = rows._article(art_key)
            reason = f"returned after {article['status']}" if article and article["status"] != "live" else None
            if article is None:
                outcome, number = "new", 1
                rowid = rows._insert_article(art_key, item, fetched_at, digest)
                rows._insert_version(crawl_id, art_key, 1, item, fields, None)
                rows._index_fts(rowid, art_key, fields)
            else:
                current = rows._current(art_key, article["current_version"])
                number = article["current_version"]
                suspect = suspect_reason(current, fields, item.get("extractor_version")) if current else None
                if current is not None and current["content_hash"] == digest:
                    outcome = "unchanged"
                    rows._resolve_suspects(art_key, "transient", fetched_at)
                elif suspect and not rows._suspect_seen(art_key, digest):
                    outcome, reason = "suspect", suspect
                    rows._hold(crawl_id, art_key, item, fields, suspect, fetched_at)
                else:
                    # Either a plain edit, or a suspect result seen a second time: the page really says so.
                    outcome, number = "version", (article["version_count"] or 0) + 1
                    change = change_of(current, fields) if current is not None else None
                    if suspect and change is not None:
                        change["confirmed_suspect"] = suspect
                        rows._resolve_suspects(art_key, "confirmed", fetched_at, digest)
                    rows._insert_version(crawl_id, art_key, number, item, fields, change)
                    rows._index_fts(article["_rowid"], art_key, fields)
                    rows._changed(art_key, fetched_at)
            if outcome != "suspect":
                rows._touch_article(art_key, item, fetched_at, number)
            else:
                rows._checked(art_key, fetched_at)
            rows._schedule(art_key)
            rows._log_fetch(crawl_id, art_key, item, outcome, reason, number)
            rows._count(crawl_id, outcome)
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
            self._index_fts(article["_rowid"], art_key, fields)
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
        rows: ArticleRows = self._scope or self
        with self._transaction():
            rows._check_crawl(crawl_id)
            article = rows._article(art_key) if art_key else None
            if article is None and outcome in ("gone", "not_modified"):
                outcome, reason = "failed", f"{reason or outcome} (never archived)"
            elif article is None:
                pass
            elif outcome == "not_modified":
                outcome = "unchanged"
                if article["status"] != "live":
                    reason = f"{reason}; returned after {article['status']}"
                rows._touch_article(art_key, item, fetched_at, article["current_version"])
                rows._bump(crawl_id, "not_modified")
            elif outcome in ("gone", "redirected") and article["status"] == outcome:
                outcome, reason = "unchanged", f"still {article['status']}: {reason}"
                rows._checked(art_key, fetched_at)
            elif outcome in ("gone", "redirected"):
                self.db.execute(
                    "UPDATE articles SET status = ?, gone_at = ?, redirected_to = ? WHERE key = ?",
                    [outcome, fetched_at, item.get("redirected_to"), art_key])
                rows._checked(art_key, fetched_at)
            else:
                rows._checked(art_key, fetched_at)
            if article is not None and outcome != "failed" and outcome != "blocked":
                rows._schedule(art_key)  # a failure or a block leaves the article due: try again next crawl
            rows._log_fetch(crawl_id, art_key, item, outcome, reason,
                            article["current_version"] if article else None)
            rows._count(crawl_id, outcome)
        return outcome

    # --- reads ---------------------------------------------------------------------------------
    def known_articles(self, site: str, editions: list[str] | None = None,
                       status: str | None = "live") -> Iterator[tuple[str, str]]:
        """(key, url) of archived articles, read in batches (see archive.rechecks)."""
        statuses = (status,) if status else ("live", "gone", "redirected")
        for row in candidates(self.db, site, editions, "all", "", statuses):
            yield row["key"], row["url"]
