"""Batched archive writes: one transaction per batch, a savepoint per item, nothing kept of a batch that fails."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archive.batch import write_batch
from archive.errors import ArchiveError
from archive.store import Archive
from tests.fault_server import article_html

FETCHED = "2024-05-01T10:00:00+00:00"


def article(n: int, body: list[str] | None = None) -> dict[str, Any]:
    return {"kind": "article", "key": f"kurdistan24:ar:{n}", "site": "kurdistan24", "edition": "ar",
            "article_id": str(n), "url": f"https://www.kurdistan24.net/ar/story/{n}/x", "http_status": 200,
            "title": f"عنوان الخبر رقم {n}", "lead": None,
            "body": body or [f"قالت الحكومة في الخبر رقم {n} إن العمل مستمر في المشاريع الجديدة."],
            "fetched_at": FETCHED, "raw_html": article_html(n).encode(), "extractor_version": "test"}


def observation(n: int) -> dict[str, Any]:
    return {"kind": "observation", "key": f"kurdistan24:ar:{n}", "url": f"https://www.kurdistan24.net/ar/story/{n}/x",
            "outcome": "failed", "reason": "HTTP 500", "http_status": 500, "fetched_at": FETCHED}


def rows(archive: Archive, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in archive.db.execute(sql).fetchall()]


def test_one_failing_item_loses_only_itself(tmp_path: Path):
    with Archive(tmp_path / "a.db") as archive:
        crawl_id = archive.start_crawl("kurdistan24", ["ar"], None)
        # Refused at its version row, after its article row was written: the savepoint takes both back.
        archive.db.execute("CREATE TRIGGER refuse BEFORE INSERT ON versions WHEN NEW.article_key = 'kurdistan24:ar:2' "
                           "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END")
        no_key = {**article(4), "key": None}
        results = write_batch(archive, crawl_id, [article(1), article(2), article(3), no_key, observation(5)])
        assert results[0] == "new" and results[2] == "new" and results[4] == "failed"
        assert isinstance(results[1], sqlite3.IntegrityError) and "refused by a test trigger" in str(results[1])
        assert isinstance(results[3], ArchiveError) and "article item without a key" in str(results[3])
        assert not archive.db.conn.in_transaction
        assert rows(archive, "SELECT key, current_version FROM articles ORDER BY key") == [
            ("kurdistan24:ar:1", 1), ("kurdistan24:ar:3", 1)]
        assert rows(archive, "SELECT article_key, version FROM versions ORDER BY article_key") == [
            ("kurdistan24:ar:1", 1), ("kurdistan24:ar:3", 1)]
        assert rows(archive, "SELECT article_key, outcome FROM fetches ORDER BY id") == [
            ("kurdistan24:ar:1", "new"), ("kurdistan24:ar:3", "new"), ("kurdistan24:ar:5", "failed")]
        assert rows(archive, f"SELECT new_articles, failed FROM crawls WHERE id = {crawl_id}") == [(2, 1)]
        assert rows(archive, "SELECT count(*) FROM search_fts") == [(2,)]
        # The same item again in a later batch: its decision is the one a lone record_article makes.
        archive.db.execute("DROP TRIGGER refuse")
        assert write_batch(archive, crawl_id, [article(2), article(1)]) == ["new", "unchanged"]


def test_a_batch_that_fails_for_the_archive_keeps_nothing_of_it(tmp_path: Path):
    with Archive(tmp_path / "a.db") as archive:
        crawl_id = archive.start_crawl("kurdistan24", ["ar"], None)
        assert write_batch(archive, crawl_id, [article(1)]) == ["new"]
        pages = archive.db.execute("PRAGMA page_count").fetchone()[0]
        archive.db.execute(f"PRAGMA max_page_count = {pages + 2}")  # room for an item or so, not for the batch
        long_body = [f"فقرة رقم {i} من خبر طويل جدا عن المشاريع الجديدة في أربيل والسليمانية." for i in range(300)]
        with pytest.raises(sqlite3.OperationalError) as caught:
            write_batch(archive, crawl_id, [article(n, long_body) for n in range(2, 12)])
        assert caught.value.sqlite_errorcode == sqlite3.SQLITE_FULL
        assert not archive.db.conn.in_transaction
        assert rows(archive, "SELECT key FROM articles") == [("kurdistan24:ar:1",)]
        assert rows(archive, "SELECT count(*) FROM versions") == [(1,)]
        assert rows(archive, f"SELECT new_articles FROM crawls WHERE id = {crawl_id}") == [(1,)]


def test_a_batch_decides_each_article_as_one_transaction_each_would(tmp_path: Path):
    """An article twice in one batch (an edit seen twice): the second sees the first's rows."""
    edited = article(1, ["قالت الحكومة في الخبر رقم 1 إن العمل متواصل في المشاريع الجديدة."])
    with Archive(tmp_path / "batched.db") as batched, Archive(tmp_path / "single.db") as single:
        items = [article(1), article(2), edited, edited, article(2), observation(2)]
        got = write_batch(batched, batched.start_crawl("kurdistan24", ["ar"], None), items)
        crawl_id = single.start_crawl("kurdistan24", ["ar"], None)
        expected = [single.record_article(crawl_id, i) if i["kind"] == "article" else single.record_observation(crawl_id, i)
                    for i in items]
        assert got == expected == ["new", "new", "version", "unchanged", "unchanged", "failed"]
        sql = "SELECT article_key, version, content_hash FROM versions ORDER BY article_key, version"
        assert rows(batched, sql) == rows(single, sql)
