"""Edit tracking: no false edits (noise, blocks, errors, broken extractions), conditional rechecks, one writer."""

from __future__ import annotations

import itertools
import json
import signal
import sqlite3
import subprocess
import sys
import time
from typing import Any

from archive.lock import CrawlLock
from tests.conftest import ROOT, crawl_json, run_cli
from tests.server import FixtureServer, Route

TITLE = "البرلمان يناقش قانون الموازنة"
PARAS = [
    "أربيل (كوردستان 24)- ناقش برلمان إقليم كوردستان اليوم مشروع قانون الموازنة العامة للعام المقبل في جلسة مطولة.",
    "وقال رئيس اللجنة المالية إن المشروع يتضمن زيادة في مخصصات قطاعي التعليم والصحة مقارنة بالعام الماضي.",
    "ومن المقرر أن يصوت البرلمان على القانون الأسبوع المقبل بعد استكمال القراءة الثانية.",
]


def page(title: str = TITLE, paras: list[str] = PARAS, noise: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f"<html lang='ar'><head><meta charset='utf-8'><title>{title}</title>{noise}</head><body>"
            f"<article class='story'><div class='intro'><h1 itemprop='Title'>{title}</h1></div>"
            f"<div class='reader-content'>{body}</div></article></body></html>").encode()


def home(*ids: int) -> bytes:
    cards = "".join(f"<article><h3><a href='/ar/story/{i}/x'>{i}</a></h3></article>" for i in ids)
    return f"<html><body><nav><a href='/ar/latest'>l</a></nav>{cards}</body></html>".encode()


def site(article: Route, feed: bytes = b"<rss><channel></channel></rss>", **extra: Route) -> dict[str, Route]:
    return {"/robots.txt": Route(b"", 404), "/ar": Route(home(1)), "/ar/latest": Route(home(1)),
            "/ar/rss.xml": Route(feed, headers={"Content-Type": "application/rss+xml"}),
            "/ar/story/1/x": article, **extra}


def versions(db: str, key: str = "kurdistan24:ar:1") -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT version, origin FROM versions WHERE article_key = ? ORDER BY version",
                            [key]).fetchall()
    finally:
        conn.close()


def fetch_outcomes(db: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT crawl_id, outcome, reason FROM fetches WHERE article_key = 'kurdistan24:ar:1' "
                            "ORDER BY id").fetchall()
    finally:
        conn.close()


def test_per_request_noise_and_changing_validators_make_no_version(db_path):
    counter = itertools.count()

    def noisy() -> tuple[bytes, dict[str, str]]:
        n = next(counter)
        # A new ETag and a new nonce on every request: only the content decides.
        return page(noise=f"<script>var nonce={n};</script>"), {"Content-Type": "text/html; charset=utf-8",
                                                               "ETag": f'"v{n}"'}

    with FixtureServer(site(Route(dynamic=noisy))) as srv:
        for _ in range(3):
            report = crawl_json("--db", db_path, "--base-url", srv.base_url, "--recheck", "all")
    assert versions(db_path) == [(1, "fetch")]
    assert report["crawl"]["unchanged"] == 1


def test_blocks_errors_and_deletion_never_become_versions(db_path):
    article = Route(page())
    routes = site(article)
    with FixtureServer(routes) as srv:
        crawl_json("--db", db_path, "--base-url", srv.base_url)
        answers = [
            Route(b"<html><head><title>Just a moment...</title></head><body>Checking if the site connection is "
                  b"secure</body></html>", 200),
            Route(b"<html><body>server error</body></html>", 500),
            Route(page(paras=[]), 200),  # a page that extracts with an empty body
            Route(b"not found", 404),
        ]
        for answer in answers:
            routes["/ar/story/1/x"] = answer
            crawl_json("--db", db_path, "--base-url", srv.base_url, "--recheck", "all", "-s", "RETRY_TIMES=0")
    assert versions(db_path) == [(1, "fetch")]
    assert [(c, o) for c, o, _ in fetch_outcomes(db_path)] == [
        (1, "new"), (2, "blocked"), (3, "failed"), (4, "failed"), (5, "gone")]
    reasons = [r for _, _, r in fetch_outcomes(db_path)]
    assert reasons[1:] == ['challenge page: "Just a moment..."', "HTTP 500", "empty body", "HTTP 404"]
    proc = run_cli("history", "--db", db_path, "--json", "kurdistan24:ar:1")
    data = json.loads(proc.stdout)
    assert (data["article"]["status"], len(data["versions"])) == ("gone", 1)


def test_rechecks_are_conditional_and_304_is_unchanged(db_path):
    with FixtureServer(site(Route(page(), etag='"abc"'))) as srv:
        crawl_json("--db", db_path, "--base-url", srv.base_url)
        report = crawl_json("--db", db_path, "--base-url", srv.base_url, "--recheck", "all")
    assert (report["crawl"]["unchanged"], report["crawl"]["not_modified"]) == (1, 1)
    assert fetch_outcomes(db_path)[-1] == (2, "unchanged", "not modified (304)")
    assert versions(db_path) == [(1, "fetch")]


def test_feed_date_after_last_check_triggers_a_recheck(db_path):
    def feed(date: str) -> bytes:
        return (f"<rss><channel><item><link>/ar/story/1/x</link><pubDate>{date}</pubDate></item>"
                f"</channel></rss>").encode()

    routes = site(Route(page()), feed=feed("Mon, 01 Jan 2024 10:00:00 +0300"))
    with FixtureServer(routes) as srv:
        crawl_json("--db", db_path, "--base-url", srv.base_url)
        # Not due (just checked), and the feed's date is older than our check: not fetched.
        mark = len(srv.requests)
        crawl_json("--db", db_path, "--base-url", srv.base_url)
        assert "/ar/story/1/x" not in srv.requests[mark:]
        # The feed now says the article changed after our last check: fetched at once.
        routes["/ar/rss.xml"] = Route(feed("Fri, 01 Jan 2100 10:00:00 +0300"),
                                      headers={"Content-Type": "application/rss+xml"})
        routes["/ar/story/1/x"] = Route(page(title=TITLE + " (محدث)"))
        report = crawl_json("--db", db_path, "--base-url", srv.base_url)
    assert report["crawl"]["new_versions"] == 1
    assert versions(db_path) == [(1, "fetch"), (2, "fetch")]


def test_redirect_to_another_article_is_an_event(db_path):
    with FixtureServer(site(Route(page()))) as srv:
        crawl_json("--db", db_path, "--base-url", srv.base_url)
        srv.routes["/ar/story/1/x"] = Route(b"", 301, {"Location": "/ar/story/2/y"})
        srv.routes["/ar/story/2/y"] = Route(page(title="عنوان آخر"))
        report = crawl_json("--db", db_path, "--base-url", srv.base_url, "--recheck", "all")
    assert report["crawl"]["redirected"] == 1
    assert fetch_outcomes(db_path)[-1] == (2, "redirected", "redirected to kurdistan24:ar:2")
    assert versions(db_path, "kurdistan24:ar:2") == [(1, "fetch")]
    assert versions(db_path) == [(1, "fetch")]


def test_second_concurrent_crawl_is_refused(db_path):
    with CrawlLock(db_path):
        proc = run_cli("crawl", "--db", db_path, "--base-url", "http://127.0.0.1:9", "--local")
    assert proc.returncode == 75
    assert proc.stderr.startswith(f"newsarchive: another crawl is writing to {db_path} (pid ")
    # Readers are never blocked by the lock.
    with CrawlLock(db_path):
        assert run_cli("stats", "--db", db_path).returncode == 0


def test_reextract_and_dedupe_are_refused_while_a_crawl_writes(db_path):
    with FixtureServer(site(Route(page()))) as srv:
        crawl_json("--db", db_path, "--base-url", srv.base_url)
    before = versions(db_path)
    with CrawlLock(db_path):
        for command in ("reextract", "dedupe"):
            proc = run_cli(command, "--db", db_path)
            assert (command, proc.returncode) == (command, 75)
            assert proc.stderr.startswith(f"newsarchive: another crawl is writing to {db_path} (pid ")
    assert versions(db_path) == before == [(1, "fetch")]
    # Without the lock both run.
    assert [run_cli(c, "--db", db_path).returncode for c in ("reextract", "dedupe")] == [0, 0]


def test_lock_is_released_when_its_holder_is_killed(db_path):
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; sys.path.insert(0, sys.argv[2]);"
                               "from archive.lock import CrawlLock; CrawlLock(sys.argv[1]).acquire();"
                               "print('locked', flush=True); time.sleep(60)", db_path, str(ROOT)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with CrawlLock(db_path):  # acquired at once: a crashed crawl leaves nothing stuck
        pass


def test_reextraction_is_not_an_edit(db_path):
    with FixtureServer(site(Route(page()))) as srv:
        crawl_json("--db", db_path, "--base-url", srv.base_url)
    # Make the stored version differ from what the extractor gives today, as after an extractor fix.
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE versions SET content_hash = 'old-extractor' WHERE article_key = 'kurdistan24:ar:1'")
    conn.close()
    proc = run_cli("reextract", "--db", db_path, "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert (result["pages"], result["changed"]) == (1, 1)
    assert versions(db_path) == [(1, "fetch"), (2, "reextract")]
    edits = json.loads(run_cli("edits", "--db", db_path, "--json").stdout)
    assert edits == []


def test_watch_runs_crawls_and_stops_gracefully_on_sigterm(db_path):
    slow = Route(page(), delay=3.0)
    with FixtureServer(site(slow)) as srv:
        proc = run_cli("watch", "--db", db_path, "--base-url", srv.base_url, "--local", "--every", "1s",
                       "--max-runs", "2", "--recheck", "all")
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert proc.stdout.count("watch: crawl") == 4  # starting, done; twice
        watcher = subprocess.Popen([sys.executable, "-m", "crawler.cli", "watch", "--db", db_path, "--base-url",
                                    srv.base_url, "--local", "--every", "1s", "--recheck", "all"],
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # wait until the third crawl is fetching the slow page
            conn = sqlite3.connect(db_path)
            running = conn.execute("SELECT count(*) FROM crawls WHERE outcome = 'running'").fetchone()[0]
            conn.close()
            if running:
                break
            time.sleep(0.1)
        time.sleep(1.0)
        watcher.send_signal(signal.SIGTERM)
        out, err = watcher.communicate(timeout=60)
    assert watcher.returncode == 0, err[-2000:]
    assert "watch: stopped by SIGTERM after 1 crawl(s)" in out
    conn = sqlite3.connect(db_path)
    outcomes = [o for (o,) in conn.execute("SELECT outcome FROM crawls ORDER BY id")]
    conn.close()
    assert outcomes == ["completed", "completed", "interrupted"]


def test_blocked_or_failing_entry_pages_are_recorded(db_path):
    challenge = Route(b"<html><head><title>Just a moment...</title></head><body>Checking if the site connection "
                      b"is secure</body></html>", 403)
    routes = site(Route(page()), **{"/ar": challenge, "/ar/latest": Route(b"oops", 500)})
    routes["/ar/rss.xml"] = Route(b"missing", 404)  # a missing feed is expected: not reported
    with FixtureServer(routes) as srv:
        proc = run_cli("crawl", "--local", "--json", "--db", db_path, "--base-url", srv.base_url, "-s", "RETRY_TIMES=0")
    # No discovery page answered: the crawl failed (exit 1), it is not a quiet day (docs/failures.md).
    assert proc.returncode == 1, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["crawl"]["outcome"] == "failed: entry_pages_failed"
    assert [(r["key"], r["reason"]) for r in report["blocked"]] == [(None, 'home page: challenge page: "Just a moment..."')]
    assert [(r["key"], r["reason"]) for r in report["failed"]] == [(None, "listing page: HTTP 500")]
    assert report["scrapy_stats"]["discovery/feed_missing"] == 1
    assert (report["crawl"]["blocked"], report["crawl"]["failed"], report["crawl"]["new_articles"]) == (1, 1, 0)
