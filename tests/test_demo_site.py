"""The bundled demo site: its server, its files and its manifest agree with each other."""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import REFERENCE
from parsel import Selector

from crawler.demo.server import SITE_ROOT, DemoServer

MANIFEST = json.loads((SITE_ROOT / "manifest.json").read_text(encoding="utf-8"))
ARTICLES = {a["id"]: a for a in MANIFEST["articles"]}
DATA = json.loads((SITE_ROOT.parent / "articles.json").read_text(encoding="utf-8"))
STORY = re.compile(r"^(?:/public/index\.php)?/(?P<ed>[a-z]{2,3})/story/(?P<id>\d+)(?:[-/][^/]*)?/?$")


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(day=1) as srv:
        yield srv


def fetch(srv: DemoServer, target: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(srv.base_url + target, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def raw_get(srv: DemoServer, target: str) -> int:
    """Send the request target byte for byte (urllib could normalise it)."""
    parts = urlsplit(srv.base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest("GET", target, skip_accept_encoding=True)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
        assert b'"articles"' not in body and b"root:" not in body
        return resp.status
    finally:
        conn.close()


def day_file(day: int, rel: str) -> bytes:
    overlay = SITE_ROOT / "day2" / rel
    return (overlay if day == 2 and overlay.is_file() else SITE_ROOT / "day1" / rel).read_bytes()


def parse_reference(path: Path) -> dict[str, object]:
    blocks = [b for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    lead, caption, caption2 = blocks[1].split("\n")
    assert caption == caption2
    return {"title": blocks[0], "lead": lead, "caption": caption, "body": [b.strip("\n") for b in blocks[2:]]}


# --- server ---------------------------------------------------------------------------------------
def test_home_and_trailing_slash(server: DemoServer) -> None:
    status, ctype, body = fetch(server, "/ar")
    assert status == 200 and ctype == "text/html; charset=utf-8"
    sel = Selector(text=body.decode("utf-8"))
    assert sel.xpath("/html/@lang").get() == "ar" and sel.xpath("/html/@dir").get() == "rtl"
    nav = sel.css("nav a::attr(href)").getall()
    assert "https://www.kurdistan24.net/ar/list/category/1/%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9" in nav
    assert "/ar/list/category/2/%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF" in nav and "/ar/latest" in nav
    assert sel.css("article h3 a::attr(href)").getall()
    assert fetch(server, "/ar/")[2] == body


def test_latest_pagination(server: DemoServer) -> None:
    status, _, body = fetch(server, "/ar/latest?page=2")
    sel = Selector(text=body.decode("utf-8"))
    assert status == 200 and len(sel.css("article h3 a")) >= 8
    assert sel.css("a.next::attr(href)").get() == "/ar/latest?page=3"
    assert fetch(server, "/ar/latest?page=1")[2] == fetch(server, "/ar/latest")[2]
    assert fetch(server, "/ar/latest?page=4")[0] == 404


def test_robots_and_feed(server: DemoServer) -> None:
    status, ctype, body = fetch(server, "/robots.txt")
    assert status == 200 and ctype.startswith("text/plain")
    assert body.decode() == "User-agent: *\nDisallow: /ar/search\nDisallow: /private/\n"
    status, ctype, body = fetch(server, "/ar/rss.xml")
    assert status == 200 and ctype.startswith("application/rss+xml")
    items = ET.fromstring(body).findall("./channel/item")
    assert len(items) == 10 and all(re.search(r"\+0300$", i.findtext("pubDate", "")) for i in items)


def test_every_page_in_the_manifest_is_served(server: DemoServer) -> None:
    for page in MANIFEST["pages"]:
        status, _, body = fetch(server, page["url"])
        assert status == 200 and body == day_file(1, page["file"]), page["url"]


def test_articles_and_url_variants(server: DemoServer) -> None:
    for art in MANIFEST["articles"]:
        if art["day1"]:
            status, ctype, body = fetch(server, art["path"])
            assert status == 200 and ctype == "text/html; charset=utf-8" and body == day_file(1, art["file"])
    for v in MANIFEST["url_variants"]:
        target = re.sub(r"^https://www\.kurdistan24\.net", "", v["href"])
        art = ARTICLES[v["key"].rsplit(":", 1)[1]]
        assert fetch(server, target)[2] == day_file(1, art["file"]), v["variant"]


def test_tracking_query_and_arabic_slug(server: DemoServer) -> None:
    ref = ARTICLES["100001"]
    assert "%D8%A7%D9%84" in ref["path"]  # percent-encoded Arabic slug
    plain = fetch(server, ref["path"])
    assert plain[0] == 200
    assert fetch(server, ref["path"] + "?utm_source=twitter&fbclid=abc")[2] == plain[2]
    assert fetch(server, ref["path"] + "/")[2] == plain[2]


def test_special_pages(server: DemoServer) -> None:
    for special in MANIFEST["special"]:
        status, _, body = fetch(server, special["path"])
        assert status == special["status"], special["kind"]
        if special["kind"] == "challenge":
            assert b"Just a moment..." in body and b"Checking if the site connection is secure" in body
        if special["kind"] == "broken":
            sel = Selector(text=body.decode("utf-8"))
            assert not sel.css("h1") and not sel.css("div.reader-content p")


def test_path_traversal_is_refused(server: DemoServer) -> None:
    for target in ["/../manifest.json", "/ar/../../manifest.json", "/%2e%2e/manifest.json",
                   "/ar/%2E%2E/%2E%2E/manifest.json", "/..%2fmanifest.json", "/../../../../etc/passwd"]:
        assert raw_get(server, target) in (400, 403, 404), target


def test_days_and_deletion() -> None:
    with DemoServer(day=1) as srv:
        deleted = next(a for a in MANIFEST["articles"] if a["day2"] == "deleted")
        new = next(a for a in MANIFEST["articles"] if a["day2"] == "new")
        assert fetch(srv, deleted["path"])[0] == 200 and fetch(srv, new["path"])[0] == 404
        srv.set_day(2)
        assert fetch(srv, deleted["path"])[0] == 404
        assert fetch(srv, f"/ar/story/{deleted['id']}")[0] == 404  # any URL variant of it
        assert fetch(srv, new["path"])[0] == 200
        edited = next(a for a in MANIFEST["articles"] if a["day2"] == "edited")
        h1 = Selector(text=fetch(srv, edited["path"])[2].decode()).css("h1::text").get()
        assert h1 == edited["day2_title"] != edited["title"]
        latest = fetch(srv, "/ar/latest")[2].decode()
        assert f"/story/{new['id']}/" in latest and f"/story/{deleted['id']}/" not in latest
        srv.set_day(1)
        assert fetch(srv, deleted["path"])[0] == 200
        assert srv.requests[0] == deleted["path"] and len(srv.requests) == 8


def test_reference_article_text(server: DemoServer) -> None:
    entry = next(a for a in DATA["articles"] if a.get("reference"))
    expected = parse_reference(REFERENCE) if REFERENCE.is_file() else {
        "title": entry["title"], "lead": entry["lead"], "caption": entry["caption"], "body": entry["paragraphs"]}
    sel = Selector(text=fetch(server, ARTICLES["100001"]["path"])[2].decode("utf-8"))
    assert sel.css("h1").xpath("string()").get() == expected["title"]
    assert [p.xpath("string()").get() for p in sel.css("div.reader-content p")] == expected["body"]
    assert sel.css("p.lead").xpath("string()").get() == expected["lead"]
    assert sel.css("figure.hero img::attr(alt)").get() == expected["caption"]
    assert sel.css("figure.hero figcaption").xpath("string()").get() == expected["caption"]
    ld = json.loads(sel.css('script[type="application/ld+json"]::text').get())
    assert ld["@type"] == "NewsArticle" and ld["datePublished"] == "2021-11-26T14:30:00+03:00"


def test_split_word_stays_one_word() -> None:
    body = day_file(1, ARTICLES["100002"]["file"]).decode()
    assert "<b>ال</b>حكومة" in body
    texts = [p.xpath("string()").get() for p in Selector(text=body).css("div.reader-content p")]
    assert "الحكومة الاتحادية" in texts[0]


# --- manifest -------------------------------------------------------------------------------------
def test_manifest_consistency() -> None:
    statuses = {a["day2"] for a in MANIFEST["articles"]}
    assert statuses == {"unchanged", "edited", "noise_only", "new", "deleted"}
    for art in MANIFEST["articles"]:
        assert art["key"] == f"kurdistan24:{art['edition']}:{art['id']}"
        assert STORY.match(art["path"]) and STORY.match(art["path"])["id"] == art["id"]
        days = [d for d in (1, 2) if (art["day1"] if d == 1 else art["day2"] != "deleted")]
        for d in days:
            sel = Selector(text=day_file(d, art["file"]).decode("utf-8"))
            paragraphs = sel.css("div.reader-content p")
            expected = art.get("day2_body_paragraphs", art["body_paragraphs"]) if d == 2 else art["body_paragraphs"]
            assert len(paragraphs) == expected + len(art["dropped"]), art["id"]
            assert sel.css("span.time-ago, time[datetime]"), art["id"]
        assert (SITE_ROOT / ("day2" if art["day2"] == "new" else "day1") / art["file"]).is_file()
    for special in MANIFEST["special"]:
        assert (special["file"] is None) == (special["kind"] == "missing")
        if special["file"]:
            assert (SITE_ROOT / "day1" / special["file"]).is_file()
    deleted = (SITE_ROOT / "day2" / "_deleted.txt").read_text(encoding="utf-8").split()
    gone = [a["path"] for a in MANIFEST["articles"] if a["day2"] == "deleted"]
    assert deleted == MANIFEST["day2_deleted_paths"] == gone
    for rel in MANIFEST["day2_overlay"]:
        assert (SITE_ROOT / "day2" / rel).is_file()
    for day in ("day1", "day2"):
        present = [a for a in MANIFEST["articles"] if (a["day1"] if day == "day1" else a["day2"] != "deleted")]
        assert MANIFEST["totals"][day]["articles"] == len(present)
    assert not any("private" in str(p) for p in SITE_ROOT.rglob("*"))


def test_noise_only_change_is_display_noise() -> None:
    art = next(a for a in MANIFEST["articles"] if a["day2"] == "noise_only")
    day1, day2 = day_file(1, art["file"]), day_file(2, art["file"])
    assert day1 != day2

    def key(html: bytes) -> list[str]:
        sel = Selector(text=html.decode("utf-8"))
        texts = [x.xpath("string()").get() for x in sel.css("h1, div.reader-content p")]
        out = []
        for t in texts:
            t = re.sub(r"(?<=\w)\u0640+(?=\w)", "", re.sub("[\u200e\u200f]", "", t)).replace("\u00a0", " ")
            out.append(re.sub(r"\s+", " ", t).strip())
        return out

    assert key(day1) == key(day2)


def test_every_article_is_discoverable_from_entry_points(server: DemoServer) -> None:
    for day in (1, 2):
        server.set_day(day)
        try:
            found: set[str] = set()
            entry = [p["url"] for p in MANIFEST["pages"] if p["url"] != "/robots.txt"]
            for url in entry:
                text = fetch(server, url)[2].decode("utf-8")
                hrefs = re.findall(r'href="([^"]+)"|<link>([^<]+)</link>', text)
                for href in (a or b for a, b in hrefs):
                    path = urlsplit(href.replace("&amp;", "&")).path
                    if (m := STORY.match(path)) and urlsplit(href).hostname in (None, "www.kurdistan24.net"):
                        found.add(f"kurdistan24:{m['ed']}:{m['id']}")
            present = {a["key"] for a in MANIFEST["articles"] if (a["day1"] if day == 1 else a["day2"] != "deleted")}
            assert present <= found, present - found
        finally:
            server.set_day(1)
