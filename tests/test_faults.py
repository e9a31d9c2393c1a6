"""Network faults against a real fault-injecting server: each is recorded with its reason, the rest is archived."""

from __future__ import annotations

import json

import socket
import sqlite3
import struct
import time
from typing import Any

import pytest

from crawler.middlewares.backoff import parse_retry_after, retry_delay
from tests.conftest import crawl_json, run_cli
from tests.fault_server import (
    HTML,
    Exchange,
    FaultServer,
    article_html,
    broken_chunked,
    gzip_bomb,
    gzip_zeros,
    gzipped,
    hang,
    page,
    redirect,
    reset_mid_body,
    sequence,
    short_body,
    trickle,
)

# DOWNLOAD_MAXSIZE for these crawls: 1 MiB, not the 8 MiB default, so an oversize page arrives well within
# TIMEOUT even on a loaded machine (with 8 MiB the chunked page 17 sometimes timed out first: 2 attempts).
MAXSIZE = 1024 * 1024
SITE = "https://www.kurdistan24.net"
TIMEOUT = 2.0   # DOWNLOAD_TIMEOUT for these crawls
BASE = 0.2      # BACKOFF_BASE_DELAY
ROBOTS = page("User-agent: *\nDisallow: /private/\n", content_type="text/plain")


def ok(n: int) -> Any:
    return page(article_html(n))


def no_length(body: bytes, cut: float = 1.0, reset: bool = False) -> Any:
    """A body delimited only by the end of the connection (no Content-Length, not chunked)."""

    def answer(ex: Exchange) -> None:
        ex.head(200, {"Content-Type": HTML})
        ex.send(body[: int(len(body) * cut)])
        if reset:
            time.sleep(0.05)
            ex.conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    return answer


def chunked(body: bytes, size: int = 1 << 16) -> Any:
    """A well-formed chunked body (no Content-Length: the size is only known while it streams)."""

    def answer(ex: Exchange) -> None:
        ex.head(200, {"Content-Type": HTML, "Transfer-Encoding": "chunked"})
        for i in range(0, len(body), size):
            part = body[i:i + size]
            ex.send(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        ex.send(b"0\r\n\r\n")

    return answer


def huge_article(n: int, size: int) -> bytes:
    html = article_html(n)
    return html.replace("</article>", "<p>" + "x" * size + "</p></article>").encode()


def long_article(n: int) -> bytes:
    """An article whose second half holds body paragraphs (so a cut page would still extract)."""
    extra = "".join(f"<p>فقرة إضافية رقم {i} من الخبر رقم {n} تحمل نصا كافيا للاستخراج الكامل.</p>" for i in range(12))
    return article_html(n).replace("</div></article>", extra + "</div></article>").encode()


def rows(db: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


HEALTHY = [1, 2, 15, 16, 24, 26]
RETRIED = [12, 13]  # 503 / 429 with Retry-After, then fine


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = str(tmp_path_factory.mktemp("faults") / "archive.db")
    with FaultServer({"/robots.txt": ROBOTS, "/ar/story/99/x": ok(99)}) as outsider:
        other = outsider.base_url
        routes: dict[str, Any] = {
            "/robots.txt": ROBOTS,
            "/ar/story/1/ok": ok(1),
            "/ar/story/2/ok": ok(2),
            "/ar/story/3/e500": page("boom", 500),
            "/ar/story/4/hang": hang(),
            "/ar/story/5/reset": reset_mid_body(long_article(5)),
            "/ar/story/6/short": short_body(article_html(6).encode()),
            "/ar/story/7/big": page(huge_article(7, MAXSIZE)),
            "/ar/story/8/chunk": broken_chunked(long_article(8)),
            "/ar/story/9/bomb": gzip_bomb(200 << 20),
            "/ar/story/10/loop": redirect("/ar/story/10/loop2"),
            "/ar/story/10/loop2": redirect("/ar/story/10/loop"),
            "/ar/story/11/away": redirect("http://10.0.0.1/ar/story/11/x"),
            "/ar/story/12/r503": sequence(page("busy", 503, {"Retry-After": "1"}), ok(12)),
            "/ar/story/13/r429": sequence(page("slow down", 429, {"Retry-After": "1"}), ok(13)),
            "/ar/story/14/trickle": trickle(article_html(14).encode(), every=0.3),
            "/ar/story/15/gz": gzipped(article_html(15).encode()),
            "/ar/story/16/nolength": no_length(article_html(16).encode()),
            "/ar/story/17/bigchunked": chunked(huge_article(17, MAXSIZE)),
            "/ar/story/18/loopback": redirect(f"{other}/ar/story/99/x", 301),
            "/ar/story/19/file": redirect("file:///etc/passwd"),
            "/ar/story/20/cut": no_length(long_article(20), cut=0.6, reset=True),
            "/ar/story/21/chain": redirect("/r/1"),
            **{f"/r/{i}": redirect(f"/r/{i + 1}") for i in range(1, 8)},
            "/ar/story/22/refresh": page(f'<html><head><meta http-equiv="refresh" content="0; url={other}/ar/story/99/x">'
                                         "</head><body></body></html>"),
            "/ar/story/23/localhost": redirect(f"{other.replace('127.0.0.1', 'localhost')}/ar/story/99/x"),
            "/ar/story/24/moved": redirect("/ar/story/24/ok", 301),
            "/ar/story/24/ok": ok(24),
            "/ar/story/25/old": redirect("/ar/story/26/new", 301),
            "/ar/story/26/new": ok(26),
        }
        targets = ("/ar/story/10/loop2", "/ar/story/24/ok", "/ar/story/26/new")  # reached by redirects only
        links = [p for p in routes if p.startswith("/ar/story/") and p not in targets]
        # Links the spider must never follow: other schemes, another host, the same host on another port.
        bad = ["file:///etc/passwd", "ftp://127.0.0.1/ar/story/30/x", "data:text/html,<h1>x</h1>",
               "s3://bucket/ar/story/31/x", f"{other}/ar/story/99/x", "http://10.0.0.1/ar/story/32/x"]
        home = "".join(f'<article><a href="{href}">x</a></article>' for href in links + bad)
        routes["/ar"] = page(f"<html><body>{home}</body></html>")
        routes["/ar/latest"] = routes["/ar"]  # the profile's listing
        with FaultServer(routes) as srv:
            started = time.monotonic()
            report = crawl_json("--db", db, "--base-url", srv.base_url, "-s", f"DOWNLOAD_TIMEOUT={TIMEOUT}",
                                "-s", f"BACKOFF_BASE_DELAY={BASE}", "-s", f"DOWNLOAD_MAXSIZE={MAXSIZE}", timeout=120)
            elapsed = time.monotonic() - started
        outsider_hits = list(outsider.targets)
    return {"db": db, "report": report, "srv": srv, "base": srv.base_url, "other": other,
            "elapsed": elapsed, "outsider_hits": outsider_hits}


def failures(db: str) -> dict[str, str]:
    return {k.rsplit(":", 1)[1]: r for k, r in rows(db, "SELECT article_key, reason FROM fetches WHERE outcome = 'failed'")}


def test_every_fault_is_recorded_with_its_reason(faulty):
    base, other = faulty["base"], faulty["other"]
    bomb = len(gzip_zeros(200 << 20))
    big = len(huge_article(7, MAXSIZE))
    got = failures(faulty["db"])
    assert got == {
        "3": "HTTP 500",
        "4": f"FetchFailed: timed out: no complete answer within {TIMEOUT} s (3 attempts)",
        "5": "FetchFailed: body cut short: the connection was reset mid-body (3 attempts)",
        "6": "FetchFailed: body cut short: the connection closed before the announced length was reached (3 attempts)",
        "7": f"FetchFailed: too large: {big} bytes, above DOWNLOAD_MAXSIZE ({MAXSIZE} bytes) (1 attempt)",
        "8": "FetchFailed: broken chunked encoding: Chunk-size must be an integer. (3 attempts)",
        "9": f"FetchFailed: decompression bomb: {bomb} bytes compressed inflate past DOWNLOAD_MAXSIZE "
             f"({MAXSIZE} bytes); not parsed",
        "10": f"FetchFailed: redirect loop: {base}/ar/story/10/loop -> {base}/ar/story/10/loop2 -> "
              f"{base}/ar/story/10/loop",
        "11": "FetchFailed: redirect (302) to http://10.0.0.1/ar/story/11/x refused: not the site's own host "
              "or the crawl's base URL",
        "14": f"FetchFailed: timed out: no complete answer within {TIMEOUT} s (3 attempts)",
        "17": f"FetchFailed: too large: more than {MAXSIZE} bytes (DOWNLOAD_MAXSIZE) arrived without a "
              "Content-Length (1 attempt)",
        "18": f"FetchFailed: redirect (301) to {other}/ar/story/99/x refused: not the site's own host "
              "or the crawl's base URL",
        "19": "FetchFailed: redirect (302) to file:///etc/passwd refused: only http(s) is fetched",
        "20": "FetchFailed: body cut short: the connection ended before </html> (no length announced) (3 attempts)",
        "21": f"FetchFailed: more than 5 redirects: {base}/ar/story/21/chain -> "
              + " -> ".join(f"{base}/r/{i}" for i in range(1, 6)),
        "22": f"FetchFailed: redirect (meta refresh) to {other}/ar/story/99/x refused: not the site's own host "
              "or the crawl's base URL",
        "23": f"FetchFailed: redirect (302) to {other.replace('127.0.0.1', 'localhost')}/ar/story/99/x refused: "
              "not the site's own host or the crawl's base URL",
    }


def test_healthy_and_retried_articles_are_archived_exactly(faulty):
    db = faulty["db"]
    stored = dict(rows(db, "SELECT article_key, title FROM versions"))
    expected = {f"kurdistan24:ar:{n}": article_html(n).split("<h1 itemprop=\"Title\">")[1].split("</h1>")[0]
                for n in HEALTHY + RETRIED}
    assert stored == expected
    for key, body in rows(db, "SELECT article_key, body FROM versions"):
        n = key.rsplit(":", 1)[1]
        assert body.split("\n\n")[1].endswith(f"الخاصة بالخبر رقم {n} ستنجز قبل نهاية العام الجاري بحسب الخطة."), key
    # The article behind a same-site redirect is stored under its own identity and its real-site URL;
    # a redirect to another article never puts that article's text under the first one's key.
    assert rows(db, "SELECT url FROM articles WHERE key = 'kurdistan24:ar:24'") == [(f"{SITE}/ar/story/24/ok",)]
    assert rows(db, "SELECT url FROM articles WHERE key = 'kurdistan24:ar:26'") == [(f"{SITE}/ar/story/26/new",)]
    assert rows(db, "SELECT outcome, reason FROM fetches WHERE article_key = 'kurdistan24:ar:25'") == [
        ("redirected", "redirected to kurdistan24:ar:26")]


def test_nothing_half_fetched_reaches_the_archive(faulty):
    db = faulty["db"]
    failed = {f"kurdistan24:ar:{n}" for n in failures(db)}
    assert rows(db, f"SELECT article_key FROM versions WHERE article_key IN ({','.join('?' * len(failed))})",
                *failed) == []
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_the_crawl_record_counts_every_fault_and_ends_in_bounded_time(faulty):
    crawl = faulty["report"]["crawl"]
    assert crawl["outcome"] == "completed"
    assert (crawl["new_articles"], crawl["failed"]) == (len(HEALTHY) + len(RETRIED), 17)
    # Three attempts of two hanging pages at a 2 s cap each, plus backoff: far below this bound.
    assert faulty["elapsed"] < 60


def test_nothing_outside_the_site_is_requested(faulty):
    assert faulty["outsider_hits"] == []
    targets = faulty["srv"].targets
    assert not [t for t in targets if "/30/" in t or "/31/" in t or "/32/" in t]
    stats = faulty["report"]["scrapy_stats"]
    assert stats["redirects/offsite_refused"] == 4
    assert stats["redirects/loop"] == stats["redirects/too_many"] == stats["redirects/scheme_refused"] == 1


def test_retry_after_is_honoured(faulty):
    srv = faulty["srv"]
    for path in ("/ar/story/12/r503", "/ar/story/13/r429"):
        first, second = srv.times(path)
        assert second - first >= 1.0, path
    stats = faulty["report"]["scrapy_stats"]
    assert stats["backoff/retry_after"] == 2
    assert stats["backoff/delayed"] >= 2


def test_persistent_500_is_retried_with_growing_delays(faulty):
    t0, t1, t2 = faulty["srv"].times("/ar/story/3/e500")
    # Lower bounds only: BASE then 2*BASE (the host hold from the 503/429 may add to the first).
    assert (t1 - t0 >= BASE, t2 - t1 >= 2 * BASE) == (True, True)


def test_exponential_backoff_schedule_without_other_faults(db_path):
    routes = {"/robots.txt": ROBOTS, "/ar/story/1/ok": ok(1), "/ar/story/3/e502": page("bad gateway", 502),
              "/ar": page('<article><a href="/ar/story/1/ok">1</a><a href="/ar/story/3/e502">3</a></article>')}
    routes["/ar/latest"] = routes["/ar"]  # the profile's listing
    with FaultServer(routes) as srv:
        report = crawl_json("--db", db_path, "--base-url", srv.base_url, "-s", "BACKOFF_BASE_DELAY=0.5")
    t0, t1, t2 = srv.times("/ar/story/3/e502")
    assert (t1 - t0 >= 0.5, t2 - t1 >= 1.0) == (True, True)
    assert report["crawl"]["new_articles"] == 1
    assert [(r["key"], r["reason"]) for r in report["failed"]] == [("kurdistan24:ar:3", "HTTP 502")]


def test_retry_after_beyond_the_cap_is_not_retried_in_this_crawl(db_path):
    routes = {"/robots.txt": ROBOTS, "/ar/story/1/ok": ok(1),
              "/ar/story/2/later": page("come back tomorrow", 503, {"Retry-After": "86400"}),
              "/ar": page('<article><a href="/ar/story/2/later">2</a><a href="/ar/story/1/ok">1</a></article>')}
    routes["/ar/latest"] = routes["/ar"]  # the profile's listing
    with FaultServer(routes) as srv:
        started = time.monotonic()
        report = crawl_json("--db", db_path, "--base-url", srv.base_url, "-s", "BACKOFF_MAX_DELAY=1")
        elapsed = time.monotonic() - started
    assert srv.targets.count("/ar/story/2/later") == 1
    assert [(r["key"], r["reason"]) for r in report["failed"]] == [("kurdistan24:ar:2", "HTTP 503")]
    assert report["crawl"]["new_articles"] == 1
    assert report["scrapy_stats"]["backoff/retry_after_too_long"] == 1
    assert elapsed < 60


def test_robots_txt_that_never_answers_disallows_everything(db_path):
    routes = {"/robots.txt": hang(), "/ar": page('<article><a href="/ar/story/1/ok">1</a></article>'),
              "/ar/story/1/ok": ok(1)}
    with FaultServer(routes) as srv:
        proc = run_cli("crawl", "--local", "--json", "--db", db_path, "--base-url", srv.base_url,
                       "-s", "DOWNLOAD_TIMEOUT=1", "-s", "BACKOFF_BASE_DELAY=0.1")
    # Nothing could be fetched at all: a run-time failure (exit 1), said in one line.
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "newsarchive: robots.txt could not be fetched" in proc.stderr
    report = json.loads(proc.stdout)
    assert set(srv.targets) == {"/robots.txt"}
    assert report["scrapy_stats"]["robotstxt/unreachable"] == 1
    # Every entry page is recorded as blocked, with the reason; no discovery page answered, so the
    # crawl itself failed (a site whose robots.txt never answers is not a quiet day).
    assert (report["crawl"]["outcome"], report["crawl"]["new_articles"]) == ("failed: entry_pages_failed", 0)
    why = "robots.txt unreachable (timed out: no complete answer within 1.0 s (3 attempts)): everything disallowed"
    assert sorted((r["url"], r["reason"]) for r in report["blocked"]) == [
        (f"{SITE}/ar", f"home page: {why}"), (f"{SITE}/ar/latest", f"listing page: {why}"),
        (f"{SITE}/ar/rss.xml", f"feed page: {why}")]
    assert report["scrapy_stats"]["outcomes/missing"] == 0


def test_retry_after_values() -> None:
    now = 1_750_000_000.0  # 2025-06-15T15:06:40Z
    assert parse_retry_after(b"120") == 120.0
    assert parse_retry_after(" 5 ") == 5.0
    assert parse_retry_after("Sun, 15 Jun 2025 15:07:10 GMT", now=now) == 30.0
    assert parse_retry_after("Sun, 15 Jun 2025 15:00:00 GMT", now=now) == 0.0  # in the past: at once
    assert [parse_retry_after(v) for v in (None, "", "soon", "-5", "1.5")] == [None] * 5


def test_retry_delays_are_a_fixed_doubling_schedule() -> None:
    assert [retry_delay(n, 1.0, 120.0) for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 64, 120, 120]
    assert retry_delay(1, 0.2, 120.0) == 0.2
