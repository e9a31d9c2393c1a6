"""The analysed, time-ordered search index: in-place migration, newest-first and rank orders, snippets, the CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from archive import searchindex
from archive.analysis import analyse
from archive.errors import QueryError
from archive.search import OLD_ARCHIVE, search
from archive.store import Archive
from tests.conftest import run_cli

URL = "https://www.kurdistan24.net/ar/story/{n}/%D8%A3%D8%B1%D8%A8%D9%8A%D9%84-%D8%A7%D9%84%D9%8A%D9%88%D9%85"


def item(n: int, title: str, body: str, published: str | None, edition: str = "ar") -> dict[str, Any]:
    return {"key": f"kurdistan24:{edition}:{n}", "url": URL.format(n=n), "title": title, "body": [body],
            "published_at": published, "fetched_at": "2024-03-01T08:00:00+00:00"}


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    path = tmp_path / "a.db"
    with Archive(path) as a:
        crawl = a.start_crawl("kurdistan24", ["ar", "ckb"], None)
        # Stored in an order unrelated to publication time, as a backfill would.
        a.record_article(crawl, item(1, "الحكومة تعلن الموازنة", "أعلنت الحكومة الموازنة العامة.",
                                     "2023-05-01T10:00:00+03:00"))
        a.record_article(crawl, item(2, "خبر عن الطقس", "قالت الحكومات المحلية إن الأمطار ستستمر.",
                                     "2024-02-10T09:00:00+03:00"))
        a.record_article(crawl, item(3, "اجتماع في بغداد", "ناقش الاجتماع دور الحكومة الاتحادية.",
                                     "2022-01-20T23:30:00+03:00"))
        a.record_article(crawl, item(4, "حكوومەتی هەرێم", "حکوومەتی هەرێمی کوردستان کۆبووەوە.",
                                     "2024-01-01T12:00:00+03:00", edition="ckb"))
        a.finish_crawl(crawl)
    return path


def keys(results: list[dict[str, Any]]) -> list[str]:
    return [r["key"] for r in results]


def test_date_order_follows_publication_not_storage(archive_path):
    with Archive(archive_path) as a:
        assert keys(search(a.db, "حكومة", edition="ar")) == [
            "kurdistan24:ar:2", "kurdistan24:ar:1", "kurdistan24:ar:3"]
        assert keys(search(a.db, "حكومة", edition="ar", limit=1)) == ["kurdistan24:ar:2"]
        assert keys(search(a.db, "حكومة", since="2023-01-01", until="2023-12-31")) == ["kurdistan24:ar:1"]
        # The site's day: 23:30 on 20 January in Erbil is the 20th.
        assert keys(search(a.db, "حكومة", since="2022-01-20", until="2022-01-20")) == ["kurdistan24:ar:3"]
        assert keys(search(a.db, "حكومة", until="2022-01-19")) == []
        docids = [r for (r,) in a.db.execute("SELECT search_id FROM articles ORDER BY published_at")]
        assert docids == sorted(docids)


def test_rank_puts_title_matches_first(archive_path):
    with Archive(archive_path) as a:
        ranked = search(a.db, "الموازنة OR الحكومة", edition="ar", sort="rank")
        # The oldest but one with the words in its title first, then newest first.
        assert [(r["key"], r["matched_in"]) for r in ranked] == [
            ("kurdistan24:ar:1", "title"), ("kurdistan24:ar:2", "body"), ("kurdistan24:ar:3", "body")]
        assert keys(search(a.db, "الموازنة OR الحكومة", edition="ar", sort="rank", limit=1)) == ["kurdistan24:ar:1"]
        # title:word inside a tier, and an excluded word, keep their meaning.
        assert keys(search(a.db, "title:اجتماع OR موازنة", sort="rank")) == ["kurdistan24:ar:1", "kurdistan24:ar:3"]
        assert keys(search(a.db, "حكومة -الموازنة", edition="ar", sort="rank")) == [
            "kurdistan24:ar:2", "kurdistan24:ar:3"]
        with pytest.raises(QueryError, match="sort must be one of date, rank"):
            search(a.db, "حكومة", sort="relevance")


def test_snippet_is_display_text_with_match_offsets(archive_path):
    with Archive(archive_path) as a:
        [hit] = search(a.db, "الحكومات", since="2024-02-01")
    assert hit["snippet"] == "قالت الحكومات المحلية إن الأمطار ستستمر."  # display text, not حكومات/حكوم
    assert [hit["snippet"][s:e] for s, e in hit["highlights"]] == ["الحكومات"]
    assert hit["url_display"] == "https://www.kurdistan24.net/ar/story/2/أربيل-اليوم"
    assert hit["edition_name"] == "العربية"


def test_sorani_and_arabic_spellings_meet(archive_path):
    with Archive(archive_path) as a:
        [hit] = search(a.db, "كردستان")  # typed in Arabic spelling, the Sorani article writes کوردستان
        assert hit["key"] == "kurdistan24:ckb:4"
        assert [hit["snippet"][s:e] for s, e in hit["highlights"]] == ["کوردستان"]
    assert analyse("الحكومة الاتحادية", "ar") == "حكوم اتحاد"
    assert analyse("مسئول مسؤول", "ar") == "مسءول مسءول"
    assert analyse("هەولێر أربيل", "ckb") == analyse("أربيل أربيل", "ar") == "اربيل اربيل"


def test_docid_is_time_ordered():
    assert searchindex.minute("1970-01-02T00:01:00+03:00") == 24 * 60 + 1
    assert searchindex.minute("2024-01-01") == searchindex.minute("2024-01-01T00:00:00Z")
    assert searchindex.minute("not a date") == searchindex.minute(None) == 0
    docid = searchindex.DocIds()
    first, second = docid("2024-01-01T10:00"), docid("2024-01-01T10:00+03:00")
    assert second == first + 1 and first > docid("2023-12-31T23:59")
    low, high = searchindex.day_range("2024-01-02", "2024-01-02")
    assert low <= docid("2024-01-02T00:00") < docid("2024-01-02T23:59") <= high


def _make_v1(path: Path) -> None:
    """Turn a current archive back into what newsarchive wrote before the analysed index (schema 1)."""
    conn = sqlite3.connect(path)
    for (view,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'").fetchall():
        conn.execute(f"DROP VIEW {view}")
    conn.execute("DROP TABLE search_fts")
    conn.execute("DROP INDEX idx_articles_search_id")
    conn.execute("ALTER TABLE articles DROP COLUMN search_id")
    conn.execute("CREATE VIRTUAL TABLE articles_fts USING fts5(title_key, lead_key, body_key, "
                 "tokenize = 'unicode61 remove_diacritics 0')")
    conn.execute("INSERT INTO articles_fts (rowid, title_key, lead_key, body_key) SELECT a.rowid, v.title_key, "
                 "v.lead_key, v.body_key FROM articles a JOIN versions v ON v.article_key = a.key "
                 "AND v.version = a.current_version")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def test_old_archive_is_migrated_in_place_on_open(archive_path):
    conn = sqlite3.connect(archive_path)
    before = conn.execute("SELECT article_key, version, content_hash, body FROM versions ORDER BY id").fetchall()
    conn.close()
    _make_v1(archive_path)
    # A reader that does not migrate (a read-only open) is told what to do, in one line.
    plain = Database(sqlite3.connect(archive_path))
    with pytest.raises(QueryError, match="older newsarchive"):
        search(plain, "حكومة")
    assert "newsarchive migrate" in OLD_ARCHIVE
    plain.conn.close()
    with Archive(archive_path) as a:  # a writer's open migrates
        assert a.db.execute("PRAGMA user_version").fetchone()[0] == 4
        assert keys(search(a.db, "حكومة", edition="ar")) == ["kurdistan24:ar:2", "kurdistan24:ar:1",
                                                             "kurdistan24:ar:3"]
        assert a.db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'articles_fts'").fetchone() == (0,)
        after = a.db.execute("SELECT article_key, version, content_hash, body FROM versions ORDER BY id").fetchall()
        assert after == before  # versions untouched
        a.db.execute("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')")


def test_an_edit_reindexes_under_the_same_docid(archive_path):
    with Archive(archive_path) as a:
        old = a.db.execute("SELECT search_id FROM articles WHERE key = 'kurdistan24:ar:3'").fetchone()
        crawl = a.start_crawl("kurdistan24", ["ar"], None)
        a.record_article(crawl, item(3, "اجتماع في بغداد", "ناقش الاجتماع ملف الكهرباء.", "2022-01-20T23:30:00+03:00"))
        assert a.db.execute("SELECT search_id FROM articles WHERE key = 'kurdistan24:ar:3'").fetchone() == old
        assert keys(search(a.db, "الكهرباء")) == ["kurdistan24:ar:3"]
        assert "kurdistan24:ar:3" not in keys(search(a.db, "الاتحادية"))
        assert a.db.execute("SELECT count(*) FROM search_fts").fetchone() == (4,)


def test_cli_highlights_urls_and_errors(archive_path):
    db = str(archive_path)
    proc = run_cli("search", "--db", db, "الحكومات", "--lang", "ar", "--since", "2024-01-01")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ("خبر عن الطقس\n  العربية · 2024-02-10 09:00 · kurdistan24:ar:2\n"
                           "  https://www.kurdistan24.net/ar/story/2/أربيل-اليوم\n"
                           "  قالت [الحكومات] المحلية إن الأمطار ستستمر.\n\n")
    proc = run_cli("search", "--db", db, "حكومة", "--color", "always", "--lang", "ar", "--limit", "1")
    assert "\x1b[1;33mالحكومات\x1b[0m" in proc.stdout
    proc = run_cli("search", "--db", db, "حكومة", "--json", "--sort", "rank")
    results = json.loads(proc.stdout)
    # Sorani حکوومەت (long vowel) is another spelling than Arabic حكومة: not folded together.
    assert {r["key"] for r in results} == {"kurdistan24:ar:1", "kurdistan24:ar:2", "kurdistan24:ar:3"}
    for args, message in [(["--lang", "xx", "حكومة"], "no edition 'xx' in this archive (it has: ar, ckb)"),
                          (["url:kurdistan24"], "unknown field url:"), (['NEAR(حكومة موازنة)'], "NEAR is not"),
                          (["--sort", "best", "حكومة"], "invalid choice")]:
        proc = run_cli("search", "--db", db, *args)
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1 or "usage" in proc.stderr
