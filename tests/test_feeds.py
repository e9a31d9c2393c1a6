"""Feeds and sitemaps: RSS, Atom, urlset, sitemapindex; hostile XML refused quickly and without side effects."""

from __future__ import annotations

import gzip
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.feeds import MAX_FEED_BYTES, FeedEntry, FeedError, iso_date, parse_feed

BASE = "https://www.kurdistan24.net/ar/rss.xml"
SITE = "https://www.kurdistan24.net"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Kurdistan24</title><link>https://www.kurdistan24.net/ar</link>
<item><title>one</title><link>https://www.kurdistan24.net/ar/story/1/one</link>
  <pubDate>Tue, 10 Jun 2025 07:30:00 +0300</pubDate><atom:updated>2025-06-10T09:00:00+03:00</atom:updated></item>
<item><title>relative, guid only</title><guid isPermaLink="true">/ar/story/2/two</guid></item>
<item><title>guid with a URL</title><guid>https://www.kurdistan24.net/ar/story/3/three</guid>
  <dc:date>2025-06-09T12:00:00Z</dc:date></item>
<item><title>not http</title><link>javascript:alert(1)</link></item>
<item><title>opaque id</title><guid isPermaLink="false">https://www.kurdistan24.net/ar/story/9/id</guid></item>
<item><title>repeat</title><link>https://www.kurdistan24.net/ar/story/1/one</link></item>
<item><title>bad date</title><link> /ar/story/4/four </link><pubDate>yesterday</pubDate></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<entry><link rel="self" href="/ar/feed/1"/><link rel="alternate" href="/ar/story/10/x"/>
  <published>2025-06-10T07:30:00+03:00</published><updated>2025-06-10T08:00:00+03:00</updated></entry>
<entry><link href="https://www.kurdistan24.net/ar/story/11"/><updated>2025-06-11</updated></entry>
<entry><link rel="enclosure" href="/media/1.mp3"/></entry>
</feed>"""

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://www.kurdistan24.net/ar/story/20/x</loc><lastmod>2025-06-10T10:00:00+03:00</lastmod>
  <news:news><news:publication_date>2025-06-10T07:00:00+03:00</news:publication_date></news:news></url>
<url><loc>https://www.kurdistan24.net/ar/story/21/y</loc></url>
<url><loc>ftp://www.kurdistan24.net/ar/story/22</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://www.kurdistan24.net/sitemap-1.xml</loc><lastmod>2025-06-01</lastmod></sitemap>
<sitemap><loc>/sitemap-2.xml.gz</loc></sitemap>
</sitemapindex>"""


def test_rss() -> None:
    assert parse_feed(RSS, BASE) == [
        FeedEntry(f"{SITE}/ar/story/1/one", "2025-06-10T07:30:00+03:00", "2025-06-10T09:00:00+03:00"),
        FeedEntry(f"{SITE}/ar/story/2/two"),
        FeedEntry(f"{SITE}/ar/story/3/three", "2025-06-09T12:00:00+00:00"),
        FeedEntry(f"{SITE}/ar/story/4/four"),
    ]


def test_atom() -> None:
    assert parse_feed(ATOM, BASE) == [
        FeedEntry(f"{SITE}/ar/story/10/x", "2025-06-10T07:30:00+03:00", "2025-06-10T08:00:00+03:00"),
        FeedEntry(f"{SITE}/ar/story/11", None, "2025-06-11T00:00:00+00:00"),
    ]


def test_sitemaps() -> None:
    assert parse_feed(URLSET, BASE) == [
        FeedEntry(f"{SITE}/ar/story/20/x", "2025-06-10T07:00:00+03:00", "2025-06-10T10:00:00+03:00"),
        FeedEntry(f"{SITE}/ar/story/21/y"),
    ]
    assert parse_feed(INDEX, BASE) == [
        FeedEntry(f"{SITE}/sitemap-1.xml", None, "2025-06-01T00:00:00+00:00", sitemap=True),
        FeedEntry(f"{SITE}/sitemap-2.xml.gz", None, None, sitemap=True),
    ]


def test_gzipped_sitemap() -> None:
    assert parse_feed(gzip.compress(URLSET), BASE) == parse_feed(URLSET, BASE)


@pytest.mark.parametrize("value, expected", [
    ("Tue, 10 Jun 2025 07:30:00 GMT", "2025-06-10T07:30:00+00:00"),
    ("2025-06-10T07:30:00Z", "2025-06-10T07:30:00+00:00"),
    ("2025-06-10T07:30+03:00", "2025-06-10T07:30:00+03:00"),
    ("2025-06-10", "2025-06-10T00:00:00+00:00"),
    ("not a date", None), ("", None), (None, None),
])
def test_iso_date(value: str | None, expected: str | None) -> None:
    assert iso_date(value) == expected


# --- hostile documents -------------------------------------------------------------------------------
def billion_laughs(encoding: str = "utf-8") -> bytes:
    levels = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    text = (f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE rss [<!ENTITY lol0 "lol">{levels}]>'
            "<rss><channel><item><link>https://www.kurdistan24.net/ar/story/1/&lol9;</link></item></channel></rss>")
    return text.encode(encoding)


HOSTILE = {
    "billion laughs": billion_laughs(),
    "billion laughs in utf-16": billion_laughs("utf-16"),
    "external entity": b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                       b"<rss><channel><item><link>&x;</link></item></channel></rss>",
    "external entity over http": b'<!DOCTYPE rss [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>'
                                 b"<rss><channel><item><link>&x;</link></item></channel></rss>",
    "parameter entity": b'<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]><rss/>',
    "quadratic blowup": b'<!DOCTYPE rss [<!ENTITY a "' + b"a" * 50000 + b'">]><rss><channel><item><link>'
                        + b"&a;" * 50000 + b"</link></item></channel></rss>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_entity_declarations_are_refused(name: str) -> None:
    started = time.monotonic()
    with pytest.raises(FeedError, match="declares XML entities"):
        parse_feed(HOSTILE[name], BASE)
    assert time.monotonic() - started < 2.0


def test_external_dtd_reference_is_not_fetched_and_the_feed_still_reads() -> None:
    # RSS 0.91 named Netscape's DTD; no network and no DTD loading: the feed is read without it.
    body = (b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
            b'"http://127.0.0.1:9/rss-0.91.dtd"><rss version="0.91"><channel><item>'
            b"<link>https://www.kurdistan24.net/ar/story/5/x</link></item></channel></rss>")
    assert parse_feed(body, BASE) == [FeedEntry(f"{SITE}/ar/story/5/x")]


def test_size_caps() -> None:
    with pytest.raises(FeedError, match="more than the 1000 allowed"):
        parse_feed(b"<rss>" + b" " * 1000 + b"</rss>", BASE, max_bytes=1000)
    bomb = gzip.compress(b"<urlset>" + b" " * (MAX_FEED_BYTES + 10) + b"</urlset>")
    assert len(bomb) < 100_000
    started = time.monotonic()
    with pytest.raises(FeedError, match="inflates past"):
        parse_feed(bomb, BASE)
    assert time.monotonic() - started < 2.0
    with pytest.raises(FeedError, match="broken gzip"):
        parse_feed(b"\x1f\x8b\x08\x00garbage", BASE)


def test_deep_nesting_and_truncation_do_not_break_parsing() -> None:
    deep = b"<rss>" + b"<a>" * 100_000 + b"</rss>"
    started = time.monotonic()
    assert parse_feed(deep, BASE) == []
    assert time.monotonic() - started < 2.0
    truncated = RSS[: RSS.index(b"<item><title>guid with")]
    assert [e.url for e in parse_feed(truncated, BASE)] == [f"{SITE}/ar/story/1/one", f"{SITE}/ar/story/2/two"]


def test_not_xml() -> None:
    with pytest.raises(FeedError, match="not XML"):
        parse_feed(b"", BASE)
    assert parse_feed(b"<html><body><a href='/ar/story/1'>x</a></body></html>", BASE) == []


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_entries_or_feed_error(body: bytes) -> None:
    try:
        entries = parse_feed(body, BASE)
    except FeedError:
        return
    assert all(e.url.startswith(("http://", "https://")) for e in entries)
    assert parse_feed(body, BASE) == entries


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=40), st.text(max_size=30)), max_size=8))
def test_arbitrary_item_text_never_breaks_rss(items: list[tuple[str, str]]) -> None:
    from xml.sax.saxutils import escape

    xml = "<rss><channel>" + "".join(f"<item><link>{escape(link)}</link><pubDate>{escape(date)}</pubDate></item>"
                                      for link, date in items) + "</channel></rss>"
    try:
        entries = parse_feed(xml.encode("utf-8", "surrogatepass"), BASE)
    except FeedError:
        return
    assert all(e.url.startswith(("http://", "https://")) for e in entries)
