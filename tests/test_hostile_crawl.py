"""Hostile servers on loopback (issue 15, crawler side): every outcome recorded, no false edit, no request elsewhere.

Each crawl runs the real CLI in a subprocess under tests/netguard.py: any name lookup or connection
outside loopback is logged there and refused, and every test asserts that log is empty.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.feeds import FeedEntry
from crawler.links import fetchable, join, split
from crawler.middlewares.backoff import RETRY_AFTER_MAX, parse_retry_after
from crawler.middlewares.faults import FetchFailed, structural_cut
from crawler.middlewares.robots import RobotsDisallowed
from crawler.outcomes import OutcomeLedger, classify
from crawler.config import CrawlConfig
from crawler.site import load_site
from crawler.spiders.news import NewsSpider
from tests.conftest import ROOT
from tests.fault_server import Behaviour, Exchange, FaultServer, article_html, page, redirect, sequence
from tests.test_faults import ROBOTS, ok, rows

SITE = "https://www.kurdistan24.net"
KEY = "kurdistan24:ar:"
FAST = ["-s", "BACKOFF_BASE_DELAY=0.05", "-s", "RETRY_TIMES=1", "-s", "DOWNLOAD_TIMEOUT=3"]
PROFILE_TOML = ROOT / "crawler" / "sites" / "kurdistan24.toml"

# Statuses Scrapy's HttpErrorMiddleware used to drop without a trace (and a few more of each class).
SILENT_BEFORE = [400, 401, 402, 405, 406, 408, 409, 413, 418, 421, 425, 428, 431, 499, 501, 504, 505,
                 520, 521, 522, 523, 524, 525, 526, 530, 599, 999]
NO_LOCATION = [300, 301, 302, 303, 307, 308]
BAD_HREFS = ["http://[::1/oops", "http://127.0.0.1:99999/ar/story/90/x", "http://127.0.0.1:port/ar/story/91/x",
             "//[zz]/ar/story/92/x", "http://[::1]:70000/ar/story/93/x"]


def crawl(log: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`newsarchive crawl --local --json ...` under the loopback-only socket layer."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "tests.netguard", str(log), "crawl", "--local", "--json", *args],
                          cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout)
    # Whatever else a test checks: every request the crawl scheduled got exactly one outcome.
    stats = json.loads(proc.stdout)["scrapy_stats"]
    assert (stats["outcomes/missing"], stats["outcomes/answered"]) == (0, stats["outcomes/requests"]), proc.stderr[-2000:]
    return proc


def outside(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def with_cookie(behaviour: Behaviour) -> Behaviour:
    """The same answer with a Set-Cookie header (the cookie middleware's public-suffix check runs on it)."""

    def answer(ex: Exchange) -> None:
        real_head = ex.head

        def head(status: int, headers: dict[str, str], reason: str = "X") -> None:
            real_head(status, {**headers, "Set-Cookie": "sid=abc123; Path=/"}, reason)

        ex.head = head  # type: ignore[method-assign]
        behaviour(ex)

    return answer


def no_location(status: int) -> Behaviour:
    return page(b"", status=status, content_type=None)


def failed(db: str, crawl_id: int = 1) -> dict[str, str]:
    return {(k or u).removeprefix(KEY): r for k, u, r in rows(
        db, "SELECT article_key, url, reason FROM fetches WHERE outcome = 'failed' AND crawl_id = ?", crawl_id)}


# --- one crawl against a site full of hostile answers -------------------------------------------------
GOOD = [1, 2, 3, 4]  # linked after the bad links on the home page and the listing
FEED_GOOD = [70, 71]  # only in the feed, around its bad <link>s


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("hostile")
    db, log, cache = str(tmp / "archive.db"), tmp / "netguard.log", tmp / "tld-cache"
    cache.mkdir()
    with FaultServer({"/robots.txt": ROBOTS, "/ar/story/99/x": ok(99)}) as outsider:
        routes: dict[str, Behaviour] = {"/robots.txt": page("User-agent: *\nDisallow: /ar/story/400/\n",
                                                           content_type="text/plain"),
                                        "/ar/story/400/private": ok(400)}
        for n in GOOD:
            routes[f"/ar/story/{n}/ok"] = ok(n)
        for i, status in enumerate(SILENT_BEFORE):
            routes[f"/ar/story/{100 + i}/s{status}"] = page("error", status, content_type="text/plain")
        for i, status in enumerate(NO_LOCATION):
            routes[f"/ar/story/{200 + i}/r{status}"] = no_location(status)
        routes["/ar/story/300/never-archived-304"] = page(b"", 304, content_type=None)
        routes["/ar/story/301/retry-after-superscript"] = sequence(page("busy", 503, {"Retry-After": "²"}), ok(301))
        routes["/ar/story/302/retry-after-400-digits"] = page("busy", 503, {"Retry-After": "9" * 400})
        routes["/ar/story/303/retry-after-negative"] = sequence(page("slow", 429, {"Retry-After": "-5"}), ok(303))
        routes["/ar/story/304/other-port"] = redirect(f"{outsider.base_url}/ar/story/99/x")
        links = [p for p in routes if p.startswith("/ar/story/")]
        home = "".join(f'<article><a href="{h}">x</a></article>' for h in BAD_HREFS + links)
        routes["/ar"] = page(f"<html><body>{home}</body></html>")
        routes["/ar/latest"] = routes["/ar"]
        feed_items = "".join(f"<item><link>{h}</link></item>" for h in
                             ["http://[::1/oops", "/ar/story/70/f", "http://127.0.0.1:99999/ar/story/94/x", "/ar/story/71/f"])
        routes["/ar/rss.xml"] = page(f"<rss><channel>{feed_items}</channel></rss>", content_type="application/rss+xml")
        routes["/ar/story/70/f"], routes["/ar/story/71/f"] = ok(70), ok(71)
        with FaultServer({path: with_cookie(b) for path, b in routes.items()}) as srv:
            proc = crawl(log, "--db", db, "--base-url", srv.base_url, *FAST, "-s", "BACKOFF_MAX_DELAY=2",
                         env={"TLDEXTRACT_CACHE": str(cache), "HOME": str(tmp)})
        outsider_hits = outsider.targets
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"db": db, "report": json.loads(proc.stdout), "srv": srv, "log": log, "outsider": outsider_hits,
            "cache": cache, "other": outsider.base_url, "base": srv.base_url}


def test_every_status_is_one_recorded_failure_with_its_reason(hostile):
    expected = {str(100 + i): f"HTTP {s}" for i, s in enumerate(SILENT_BEFORE)}
    expected |= {str(200 + i): f"FetchFailed: HTTP {s}: a redirect without a Location header"
                 for i, s in enumerate(NO_LOCATION)}
    expected["300"] = "not modified (304) (never archived)"
    expected["302"] = "HTTP 503"  # Retry-After of 400 digits: capped, not retried in this crawl
    expected["304"] = (f"FetchFailed: redirect (302) to {hostile['other']}/ar/story/99/x refused: not the site's "
                       "own host or the crawl's base URL")
    assert failed(hostile["db"]) == expected
    crawl = hostile["report"]["crawl"]
    assert (crawl["outcome"], crawl["failed"], crawl["blocked"]) == ("completed", len(expected), 1)
    assert [(r["key"], r["reason"]) for r in hostile["report"]["blocked"]] == [(KEY + "400", "disallowed by robots.txt")]
    # Each scheduled request got exactly one outcome: nothing answered twice, nothing missing.
    stats = hostile["report"]["scrapy_stats"]
    assert stats["outcomes/missing"] == 0
    assert stats["outcomes/answered"] == stats["outcomes/requests"]
    assert rows(hostile["db"], "SELECT count(*) FROM fetches WHERE article_key = ?", KEY + "100") == [(1,)]


def test_the_summary_shows_the_failures(hostile):
    reasons = [r["reason"] for r in hostile["report"]["failed"]]
    assert "HTTP 522" in reasons and "HTTP 999" in reasons


def test_bad_links_cost_only_themselves(hostile):
    db = hostile["db"]
    archived = sorted(int(k.removeprefix(KEY)) for (k,) in rows(db, "SELECT article_key FROM versions"))
    assert archived == [*GOOD, *FEED_GOOD, 301, 303]
    for n in archived:
        title = article_html(n).split('<h1 itemprop="Title">')[1].split("</h1>")[0]
        assert rows(db, "SELECT title FROM versions WHERE article_key = ?", f"{KEY}{n}") == [(title,)]
    stats = hostile["report"]["scrapy_stats"]
    # Counted per link extraction: the home page is read twice (navigation, then articles), the listing
    # on pages 1 and 2 (page 1 showed new articles); plus the feed's 2 bad <link>s.
    assert stats["discovery/bad_link"] == 4 * len(BAD_HREFS) + 2
    assert sorted(t for t in hostile["srv"].targets if t.startswith("/ar/latest")) == ["/ar/latest", "/ar/latest?page=2"]
    assert not [t for t in hostile["srv"].targets if t.startswith("/ar/story/9")]


def test_retry_after_oddities_never_raise(hostile):
    srv = hostile["srv"]
    assert len(srv.times("/ar/story/301/retry-after-superscript")) == 2  # retried, then archived
    assert len(srv.times("/ar/story/302/retry-after-400-digits")) == 1  # past the cap: not retried now
    assert len(srv.times("/ar/story/303/retry-after-negative")) == 2
    assert hostile["report"]["scrapy_stats"]["backoff/retry_after_too_long"] == 1


def test_cookies_never_reach_past_loopback(hostile):
    assert outside(hostile["log"]) == []
    assert hostile["outsider"] == []
    assert list(hostile["cache"].iterdir()) == []  # nothing fetched, nothing cached
    # The cookie was handled (so the public-suffix check ran) and sent back on later requests.
    assert any(h.get("cookie") == "sid=abc123" for h in hostile["srv"].headers("/ar/story/1/ok"))


def test_the_stock_cookie_middleware_would_have_gone_out(tmp_path, db_path):
    """Control: the guard does catch the public-suffix download of Scrapy's own cookie middleware."""
    log, cache = tmp_path / "netguard.log", tmp_path / "tld-cache"
    cache.mkdir()
    stock = json.dumps({"crawler.middlewares.cookies.OfflineCookiesMiddleware": None,
                        "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": 700})
    routes = {"/robots.txt": ROBOTS, "/ar": with_cookie(page('<article><a href="/ar/story/1/ok">1</a></article>')),
              "/ar/story/1/ok": ok(1)}
    with FaultServer(routes) as srv:
        proc = crawl(log, "--db", db_path, "--base-url", srv.base_url, *FAST, "-s", f"DOWNLOADER_MIDDLEWARES={stock}",
                     env={"TLDEXTRACT_CACHE": str(cache), "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "resolve publicsuffix.org" in outside(log)


# --- a site down behind its CDN -------------------------------------------------------------------------
def test_a_site_down_behind_its_cdn_fails_the_crawl(tmp_path, db_path):
    log = tmp_path / "netguard.log"
    routes = {"/robots.txt": ROBOTS, "/ar": page("origin down", 522, content_type="text/plain"),
              "/ar/latest": page("timeout", 524, content_type="text/plain"),
              "/ar/rss.xml": page("web server is down", 521, content_type="text/plain")}
    with FaultServer(routes) as srv:
        proc = crawl(log, "--db", db_path, "--base-url", srv.base_url, *FAST)
    assert proc.returncode == 1, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert (report["crawl"]["outcome"], report["crawl"]["failed"]) == ("failed: entry_pages_failed", 3)
    assert sorted((r["url"], r["reason"]) for r in report["failed"]) == [
        (f"{SITE}/ar", "home page: HTTP 522"), (f"{SITE}/ar/latest", "listing page: HTTP 524"),
        (f"{SITE}/ar/rss.xml", "feed page: HTTP 521")]
    assert report["scrapy_stats"]["outcomes/missing"] == 0
    assert outside(log) == []


@pytest.mark.parametrize(("robots", "why"), [
    (page("", 999, content_type=None), "robots.txt answered HTTP 999: everything disallowed until it answers (RFC 9309)"),
    (page(b"", 302, content_type=None),
     "robots.txt unreachable (HTTP 302: a redirect without a Location header): everything disallowed"),
])
def test_a_robots_txt_that_answers_nonsense_blocks_with_its_reason(tmp_path, db_path, robots, why):
    log = tmp_path / "netguard.log"
    routes = {"/robots.txt": robots, "/ar": page('<article><a href="/ar/story/1/ok">1</a></article>'),
              "/ar/story/1/ok": ok(1)}
    with FaultServer(routes) as srv:
        proc = crawl(log, "--db", db_path, "--base-url", srv.base_url, *FAST, "-s", "RETRY_TIMES=0")
    assert proc.returncode == 1, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert srv.targets == ["/robots.txt"]
    assert sorted(r["reason"] for r in report["blocked"]) == [f"{k} page: {why}" for k in ("feed", "home", "listing")]
    assert report["crawl"]["outcome"] == "failed: entry_pages_failed"
    assert outside(log) == []


def test_a_refused_feed_is_a_recorded_failure(tmp_path, db_path):
    log = tmp_path / "netguard.log"
    bomb = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            "<rss><channel><item><link>/ar/story/1/ok</link></item></channel></rss>")
    routes = {"/robots.txt": ROBOTS, "/ar/rss.xml": page(bomb, content_type="application/rss+xml"),
              "/ar": page('<article><a href="/ar/story/1/ok">1</a></article>'), "/ar/story/1/ok": ok(1)}
    routes["/ar/latest"] = routes["/ar"]
    with FaultServer(routes) as srv:
        proc = crawl(log, "--db", db_path, "--base-url", srv.base_url, *FAST)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert [(r["url"], r["reason"]) for r in report["failed"]] == [
        (f"{SITE}/ar/rss.xml", "feed page: feed declares XML entities (entity expansion or external "
                               "entities): refused")]
    assert (report["crawl"]["outcome"], report["crawl"]["new_articles"]) == ("completed", 1)
    assert outside(log) == []


# --- a page cut short by a too-small Content-Length -----------------------------------------------------
def short_length(body: bytes, keep: int) -> Behaviour:
    """Content-Length says `keep` bytes (fewer than the page); the client reads only those."""

    def answer(ex: Exchange) -> None:
        ex.head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(keep)})
        ex.send(body)

    return answer


def test_full_truncated_full_makes_no_false_edit(tmp_path, db_path):
    log = tmp_path / "netguard.log"
    full = article_html(5).replace("</div></article>", "".join(
        f"<p>فقرة إضافية رقم {i} تحمل نصا كافيا ليبقى الخبر مقروءا بعد القطع.</p>" for i in range(8))
        + "</div></article>").encode()
    keep = full.index("فقرة إضافية رقم 3".encode())
    state = {"cut": False}

    def article(ex: Exchange) -> None:
        (short_length(full, keep) if state["cut"] else page(full))(ex)

    routes = {"/robots.txt": ROBOTS, "/ar": page('<article><a href="/ar/story/5/x">5</a></article>'),
              "/ar/story/5/x": article}
    routes["/ar/latest"] = routes["/ar"]
    outcomes = []
    with FaultServer(routes) as srv:
        for cut in (False, True, False):
            state["cut"] = cut
            proc = crawl(log, "--db", db_path, "--base-url", srv.base_url, "--recheck", "all", *FAST)
            assert proc.returncode == 0, proc.stderr[-2000:]
            outcomes.append(json.loads(proc.stdout))
    assert [(r["crawl"]["new_articles"], r["crawl"]["new_versions"], r["crawl"]["failed"], r["crawl"]["unchanged"])
            for r in outcomes] == [(1, 0, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1)]
    assert [r["reason"] for r in outcomes[1]["failed"]] == [
        f"FetchFailed: body cut short: the document ends before </body> and </html> ({keep} bytes, "
        f"Content-Length {keep}) (2 attempts)"]
    assert rows(db_path, "SELECT version FROM versions WHERE article_key = ?", KEY + "5") == [(1,)]
    assert rows(db_path, "SELECT count(*) FROM suspects") == [(0,)]
    assert outside(log) == []


# --- sitemaps that never end ----------------------------------------------------------------------------
class Endless(dict):  # type: ignore[type-arg]
    """Routes where /sm/N.xml is a sitemap index naming /sm/N+1.xml (and one article), for every N."""

    def get(self, key: str, default: Any = None) -> Any:
        if key.startswith("/sm/") and key.endswith(".xml"):
            n = int(key[4:-4])
            return page(f'<sitemapindex><sitemap><loc>/sm/{n + 1}.xml</loc></sitemap></sitemapindex>',
                        content_type="application/xml")
        return super().get(key, default)


def test_an_endless_sitemap_index_is_cut_at_the_depth_limit(tmp_path, db_path):
    log = tmp_path / "netguard.log"
    routes = Endless({"/robots.txt": ROBOTS, "/ar/rss.xml": page(
        '<sitemapindex><sitemap><loc>/sm/1.xml</loc></sitemap></sitemapindex>', content_type="application/xml"),
        "/ar": page('<article><a href="/ar/story/1/ok">1</a></article>'), "/ar/story/1/ok": ok(1)})
    routes["/ar/latest"] = routes["/ar"]
    with FaultServer(routes) as srv:
        proc = crawl(log, "--db", db_path, "--base-url", srv.base_url, *FAST, "-s", "NEWSARCHIVE_SITEMAP_MAX_DEPTH=4")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(t for t in srv.targets if t.startswith("/sm/")) == ["/sm/1.xml", "/sm/2.xml", "/sm/3.xml", "/sm/4.xml"]
    report = json.loads(proc.stdout)
    assert [(r["url"], r["reason"]) for r in report["failed"]] == [
        (f"{SITE}/sm/4.xml", "feed page: discovery cut: 1 child sitemaps past NEWSARCHIVE_SITEMAP_MAX_DEPTH (4) "
                             "not followed")]
    assert (report["crawl"]["outcome"], report["crawl"]["new_articles"]) == ("completed", 1)
    assert report["scrapy_stats"]["outcomes/missing"] == 0
    assert outside(log) == []


def test_a_wide_sitemap_index_is_cut_at_the_file_limit(tmp_path, db_path):
    log = tmp_path / "netguard.log"
    children = "".join(f"<sitemap><loc>/wide/{i}.xml</loc></sitemap>" for i in range(50))
    routes = {"/robots.txt": ROBOTS, "/ar/rss.xml": page(f"<sitemapindex>{children}</sitemapindex>",
                                                          content_type="application/xml"),
              "/ar": page('<article><a href="/ar/story/1/ok">1</a></article>'), "/ar/story/1/ok": ok(1)}
    routes["/ar/latest"] = routes["/ar"]
    with FaultServer(routes) as srv:
        proc = crawl(log, "--db", db_path, "--base-url", srv.base_url, *FAST, "-s", "NEWSARCHIVE_SITEMAP_MAX_FILES=3")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(t for t in srv.targets if t.startswith("/wide/")) == ["/wide/0.xml", "/wide/1.xml", "/wide/2.xml"]
    report = json.loads(proc.stdout)
    assert ("feed page: discovery cut: 47 child sitemaps past NEWSARCHIVE_SITEMAP_MAX_FILES (3) in this crawl "
            "not followed") in [r["reason"] for r in report["failed"]]
    assert outside(log) == []


# --- the site's own host on another port ----------------------------------------------------------------
def test_the_real_site_mode_checks_the_port(tmp_path, db_path):
    """A profile whose site is 127.0.0.1:PORT (no --base-url): links and redirects to another port are refused."""
    log = tmp_path / "netguard.log"
    with FaultServer({"/robots.txt": ROBOTS, "/ar/story/8/x": ok(8), "/ar/story/9/x": ok(9)}) as other:
        routes: dict[str, Behaviour] = {
            "/robots.txt": ROBOTS, "/ar/story/1/ok": ok(1),
            "/ar/story/2/away": redirect(f"{other.base_url}/ar/story/8/x")}
        with FaultServer(routes) as srv:
            home = (f'<article><a href="/ar/story/1/ok">1</a><a href="/ar/story/2/away">2</a>'
                    f'<a href="{other.base_url}/ar/story/9/x">9</a></article>')
            srv.routes["/ar"] = srv.routes["/ar/latest"] = page(home)
            text = PROFILE_TOML.read_text(encoding="utf-8")
            text = text.replace('base_url = "https://www.kurdistan24.net"', f'base_url = "{srv.base_url}"')
            text = text.replace('hosts = ["www.kurdistan24.net", "kurdistan24.net"]', 'hosts = ["127.0.0.1"]')
            profile = tmp_path / "loopback.toml"
            profile.write_text(text, encoding="utf-8")
            proc = crawl(log, "--db", db_path, "--site", str(profile), *FAST)
        other_hits = other.targets
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert other_hits == []
    assert [(r["key"], r["reason"]) for r in report["failed"]] == [
        (KEY + "2", f"FetchFailed: redirect (302) to {other.base_url}/ar/story/8/x refused: not the site's own "
                    "host or the crawl's base URL")]
    assert [r["key"] for r in report["new"]] == [KEY + "1"]
    # Per link extraction: twice on the home page (navigation, articles), on listing pages 1 and 2.
    assert report["scrapy_stats"]["discovery/offsite_port_link"] == 4
    assert outside(log) == []


# --- the helpers, on their own ---------------------------------------------------------------------------
def test_links_are_checked_one_by_one():
    base = "https://www.kurdistan24.net/ar/"
    assert [join(base, h) for h in BAD_HREFS] == [None] * len(BAD_HREFS)
    assert join(base, " story/1/x ") == "https://www.kurdistan24.net/ar/story/1/x"
    assert join(base, "/ar/story/1/خبر") == "https://www.kurdistan24.net/ar/story/1/%D8%AE%D8%A8%D8%B1"
    assert [join(base, h) for h in ("mailto:a@b.c", "javascript:void(0)", "", "   ")] == [None] * 4
    assert split("http://h:65535/") is not None and split("http://h:65536/") is None


def test_own_origin_is_host_and_port():
    real = load_site("kurdistan24")
    assert [fetchable(real, u) for u in (
        "https://www.kurdistan24.net/ar", "https://www.kurdistan24.net:443/ar", "http://kurdistan24.net/ar",
        "https://www.kurdistan24.net:8443/ar", "http://www.kurdistan24.net:443/ar", "https://evil.net/ar",
        "https://www.kurdistan24.net:99999/ar")] == [True, True, True, False, False, False, False]
    mirror = load_site("kurdistan24", base_url="http://127.0.0.1:8000/k24")
    assert [fetchable(mirror, u) for u in (
        "http://127.0.0.1:8000/k24/ar", "http://127.0.0.1:8001/k24/ar", "http://127.0.0.1/k24/ar",
        "http://127.0.0.1:8000/other", "https://www.kurdistan24.net/ar")] == [True, False, False, False, False]


def test_retry_after_never_raises():
    odd = ["²", "9" * 400, "-5", "1e9", "１٢", " ", "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 +2359",
           "x" * 10_000, b"\xff\xfe\x00"]
    got = [parse_retry_after(v, now=1_750_000_000.0) for v in odd]
    assert got == [None, RETRY_AFTER_MAX, None, None, None, None, RETRY_AFTER_MAX, 0.0, None, None]


def test_structural_truncation():
    doc = b"<!DOCTYPE html><html><body><p>x</p></body></html>"
    assert structural_cut(doc) is None
    assert structural_cut(doc[:30], b"30") == ("body cut short: the document ends before </body> and </html> "
                                               "(30 bytes, Content-Length 30)")
    assert structural_cut(b"<!-- c --> <HTML lang=ar><p>x</p></body>") is None  # </html> may be omitted
    assert structural_cut(b"<p>a fragment, not a document") is None
    assert structural_cut(b"\xef\xbb\xbf<html><p>cut") is not None


def test_failure_reasons_name_the_cause():
    request = Request(f"{SITE}/ar/story/7/x", meta={"kind": "article"})

    def reason(exc: Exception) -> tuple[str, str, int | None]:
        failure = Failure(exc)
        failure.request = request  # type: ignore[attr-defined]
        return classify(failure)

    response = HtmlResponse(request.url, status=522, body=b"", request=request)
    assert reason(HttpError(response)) == ("failed", "HTTP 522", 522)
    assert reason(RobotsDisallowed("disallowed by robots.txt")) == ("blocked", "disallowed by robots.txt", None)
    assert reason(IgnoreRequest("Filtered offsite request to 'x.org'")) == (
        "failed", "refused: Filtered offsite request to 'x.org'", None)
    assert reason(FetchFailed("timed out")) == ("failed", "FetchFailed: timed out", None)


def test_a_parser_that_raises_is_recorded_not_lost():
    crawler = get_crawler(Spider)
    spider = Spider("stub")
    spider.site = load_site("kurdistan24")  # type: ignore[attr-defined]
    crawler.spider = spider
    ledger = OutcomeLedger(crawler)
    request = Request(f"{SITE}/ar", meta={"kind": "home"})
    ledger.request_scheduled(request)
    response = HtmlResponse(request.url, status=200, body=b"<html></html>", request=request)
    [item] = ledger.process_spider_exception(response, ValueError("boom"))
    assert (item["outcome"], item["reason"], item["url"]) == ("failed", "home page: parser error: ValueError: boom",
                                                              f"{SITE}/ar")
    assert ledger.pending == {} and ledger.discovery_failed == 1
    # An article page whose callback yields nothing still gets one outcome.
    article = Request(f"{SITE}/ar/story/7/x",
                      meta={"kind": "article", "identity": spider.site.identify(f"{SITE}/ar/story/7/x")})
    ledger.request_scheduled(article)
    page_response = HtmlResponse(article.url, status=200, body=b"<html></html>", request=article)
    [fallback] = list(ledger.process_spider_output(page_response, iter([])))
    assert (fallback["key"], fallback["outcome"], fallback["reason"]) == (
        KEY + "7", "failed", "the page gave no article and no reason (HTTP 200)")
    assert ledger.pending == {}


def test_feed_entries_and_listings_are_bounded_and_the_cut_recorded():
    crawler = get_crawler(NewsSpider, {"NEWSARCHIVE_FEED_MAX_ENTRIES": 2, "NEWSARCHIVE_MAX_LISTINGS": 1,
                                       "NEWSARCHIVE_SITE": "kurdistan24", "NEWSARCHIVE_DB": "unused.db"})
    crawler.newsarchive = CrawlConfig.from_settings(crawler.settings)  # what SiteExtension does
    spider = crawler._create_spider()
    crawler.spider = spider
    request = Request(f"{SITE}/ar/rss.xml", meta={"kind": "feed"})
    entries = [FeedEntry(f"{SITE}/ar/story/{i}/x") for i in range(5)]
    out = list(spider.bounds.feed(spider, HtmlResponse(request.url, body=b"", request=request), entries))
    assert [o.url for o in out[:-1]] == [f"{SITE}/ar/story/0/x", f"{SITE}/ar/story/1/x"]
    assert (out[-1]["outcome"], out[-1]["reason"]) == (
        "failed", "feed page: discovery cut: 3 entries past NEWSARCHIVE_FEED_MAX_ENTRIES (2) not followed")
    home = Request(f"{SITE}/ar", meta={"kind": "home"})
    nav = "".join(f'<a href="/ar/category/{i}">c</a>' for i in range(3))
    response = HtmlResponse(home.url, body=f"<html><body><nav>{nav}</nav></body></html>".encode(), request=home)
    out = list(spider.parse_home(response))
    listings = [o.url for o in out if isinstance(o, Request)]
    cuts = [o["reason"] for o in out if isinstance(o, dict)]
    assert (len(listings), cuts) == (1, ["home page: discovery cut: 2 listings past NEWSARCHIVE_MAX_LISTINGS (1) in "
                                          "this crawl not followed"])
