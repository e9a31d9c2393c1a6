"""RSS 2.0, Atom and sitemap (urlset, sitemapindex) bytes -> entries; no entity expansion, no network, size-capped."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from lxml import etree

from crawler.links import is_bad, join

# Same as DOWNLOAD_MAXSIZE: a feed or sitemap is never bigger than a page may be.
MAX_FEED_BYTES = 8 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
# Entity declarations (general or parameter): feeds never need one, and they are how entity-expansion
# bombs (billion laughs) and external entities (XXE) get in. Refused before parsing when the bytes are
# ASCII-compatible, and after parsing (whatever the encoding) from the parsed internal DTD.
_ENTITY_DECL = b"<!ENTITY"
_REFUSED = "feed declares XML entities (entity expansion or external entities): refused"


class FeedError(ValueError):
    """A feed or sitemap that was refused (too large, entity declarations) or is not XML at all."""


@dataclass(frozen=True)
class FeedEntry:
    """One link from a feed or sitemap. Dates are ISO 8601 with an offset (UTC when the feed gave none)."""

    url: str
    published: str | None = None
    modified: str | None = None
    sitemap: bool = False  # a child sitemap listed by a <sitemapindex>, not an article


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers keep state and are not safe to share between threads.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False, recover=True, remove_comments=True, remove_pis=True)


def _gunzip(body: bytes, max_bytes: int) -> bytes:
    """A gzipped sitemap (`sitemap.xml.gz`), inflated at most to `max_bytes`."""
    inflater = zlib.decompressobj(wbits=47)  # gzip or zlib header
    try:
        out = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise FeedError(f"broken gzip: {exc}") from None
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise FeedError(f"gzipped feed inflates past {max_bytes} bytes: refused")
    if not inflater.eof:
        raise FeedError("broken gzip: the stream ends early")
    return out


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(el: etree._Element) -> dict[str, list[etree._Element]]:
    out: dict[str, list[etree._Element]] = {}
    for child in el:
        out.setdefault(_local(child.tag), []).append(child)
    return out


def _text(els: list[etree._Element] | None) -> str | None:
    for el in els or []:
        value = "".join(el.itertext()).strip()
        if value:
            return value
    return None


def iso_date(value: str | None) -> str | None:
    """RFC 822 (RSS) or W3C/ISO 8601 (Atom, sitemaps) as ISO 8601 with offset; None when unreadable."""
    if not value:
        return None
    value = value.strip()
    when: datetime | None = None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.isoformat()


def _url(raw: str | None, base_url: str, bad: list[str] | None = None) -> str | None:
    """An entry's link as an absolute http(s) URL; None (and noted in `bad`) when it is malformed.

    One bad link (`http://[::1/x`, a port above 65535) costs that entry only, never the feed.
    """
    if not raw:
        return None
    url = join(base_url, raw)
    if url is None and bad is not None and is_bad(base_url, raw):
        bad.append(raw.strip()[:200])
    return url


def _rss_item(item: etree._Element, base_url: str, bad: list[str] | None = None) -> FeedEntry | None:
    c = _children(item)
    link = _text(c.get("link"))
    if not link:
        # A guid is the item's URL unless isPermaLink="false" (then it is an opaque id).
        guids = [g for g in c.get("guid", []) if (g.get("isPermaLink") or "true").strip().lower() != "false"]
        guid = _text(guids)
        link = guid if guid and ("://" in guid or guid.startswith("/")) else None
    url = _url(link, base_url, bad)
    if url is None:
        return None
    published = iso_date(_text(c.get("pubDate")) or _text(c.get("published")) or _text(c.get("date")))
    modified = iso_date(_text(c.get("updated")) or _text(c.get("modified")))
    return FeedEntry(url, published, modified)


def _atom_entry(entry: etree._Element, base_url: str, bad: list[str] | None = None) -> FeedEntry | None:
    c = _children(entry)
    links = c.get("link", [])
    # rel="alternate" (or no rel) is the article itself; "self", "edit", "enclosure" are not.
    chosen = [el for el in links if (el.get("rel") or "alternate") == "alternate"] or []
    href = next((el.get("href") for el in chosen if el.get("href")), None)
    url = _url(href, base_url, bad)
    if url is None:
        return None
    return FeedEntry(url, iso_date(_text(c.get("published"))), iso_date(_text(c.get("updated"))))


def _sitemap_url(el: etree._Element, base_url: str, sitemap: bool,
                 bad: list[str] | None = None) -> FeedEntry | None:
    c = _children(el)
    url = _url(_text(c.get("loc")), base_url, bad)
    if url is None:
        return None
    published = None
    for news in c.get("news", []):  # Google News sitemaps: <news:news><news:publication_date>
        published = iso_date(_text(_children(news).get("publication_date")))
    return FeedEntry(url, published, iso_date(_text(c.get("lastmod"))), sitemap)


def parse_feed(body: bytes, base_url: str, max_bytes: int = MAX_FEED_BYTES,
               bad: list[str] | None = None) -> list[FeedEntry]:
    """The entries of an RSS 2.0, Atom, sitemap or sitemap-index document, in document order, each URL once.

    Raises FeedError for a document that is too large, declares entities, or is not XML. Links are
    resolved against `base_url`; only http(s) links are kept. A malformed link drops its entry only
    and, when `bad` is given, is appended to it.
    """
    if len(body) > max_bytes:
        raise FeedError(f"feed is {len(body)} bytes, more than the {max_bytes} allowed: refused")
    if body[:2] == _GZIP_MAGIC:
        body = _gunzip(body, max_bytes)
    if _ENTITY_DECL in body:
        raise FeedError(_REFUSED)
    try:
        # resolve_entities=False: even a declaration that got past the byte check is never expanded.
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not XML: {exc}") from None
    if root is None:
        raise FeedError("not XML: no root element")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise FeedError(_REFUSED)
    kind = _local(root.tag)
    entries: list[FeedEntry | None]
    if kind in ("urlset", "sitemapindex"):
        child = "url" if kind == "urlset" else "sitemap"
        entries = [_sitemap_url(el, base_url, kind == "sitemapindex", bad) for el in root.iter(etree.Element)
                   if _local(el.tag) == child]
    else:
        entries = []
        for el in root.iter(etree.Element):
            name = _local(el.tag)
            if name == "item":
                entries.append(_rss_item(el, base_url, bad))
            elif name == "entry":
                entries.append(_atom_entry(el, base_url, bad))
    seen: set[str] = set()
    out: list[FeedEntry] = []
    for entry in entries:
        if entry is not None and entry.url not in seen:
            seen.add(entry.url)
            out.append(entry)
    return out
