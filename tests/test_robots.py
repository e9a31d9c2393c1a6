"""robots.txt is obeyed with no exception: start requests wait for it, 5xx disallows all, 404 allows all."""

from __future__ import annotations

import json

from tests.conftest import crawl_json, run_cli
from tests.server import FixtureServer, Route

ARTICLE = """<html lang="ar"><head><title>خبر | Kurdistan24</title></head><body><article>
<div class="intro"><h1 itemprop="Title">عنوان الخبر الأول</h1></div>
<div class="reader-content"><p>أربيل (كوردستان 24)- قالت حكومة إقليم كوردستان اليوم إن العمل مستمر في المشاريع الجديدة.</p>
<p>وأضافت أن المشاريع ستنجز قبل نهاية العام الجاري بحسب الخطة المقررة.</p></div></article></body></html>"""

HOME = """<html><body><nav><a href="/ar/latest">latest</a></nav>
<article><h3><a href="/ar/story/1/first">1</a></h3></article>
<article><h3><a href="/ar/story/2/second">2</a></h3></article></body></html>"""


def routes(robots: Route) -> dict[str, Route]:
    page = Route(ARTICLE.encode())
    return {"/robots.txt": robots, "/ar": Route(HOME.encode()), "/ar/latest": Route(HOME.encode()),
            "/ar/rss.xml": Route(b"<rss><channel><item><link>/ar/story/2/second</link></item></channel></rss>",
                                 headers={"Content-Type": "application/rss+xml"}),
            "/ar/story/1/first": page, "/ar/story/2/second": page}


def test_slow_robots_txt_holds_every_request_including_start_requests(db_path):
    robots = Route(b"User-agent: *\nDisallow: /ar/latest\nDisallow: /ar/rss.xml\nDisallow: /ar/story/2\n",
                   headers={"Content-Type": "text/plain"}, delay=1.5)
    with FixtureServer(routes(robots)) as srv:
        report = crawl_json("--db", db_path, "--base-url", srv.base_url)
    assert srv.requests[0] == "/robots.txt"
    assert sorted(srv.requests) == ["/ar", "/ar/story/1/first", "/robots.txt"]
    assert report["crawl"]["new_articles"] == 1
    assert report["scrapy_stats"]["robotstxt/forbidden"] == 3


def test_robots_txt_server_error_disallows_everything(db_path):
    with FixtureServer(routes(Route(b"oops", 500, {"Content-Type": "text/plain"}))) as srv:
        proc = run_cli("crawl", "--local", "--json", "--db", db_path, "--base-url", srv.base_url, "-s", "RETRY_TIMES=0")
    assert srv.requests == ["/robots.txt"]
    # Every entry page is recorded as blocked with the reason; with none answered the crawl failed (exit 1).
    assert proc.returncode == 1, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["scrapy_stats"]["robotstxt/server_error"] == 1
    assert report["crawl"]["outcome"] == "failed: entry_pages_failed"
    assert report["crawl"]["new_articles"] == 0
    assert {r["reason"] for r in report["blocked"]} == {
        f"{kind} page: robots.txt answered HTTP 500: everything disallowed until it answers (RFC 9309)"
        for kind in ("home", "listing", "feed")}


def test_robots_txt_missing_allows_everything(db_path):
    with FixtureServer(routes(Route(b"no", 404, {"Content-Type": "text/plain"}))) as srv:
        report = crawl_json("--db", db_path, "--base-url", srv.base_url)
    # latest?page=2 shows nothing new, so pagination stops there.
    assert sorted(srv.requests) == ["/ar", "/ar/latest", "/ar/latest?page=2", "/ar/rss.xml",
                                    "/ar/story/1/first", "/ar/story/2/second", "/robots.txt"]
    assert report["crawl"]["new_articles"] == 2
