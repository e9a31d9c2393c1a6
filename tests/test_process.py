"""process(page, site): the one path from a page to an item, shared by the spider, reextract and extract."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

import pytest

from crawler.process import Page, process
from crawler.reextract import reextract_item
from crawler.site import load_site
from tests.test_edits import page as article_page

SITE = load_site("kurdistan24")
URL = "https://www.kurdistan24.net/ar/story/1/x"
AT = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def run(status: int = 200, body: bytes | None = None, **extra) -> dict:
    return process(Page(url=URL, status=status, body=article_page() if body is None else body, fetched_at=AT,
                        content_type="text/html; charset=utf-8", **extra), SITE)


def test_article_item_carries_identity_layout_and_validators():
    item = run(etag='"v1"', last_modified="Fri, 01 May 2026 10:00:00 GMT")
    assert item["kind"] == "article"
    assert (item["key"], item["generation"], item["layout"], item["etag"], item["last_modified"]) == (
        "kurdistan24:ar:1", "C", "2024", '"v1"', "Fri, 01 May 2026 10:00:00 GMT")
    assert (item["url"], item["fetched_url"], item["http_status"], item["fetched_at"]) == (
        URL, URL, 200, "2026-05-01T12:00:00+00:00")


@pytest.mark.parametrize(("status", "body", "extra", "outcome", "reason"), [
    (304, b"", {}, "not_modified", "not modified (304)"),
    (404, b"<html><title>missing</title></html>", {}, "gone", "HTTP 404"),
    (500, b"<html>oops</html>", {}, "failed", "HTTP 500"),
    (403, b"<html><title>Just a moment...</title></html>", {}, "blocked", 'challenge page: "Just a moment..."'),
    (200, b"<html><body><h1>t</h1></body></html>", {}, "failed", "empty body"),
    (200, None, {"redirected": True, "fetched_url": "https://www.kurdistan24.net/ar"}, "gone",
     "redirected to a page that is not an article: https://www.kurdistan24.net/ar"),
    (200, None, {"redirected": True, "fetched_url": "https://www.kurdistan24.net/ar/story/2/y"}, "redirected",
     "redirected to kurdistan24:ar:2"),
])
def test_observations(status, body, extra, outcome, reason):
    item = run(status, body, **extra)
    assert (item["kind"], item["outcome"], item["reason"]) == ("observation", outcome, reason)
    assert item["key"] == "kurdistan24:ar:1"


def test_mirror_addresses_never_reach_the_item():
    mirror = SITE.with_base_url("http://127.0.0.1:8000")
    item = process(Page(url="http://127.0.0.1:8000/ar/story/1/x", status=200, body=article_page(), fetched_at=AT),
                   mirror)
    assert (item["key"], item["url"], item["fetched_url"]) == (
        "kurdistan24:ar:1", URL, "http://127.0.0.1:8000/ar/story/1/x")


def test_reextract_takes_the_same_path():
    crawled = run(etag='"v1"')
    row = {"key": "kurdistan24:ar:1", "url": URL, "fetched_at": crawled["fetched_at"], "http_status": 200,
           "raw_html": zlib.compress(crawled["raw_html"]), "content_type": "text/html; charset=utf-8",
           "raw_encoding": "utf-8", "site": "kurdistan24", "edition": "ar", "article_id": "1", "etag": '"v1"',
           "last_modified": None, "crawl_id": 1}
    again = reextract_item(row, SITE)
    assert isinstance(again, dict)
    for name in ("key", "generation", "layout", "etag", "title", "extractor_version", "sources"):
        assert again[name] == crawled[name], name
    challenge = {**row, "raw_html": zlib.compress(b"<html><title>Just a moment...</title><body>x</body></html>")}
    assert reextract_item(challenge, SITE) == 'challenge page: "Just a moment..."'
