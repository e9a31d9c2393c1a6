"""The archive's tables, indexes and FTS index, created and migrated by `migrate()` (PRAGMA user_version)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from archive.errors import ArchiveError
from archive.lock import real_path

SCHEMA_VERSION = 4

# Key text is already folded by archive.text.key(), so the tokenizer must not fold again;
# remove_diacritics only knows Latin marks anyway.
FTS_TOKENIZE = "unicode61 remove_diacritics 0"


def connect(path: str | os.PathLike[str]) -> Database:
    """Open (creating parent folders) and migrate the archive at `path`; ArchiveError if it cannot be."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # The real path: SQLite names its -wal after the path it is given, and every opener (a crawl
        # through a symlink, a reader through the real name) must use the same one.
        # check_same_thread off: a crawl's writer thread uses the connection opened by the pipeline (never
        # two threads at once: the pipeline only touches it again after the writer thread has ended).
        conn = sqlite3.connect(str(real_path(target)), timeout=5.0, check_same_thread=False)
    except (OSError, sqlite3.Error) as exc:
        raise ArchiveError(f"cannot open archive {target}: {_reason(exc)}") from None
    try:
        db = Database(conn)
        configure(db)
        migrate(db)
        refresh_views(db)
    except sqlite3.Error as exc:
        conn.close()
        raise ArchiveError(f"cannot use archive {target}: {_reason(exc)}") from None
    return db


def refresh_views(db: Database) -> None:
    """Recreate views this newsarchive defines otherwise (readers never do: they say to run a crawl)."""
    from archive import views
    from archive.connect import stale_views

    if stale_views(db):
        try:
            views.create_views(db)
        except sqlite3.OperationalError:
            pass  # another writer holds the archive: it is a newsarchive too, and makes them itself


def _reason(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def configure(db: Database) -> None:
    """Per-connection settings: WAL so readers never block the crawl's writer, NORMAL sync (safe in WAL)."""
    db.execute("PRAGMA busy_timeout = 5000")
    db.execute("PRAGMA foreign_keys = ON")
    # Touch the file first: a non-database file fails here with a clear sqlite3 error.
    db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")


def migrate(db: Database) -> int:
    """Bring the schema to SCHEMA_VERSION; idempotent and safe when two processes open the file at once."""
    current = db.execute("PRAGMA user_version").fetchone()[0]
    if current == SCHEMA_VERSION:
        return current
    if current > SCHEMA_VERSION:
        raise ArchiveError(f"archive schema {current} is newer than this newsarchive (knows {SCHEMA_VERSION})")
    # IMMEDIATE takes the write lock now; re-read inside it, as another process may have migrated since.
    db.execute("BEGIN IMMEDIATE")
    try:
        current = db.execute("PRAGMA user_version").fetchone()[0]
        for target in range(current + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[target](db)
            db.execute(f"PRAGMA user_version = {int(target)}")
    except BaseException:
        db.rollback()
        raise
    db.commit()
    return SCHEMA_VERSION


def _v1(db: Database) -> None:
    articles = db.table("articles")
    articles.create(
        {
            "key": str, "site": str, "edition": str, "article_id": str, "url": str, "canonical_url": str,
            "status": str, "first_seen_at": str, "last_seen_at": str, "last_checked_at": str, "gone_at": str,
            "current_version": int, "version_count": int, "duplicate_of": str,
            "published_at": str, "published_approx": int, "modified_at": str,
            "etag": str, "last_modified": str, "next_check_at": str, "last_changed_at": str, "redirected_to": str,
        },
        pk="key", not_null={"site", "edition", "url", "status", "first_seen_at"},
        defaults={"status": "live", "version_count": 0}, if_not_exists=True,
    )
    articles.create_index(["site", "edition"], if_not_exists=True)
    articles.create_index(["status"], if_not_exists=True)
    articles.create_index(["duplicate_of"], if_not_exists=True)
    articles.create_index(["site", "edition", "next_check_at"], if_not_exists=True)

    db.table("crawls").create(
        {
            "id": int, "site": str, "editions": str, "base_url": str, "started_at": str, "finished_at": str,
            "outcome": str, "pid": int, "new_articles": int, "new_versions": int, "unchanged": int,
            "failed": int, "blocked": int, "gone": int, "suspect": int, "redirected": int, "not_modified": int,
            "reextracted": int, "duration_s": float,
        },
        pk="id", not_null={"started_at", "outcome"},
        defaults={name: 0 for name in ("new_articles", "new_versions", "unchanged", "failed", "blocked", "gone",
                                       "suspect", "redirected", "not_modified", "reextracted")},
        if_not_exists=True,
    )

    versions = db.table("versions")
    versions.create(
        {
            "id": int, "article_key": str, "version": int, "crawl_id": int, "fetched_at": str, "url": str,
            "http_status": int, "title": str, "lead": str, "body": str, "author": str, "section": str,
            "tags": str, "images": str, "published_at": str, "published_approx": int, "modified_at": str,
            "dateline_place": str, "dateline_agency": str, "title_key": str, "lead_key": str, "body_key": str,
            "content_hash": str, "raw_html": bytes, "raw_encoding": str, "raw_size": int,
            "extractor_version": str, "sources": str, "dropped": str, "replacement_chars": int, "change": str,
            "origin": str, "content_type": str,
        },
        pk="id", not_null={"article_key", "version", "fetched_at", "content_hash"},
        defaults={"origin": "fetch"},
        foreign_keys=[("article_key", "articles", "key"), ("crawl_id", "crawls", "id")],
        if_not_exists=True,
    )
    versions.create_index(["article_key", "version"], unique=True, if_not_exists=True)
    versions.create_index(["content_hash"], if_not_exists=True)
    versions.create_index(["fetched_at"], if_not_exists=True)

    # Extractions held back by the false-edit guard (archive/guard.py): never versions unless confirmed.
    suspects = db.table("suspects")
    suspects.create(
        {
            "id": int, "article_key": str, "crawl_id": int, "fetched_at": str, "reason": str,
            "content_hash": str, "title": str, "lead": str, "body": str, "extractor_version": str,
            "raw_html": bytes, "resolution": str, "resolved_at": str,
        },
        pk="id", not_null={"article_key", "fetched_at", "reason", "content_hash"},
        foreign_keys=[("article_key", "articles", "key")], if_not_exists=True,
    )
    suspects.create_index(["article_key", "content_hash"], if_not_exists=True)

    fetches = db.table("fetches")
    fetches.create(
        {
            "id": int, "crawl_id": int, "article_key": str, "url": str, "fetched_at": str,
            "http_status": int, "outcome": str, "reason": str, "version": int,
        },
        pk="id", not_null={"fetched_at", "outcome"},
        # No FK on article_key: a failed fetch of a never-archived URL still names its identity.
        foreign_keys=[("crawl_id", "crawls", "id")], if_not_exists=True,
    )
    fetches.create_index(["article_key"], if_not_exists=True)
    fetches.create_index(["crawl_id", "outcome"], if_not_exists=True)

    # One row per article (rowid = articles.rowid) holding the current version's key layers. A plain
    # (content-storing) FTS5 table, so Datasette and snippet() can show the indexed text.
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5("
        f"title_key, lead_key, body_key, tokenize = '{FTS_TOKENIZE}')"
    )
    from archive import neardup  # here, not at the top: it imports archive.schema

    neardup.ensure_tables(db)  # the views come with v4, which adds the column they show


def _v4(db: Database) -> None:
    """The analysed search index (archive/searchindex.py) replaces articles_fts, built from the stored
    versions in place; its docid follows publication time (articles.search_id)."""
    from archive import searchindex, views

    if "search_id" not in {c[1] for c in db.execute("PRAGMA table_info(articles)")}:
        db.execute("ALTER TABLE articles ADD COLUMN search_id INTEGER")
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS idx_articles_search_id ON articles (search_id)")
    searchindex.create(db)
    searchindex.rebuild(db)
    db.execute("DROP TABLE IF EXISTS articles_fts")
    views.create_views(db)


def _v2(db: Database) -> None:
    """In place: which site layout read each version; where a crawl's site profile came from (reextract)."""
    if "layout" not in db.table("versions").columns_dict:
        db.execute("ALTER TABLE versions ADD COLUMN layout TEXT")
    if "site_source" not in db.table("crawls").columns_dict:
        db.execute("ALTER TABLE crawls ADD COLUMN site_source TEXT")


def _v3(db: Database) -> None:
    """In place: extraction health per crawl (crawls.field_counts)."""
    from archive import health  # here, not at the top: health reads through archive.schema

    health.add_columns(db)  # crawls.field_counts: extraction health per crawl


MIGRATIONS: dict[int, Any] = {1: _v1, 2: _v2, 3: _v3, 4: _v4}


def needs_migration(db: Any) -> bool:
    """True for an archive written by an older newsarchive (a read-only open cannot upgrade it)."""
    return int(as_database(db).execute("PRAGMA user_version").fetchone()[0]) < SCHEMA_VERSION


def rebuild_fts(db: Database) -> int:
    """Refill the search index from the current versions (after a VACUUM that renumbered rowids, or a repair)."""
    from archive import searchindex

    with db.atomic():
        return searchindex.rebuild(db)


def rows(db: Any, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """The result of a query as dicts keyed by column name."""
    cursor = as_database(db).execute(sql, list(params))
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def batches(db: Any, sql: str, params: Sequence[Any], id_column: str, size: int = 500) -> Iterator[dict[str, Any]]:
    """Rows of `sql` (its WHERE ending in `AND <id_column> > ?`, no ORDER/LIMIT) in batches by id.

    Each batch is its own short read, so a caller holding the iterator for hours never pins an old
    snapshot (which would stop the WAL from being checkpointed)."""
    last = 0
    while True:
        page = rows(db, f"{sql} ORDER BY {id_column} LIMIT ?", [*params, last, size])
        if not page:
            return
        yield from page
        last = page[-1][id_column.rsplit(".", 1)[-1]]


def as_database(db: Any) -> Database:
    """Read-side functions accept a sqlite_utils.Database or anything holding one as `.db` (Archive)."""
    inner = getattr(db, "db", None)
    return inner if isinstance(inner, Database) else db
