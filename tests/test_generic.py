"""`--site generic`: a news site nobody profiled, crawled from its home page into a usable archive."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

import pytest

from crawler.site import load_site
from crawler.site.generic import looks_like_article, looks_like_listing
from tests.conftest import crawl_json, run_cli
from tests.server import FixtureServer
from tests.sites import generic_news


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("generic") / "archive.db")
    server = FixtureServer({})
    server.routes.update(generic_news.routes(server.base_url))
    with server:
        report = crawl_json("--db", db, "--site", "generic", "--base-url", server.base_url)
        requests = list(server.requests)
        again = crawl_json("--db", db, "--site", "generic", "--base-url", server.base_url, "--recheck", "all")
    return {"db": db, "report": report, "requests": requests, "base": server.base_url, "again": again}


def test_every_article_found_by_every_route(crawled):
    name = load_site("generic", base_url=crawled["base"]).name
    expected = sorted(f"{name}:all:{path.strip('/')}" for path in generic_news.ARTICLES)
    assert sorted(r["key"] for r in crawled["report"]["new"]) == expected
    assert crawled["report"]["crawl"]["outcome"] == "completed"
    assert (crawled["report"]["crawl"]["failed"], crawled["report"]["crawl"]["blocked"]) == (0, 0)


def test_discovery_used_sitemap_feed_and_next_link(crawled):
    stats = crawled["report"]["scrapy_stats"]
    assert stats["discovery/robots_sitemaps"] == 1 and stats["discovery/feed_links"] == 1
    assert "/category/politics/page/2/" in crawled["requests"]
    assert generic_news.INDEX in crawled["requests"] and stats["generic/not_article"] == 1
    assert not any(p.startswith(("/privacy-policy", "/wp-admin")) for p in crawled["requests"])


def test_articles_extracted_field_by_field(crawled):
    conn = sqlite3.connect(crawled["db"])
    base = crawled["base"] + "/"
    got = {url.removeprefix(base): (title, body, published, layout) for url, title, body, published, layout
           in conn.execute("SELECT url, title, body, published_at, layout FROM versions")}
    conn.close()
    assert len(got) == len(generic_news.ARTICLES)
    for path, (title, paras, published, _signal) in generic_news.ARTICLES.items():
        t, body, pub, layout = got[path.lstrip("/")]
        assert (t, body.split("\n\n"), layout) == (title, [p.strip() for p in paras], "generic"), path
        # The same instant (whether the page's own offset is kept is the date parser's business).
        assert datetime.fromisoformat(pub) == datetime.fromisoformat(published), path


def test_rerun_adds_nothing_and_reextract_finds_the_generic_site(crawled):
    c = crawled["again"]["crawl"]
    assert (c["new_articles"], c["new_versions"], c["unchanged"], c["failed"]) == (0, 0, len(generic_news.ARTICLES), 0)
    proc = run_cli("reextract", "--db", crawled["db"], "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert (result["pages"], result["unchanged"], result["failed"]) == (len(generic_news.ARTICLES), len(generic_news.ARTICLES), 0)


@pytest.mark.parametrize(("path", "article", "listing"), [
    ("/2024/05/12/parliament-approves-new-budget-law/", True, False),
    ("/news/84213/market-prices-rise", True, False),
    ("/ar/story/100001/slug", True, False),
    ("/category/politics/", False, True),
    ("/category/politics/page/2/", False, False),
    ("/about-us/", False, False),
    ("/images/2024/05/photo-of-the-day.jpg", False, False),
    ("/tag/kurdistan-region-news-today/", False, True),
    ("/اخبار/سياسة/البرلمان-يقر-قانون-الموازنة", True, False),
    ("/politics/budget-vote.html", True, False),
    ("/", False, False),
    ("/about.html", False, False),
    ("/story/abc-xyz", False, True),
])
def test_url_shapes(path, article, listing):
    assert (looks_like_article(path), looks_like_listing(path)) == (article, listing)
