"""Backfill of a generated Kurdistan24-shaped site: every article once, a cheap crawl after, --since, --max-pages."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from benchmarks.server import BenchServer
from benchmarks.sitegen import EPOCH, FIRST_ID
from tests.conftest import crawl_json, run_cli

N = 1500
PER_PAGE = 20       # 75 listing pages: far past the profile's max_listing_pages = 5 that `crawl` walks


def backfill_json(db: str, base_url: str, *extra: str, code: int = 0) -> dict[str, Any]:
    proc = run_cli("backfill", "--local", "--json", "--db", db, "--base-url", base_url, *extra, timeout=300)
    assert proc.returncode == code, proc.stderr[-3000:]
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def article_fetches(fetches: dict[str, int]) -> dict[str, int]:
    return {t: n for t, n in fetches.items() if t.startswith("/ar/story/")}


def query(db: str, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def deep_site() -> Any:
    with BenchServer(N, per_page=PER_PAGE, sitemap=True) as srv:
        yield srv


def test_backfill_archives_every_article_once_and_a_crawl_after_finds_nothing(deep_site, tmp_path: Path):
    db = str(tmp_path / "archive.db")
    deep_site.reset()
    started = time.monotonic()
    report = backfill_json(db, deep_site.base_url)
    backfill_s = time.monotonic() - started
    fetched = deep_site.fetches()
    articles = article_fetches(fetched)
    assert len(articles) == N and set(articles.values()) == {1}, "every article fetched exactly once"
    assert report["crawl"]["new_articles"] == N
    assert (report["crawl"]["new_versions"], report["crawl"]["failed"], report["crawl"]["unchanged"]) == (0, 0, 0)
    assert query(db, "SELECT count(*), count(DISTINCT article_key) FROM versions") == [(N, N)]
    assert query(db, "SELECT min(article_id), max(article_id) FROM articles") == [(str(FIRST_ID), str(FIRST_ID + N - 1))]
    # Listing pages 1..75 and the 404 past the end, each once; the sitemap index and its 3 children once.
    listing = {t: n for t, n in fetched.items() if t.startswith("/ar/latest")}
    assert sorted(listing) == sorted(["/ar/latest"] + [f"/ar/latest?page={p}" for p in range(2, N // PER_PAGE + 2)])
    assert set(listing.values()) == {1}
    assert {t: n for t, n in fetched.items() if "sitemap" in t} == {
        "/sitemap.xml": 1, "/sitemaps/ar-1.xml": 1, "/sitemaps/ar-2.xml": 1, "/sitemaps/ar-3.xml": 1}
    walks = {(w["kind"], w["target"].rsplit("/", 1)[1]): w["state"] for w in report["backfill"]["walks"]}
    assert walks == {("listing", "latest"): "complete", ("sitemap", "sitemap.xml"): "complete",
                     **{("sitemap", f"ar-{k}.xml"): "complete" for k in (1, 2, 3)}}
    assert query(db, "SELECT kind, position, done FROM backfill_progress WHERE kind = 'listing'") == [
        ("listing", N // PER_PAGE + 1, 1)]
    assert datetime.fromisoformat(report["backfill"]["oldest_published"]) == EPOCH

    deep_site.reset()
    started = time.monotonic()
    after = crawl_json("--db", db, "--base-url", deep_site.base_url)
    crawl_s = time.monotonic() - started
    fetched_after = deep_site.fetches()
    assert (after["crawl"]["new_articles"], after["crawl"]["new_versions"], after["crawl"]["failed"]) == (0, 0, 0)
    assert article_fetches(fetched_after) == {}, "nothing archived is due: no article fetched again"
    assert "note" not in after  # the archive was backfilled: no "older articles were not fetched"
    requests_after, requests_backfill = sum(fetched_after.values()), sum(fetched.values())
    assert requests_after <= requests_backfill // 10
    print(f"\nbackfill: {N}/{N} articles in {backfill_s:.1f} s ({requests_backfill} requests); crawl after: "
          f"{crawl_s:.1f} s ({requests_after} requests) = {100 * crawl_s / backfill_s:.1f}% of the backfill's time")


def test_first_crawl_says_older_articles_were_not_fetched_and_stats_shows_the_reach(deep_site, tmp_path: Path):
    db = str(tmp_path / "archive.db")
    proc = run_cli("crawl", "--local", "--db", db, "--base-url", deep_site.base_url)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "note: older articles were not fetched" in proc.stdout and "`newsarchive backfill`" in proc.stdout
    again = crawl_json("--db", db, "--base-url", deep_site.base_url)
    assert "note" not in again
    stats = json.loads(run_cli("stats", "--json", "--db", db).stdout)
    reach = stats["reach_by_edition"]["ar"]
    # 5 listing pages of 20 and the feed's 50: the newest 100 articles only (plus a few linked from them).
    count, = query(db, "SELECT count(*) FROM articles")[0]
    assert reach["articles"] == count and 100 <= count < 200
    oldest = min(int(k.rsplit(":", 1)[1]) for (k,) in query(db, "SELECT key FROM articles")) - FIRST_ID
    assert datetime.fromisoformat(reach["oldest_published"]) == EPOCH + timedelta(minutes=7 * oldest)
    assert datetime.fromisoformat(reach["newest_published"]) == EPOCH + timedelta(minutes=7 * (N - 1))
    text = run_cli("stats", "--db", db).stdout
    assert f"reach: ar: {count} articles published {reach['oldest_published'][:10]} to " in text, text


def test_since_stops_the_listing_at_a_page_all_older(tmp_path: Path):
    db = str(tmp_path / "archive.db")
    n = 300
    # Article i is published EPOCH + 7 i minutes; --since at article 200's time. Listing pages hold 20
    # articles newest first: pages 1-5 are 299..200, page 6 (199..180) is all older: the walk stops there.
    since = (EPOCH + timedelta(minutes=7 * 200)).isoformat()
    with BenchServer(n, per_page=PER_PAGE, sitemap=True) as srv:
        report = backfill_json(db, srv.base_url, "--since", since)
        fetched = srv.fetches()
    listing = sorted(t for t in fetched if t.startswith("/ar/latest"))
    assert listing == sorted(["/ar/latest"] + [f"/ar/latest?page={p}" for p in range(2, 7)])
    ids = sorted(int(k.rsplit(":", 1)[1]) - FIRST_ID for (k,) in query(db, "SELECT key FROM articles"))
    # 200..299 from the listing and the sitemap, 180..199 from page 6; sitemap entries published before
    # --since are skipped.
    assert ids == list(range(180, 300))
    assert report["backfill"]["entry_outside_dates"] == 200
    assert {w["kind"]: w["state"] for w in report["backfill"]["walks"] if w["kind"] == "listing"} == {
        "listing": "stopped at --since"}


def test_until_skips_sitemap_entries_published_after(tmp_path: Path):
    db = str(tmp_path / "archive.db")
    n = 300
    until = (EPOCH + timedelta(minutes=7 * 99)).isoformat()  # article 99's publication time, inclusive
    with BenchServer(n, per_page=PER_PAGE, sitemap=True) as srv:
        report = backfill_json(db, srv.base_url, "--sources", "sitemaps", "--until", until)
    ids = sorted(int(k.rsplit(":", 1)[1]) - FIRST_ID for (k,) in query(db, "SELECT key FROM articles"))
    assert ids == list(range(100))
    assert report["backfill"]["entry_outside_dates"] == n - 100
    assert [w["kind"] for w in report["backfill"]["walks"]] == ["sitemap", "sitemap"]


def test_max_pages_caps_a_run_and_the_next_run_continues(tmp_path: Path):
    db = str(tmp_path / "archive.db")
    n = 120
    with BenchServer(n, per_page=PER_PAGE) as srv:  # no sitemap: the listing alone
        # Text output, and plain progress lines (not a terminal) every 0.1 s.
        first = run_cli("backfill", "--local", "--db", db, "--base-url", srv.base_url, "--max-pages", "40",
                        "-s", "NEWSARCHIVE_PROGRESS_INTERVAL=0.1", "-s", "CONCURRENT_REQUESTS=4")
        assert first.returncode == 0, first.stderr[-2000:]
        archived_first = query(db, "SELECT count(*) FROM articles")[0][0]
        second = backfill_json(db, srv.base_url)
        fetched = srv.fetches()
    assert 0 < archived_first < n
    assert "  run the same command again to continue where this run stopped" in first.stdout, first.stdout
    progress = [line for line in first.stderr.splitlines() if line.startswith("progress: ")]
    assert progress and all(" pages/s | targets " in line for line in progress), first.stderr[-2000:]
    assert query(db, "SELECT count(*) FROM articles") == [(n,)]
    assert second["crawl"]["new_articles"] == n - archived_first
    assert set(article_fetches(fetched).values()) == {1}
    assert [w["state"] for w in second["backfill"]["walks"]] == ["complete"]


def test_backfill_after_crawls_fetches_only_what_they_did_not(tmp_path: Path):
    db = str(tmp_path / "archive.db")
    n = 180
    with BenchServer(n, per_page=PER_PAGE) as srv:
        crawled = crawl_json("--db", db, "--base-url", srv.base_url)["crawl"]["new_articles"]
        report = backfill_json(db, srv.base_url)
        fetched = srv.fetches()
    assert 0 < crawled < n and report["crawl"]["new_articles"] == n - crawled
    assert len(article_fetches(fetched)) == n and set(article_fetches(fetched).values()) == {1}
    reach = json.loads(run_cli("stats", "--json", "--db", db).stdout)["reach_by_edition"]["ar"]
    assert reach["articles"] == n and datetime.fromisoformat(reach["oldest_published"]) == EPOCH


def test_backfill_refuses_a_locked_archive(tmp_path: Path):
    from archive.lock import CrawlLock

    db = str(tmp_path / "archive.db")
    with CrawlLock(db):
        proc = run_cli("backfill", "--db", db, "--base-url", "http://127.0.0.1:9")
    assert proc.returncode == 75
    assert "another crawl is writing to" in proc.stderr
