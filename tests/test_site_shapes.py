"""Site shapes a profile describes without code: editions by path word, host or query; ids by regex, by path
or in the query; pagination by path; identity from the canonical URL; a hook module."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.site import SiteError, load_site
from tests.conftest import crawl_json
from tests.server import FixtureServer, Route

SUBDOMAINS = """
[site]
name = "subdomains"
base_url = "https://www.example.net"
default_editions = ["ar"]
[editions.ar]
host = "ar.example.net"
[editions.en]
host = "en.example.net"
[[article_urls]]
regex = '^/news/(?P<id>\\d+)'
[discovery]
home = "/"
listings = ["/latest"]
"""

QUERY = """
[site]
name = "query"
base_url = "https://example.org"
edition_param = "lang"
default_editions = ["ar"]
[editions.ar]
[editions.ckb]
path = "ku"
[[article_urls]]
generation = "php"
regex = '^/news\\.php\\?(?:.*&)?id=(?P<id>\\d+)'
query = true
[discovery]
listings = ["/list.php?lang={edition}"]
"""


def load(tmp_path: Path, text: str, name: str = "site.toml", base_url: str | None = None):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_site(str(path), base_url=base_url)


def test_editions_by_subdomain(tmp_path):
    site = load(tmp_path, SUBDOMAINS)
    assert site.identify("https://ar.example.net/news/12/x").key == "subdomains:ar:12"
    assert site.identify("https://en.example.net/news/12").key == "subdomains:en:12"
    assert site.identify("https://www.example.net/news/12").key == "subdomains:ar:12"  # the default edition
    assert site.identify("https://fr.example.net/news/12") is None
    assert site.entry_urls("en") == {"feeds": [], "listings": ["https://en.example.net/latest"],
                                     "home": ["https://en.example.net/"]}
    with pytest.raises(SiteError, match="editions live on their own hosts"):
        site.with_base_url("http://127.0.0.1:8000")


def test_editions_and_ids_in_the_query(tmp_path):
    site = load(tmp_path, QUERY)
    assert site.identify("https://example.org/news.php?id=55&lang=ku&utm_source=x").key == "query:ckb:55"
    assert site.identify("https://example.org/news.php?lang=ar&id=7").key == "query:ar:7"
    assert site.identify("https://example.org/news.php?lang=ar") is None
    assert site.entry_urls("ckb")["listings"] == ["https://example.org/list.php?lang=ku"]


def test_hook_module_for_what_data_cannot_say(tmp_path):
    (tmp_path / "hooks.py").write_text(
        "from crawler.site import Identity\n"
        "def identify(site, url, path):\n"
        "    if path.startswith('/p/'):\n"
        "        return Identity(site.name, 'ar', path.split('/')[2].upper(), 'short')\n"
        "    return None\n", encoding="utf-8")
    site = load(tmp_path, QUERY.replace('name = "query"', 'name = "hooked"\nhooks = "hooks.py"'))
    assert site.identify("https://example.org/p/ab12").key == "hooked:ar:AB12"
    (tmp_path / "hooks.py").write_text("x = 1\n", encoding="utf-8")
    with pytest.raises(SiteError, match=r"site.hooks: hook module hooks.py defines none of identify, after_extract"):
        load(tmp_path, QUERY.replace('name = "query"', 'name = "hooked"\nhooks = "hooks.py"'))


# A WordPress-like site: editions as path words, slugs as ids, /page/N pagination, canonical URLs.
PATHS = """
[site]
name = "paths"
base_url = "https://news.example.com"
default_editions = ["ar"]
[editions.ar]
path = "arabic"
[editions.ckb]
path = "sorani"
[[article_urls]]
generation = "slug"
regex = '^/(?P<edition>arabic|sorani)/news/[^/]+/?$'
[discovery]
listings = ["/{edition}/news"]
listing_links = ["main a::attr(href)"]
[discovery.pagination]
kind = "path"
path = "/page/{n}/"
max_pages = 3
[selectors]
title = ["h1"]
body = ["div.text p"]
"""


def article(title: str, canonical: str) -> Route:
    text = "".join(f"<p>{title}: فقرة رقم {n} من نص الخبر.</p>" for n in range(3))
    return Route(f"<html lang='ar'><head><meta charset='utf-8'><link rel='canonical' href='{canonical}'></head>"
                 f"<body><h1>{title}</h1><div class='text'>{text}</div></body></html>".encode())


def listing(*links: str) -> Route:
    cards = "".join(f"<a href='{link}'>x</a>" for link in links)
    return Route(f"<html><body><main>{cards}</main></body></html>".encode())


def test_path_words_slug_ids_path_pagination_and_canonical_identity(tmp_path, db_path):
    path = tmp_path / "paths.toml"
    path.write_text(PATHS, encoding="utf-8")
    real = "https://news.example.com"
    routes = {
        "/robots.txt": Route(b"", 404),
        "/arabic/news": listing(f"{real}/arabic/news/first-story", "/arabic/news/old-slug-of-second"),
        "/arabic/news/page/2/": listing("/arabic/news/third-story/"),
        "/arabic/news/page/3/": listing("/arabic/news/fourth-story"),  # max_pages = 3: read, never page 4
        "/arabic/news/page/4/": listing("/arabic/news/never-reached"),
        "/arabic/news/first-story": article("الأول", f"{real}/arabic/news/first-story"),
        # The slug changed: the old link answers with the article whose canonical URL is the new one.
        "/arabic/news/old-slug-of-second": article("الثاني", f"{real}/arabic/news/second-story"),
        "/arabic/news/third-story/": article("الثالث", f"{real}/arabic/news/third-story/"),
        "/arabic/news/fourth-story": article("الرابع", f"{real}/arabic/news/fourth-story"),
    }
    with FixtureServer(routes) as srv:
        report = crawl_json("--db", db_path, "--site", str(path), "--base-url", srv.base_url)
        assert "/arabic/news/page/4/" not in srv.requests
    assert sorted(r["key"] for r in report["new"]) == [
        "paths:ar:arabic/news/first-story", "paths:ar:arabic/news/fourth-story",
        "paths:ar:arabic/news/second-story", "paths:ar:arabic/news/third-story"]
