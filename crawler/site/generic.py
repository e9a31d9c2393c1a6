"""`--site generic`: any news site with no profile; article URLs and pages recognised by generic signals."""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote, urlsplit

from crawler.site.errors import SiteError
from crawler.site.identity import Identity
from crawler.site.schema import Discovery, Edition, Layout, Pagination, Site
from crawler.site.urls import check_base_url

# Path words of pages that list or describe, never of one article.
_NOT_ARTICLE_WORDS = frozenset(
    "tag tags category categories section sections topic topics author authors page search login logout "
    "register signup subscribe about contact contacts privacy terms feed feeds rss archive archives "
    "newsletter weather live-tv cdn-cgi wp-admin wp-login.php".split())
_NOT_HTML = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|json|xml|rss|atom|pdf|zip|mp3|mp4|m3u8|woff2?)$", re.I)
_ID = re.compile(r"\d{4,}")
_DATE_PATH = re.compile(r"/(?:19|20)\d\d/[01]?\d(?:/[0-3]?\d)?/")
_ARTICLE_TYPES = re.compile(
    r'"@type"\s*:\s*\[?\s*"(?:News|Reportage|Analysis|Opinion|Background|Review|Report|Satirical|Scholarly|Tech)?'
    r'(?:Article|BlogPosting|LiveBlogPosting)"')
_OG_ARTICLE = re.compile(r"""<meta(?=[^>]+property\s*=\s*["']og:type["'])[^>]+content\s*=\s*["']article["']""", re.I)
_QUERY_ID = re.compile(r"(?:^|&)(?:id|p|nid|aid|sid|article_?id|story_?id|news_?id)=\d+(?:&|$)", re.I)
_PAGE_EXT = re.compile(r"\.(?:s?html?|php|aspx?|jsp)$", re.I)
# Body text at which a page reads as an article even without metadata (characters, paragraphs).
MIN_BODY_CHARS, MIN_PARAGRAPHS = 500, 3

# Selector fields not given here come from the extractor's generic layers (JSON-LD, meta, fallback).
_SELECTORS: dict[str, Any] = {
    "title": ["article h1", "main h1", "h1[itemprop=headline]", "h1.entry-title"],
    "published": ["article time[datetime]::attr(datetime)", "time[datetime]::attr(datetime)"],
    "modified": ["time.updated::attr(datetime)"],
    "tags": ["a[rel~=tag]"],
    "author": ["a[rel~=author]", "[itemprop=author] [itemprop=name]", "[itemprop=author]"],
}


def generic_site(base_url: str) -> Site:
    """A site made from its home page URL: its host, one edition `all`, generic discovery and extraction."""
    url = check_base_url(base_url)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise SiteError(f"malformed --base-url {base_url!r}")
    name = re.sub(r"[^a-z0-9-]+", "-", host.removeprefix("www.")).strip("-") + (f"-{parts.port}" if parts.port else "")
    origin = f"{parts.scheme}://{parts.netloc}"
    home = parts.path.rstrip("/") or "/"
    discovery = Discovery(home=home, navigation=("nav a::attr(href)", "header a::attr(href)", "a::attr(href)"),
                          pagination=Pagination(kind="next", max_pages=5,
                                                next=("a[rel~=next]::attr(href)", "link[rel~=next]::attr(href)")),
                          robots_sitemaps=True, feed_links=True)
    # No host list: the origin (scheme, host and port) is the whole site.
    return Site(name=name, title=host, site_url=origin, hosts=(), base_url=origin,
                editions=MappingProxyType({"all": Edition("all")}),
                default_editions=("all",), discovery=discovery,
                layouts=(Layout(name="generic", selectors=MappingProxyType(_SELECTORS)),),
                source="generic", generic=True, _aliases=MappingProxyType({"all": "all"}))


def looks_like_article(path: str, query: str = "") -> bool:
    """URL shape of an article: a long numeric id, a dated path, or a slug of several words."""
    if _NOT_HTML.search(path):
        return False
    if _QUERY_ID.search(query):
        return True  # /news.php?id=12, /?p=123
    if path in ("", "/"):
        return False
    words = [w for w in unquote(path).split("/") if w]
    if not words or any(w.lower() in _NOT_ARTICLE_WORDS for w in words[:-1] + [words[-1].lower()]):
        return False
    last = re.sub(r"\.(?:html?|php|aspx?)$", "", words[-1], flags=re.I)
    if _ID.search(path) or _DATE_PATH.search(path + "/"):
        return len(words) >= 2 or bool(re.search(r"[^\d]", last))
    slug_words = len(re.split(r"[-_]+", last))
    if _PAGE_EXT.search(words[-1]) and len(words) >= 2 and slug_words >= 2:
        return True  # /politics/budget-vote.html
    return slug_words >= 3 and len(last) >= 15


def listed_identity(site: Site, url: str) -> Identity | None:
    """A feed or sitemap entry of a generic site: an article candidate whatever its URL shape (the page
    itself is then checked for article signals)."""
    from archive.urls import clean_url
    from crawler.site.urls import site_path

    clean = clean_url(url) or ""
    path = site_path(site, clean) if clean else None
    if path is None or path in ("", "/") or _NOT_HTML.search(path):
        return None
    return identity_of(site, path, urlsplit(clean).query)


def identity_of(site: Site, path: str, query: str) -> Identity:
    """Generic identity: the path (decoded, no edge slashes) and the query without tracking parameters."""
    from crawler.site.identity import path_id

    return Identity(site.name, "all", path_id(path) + (f"?{query}" if query else ""), "generic")


def is_article_page(html: str, fields: dict[str, Any]) -> bool:
    """After the fetch: article metadata (JSON-LD type, og:type) or enough running text under a title."""
    if not fields.get("title"):
        return False
    head = html[:200_000]
    if _ARTICLE_TYPES.search(head) or _OG_ARTICLE.search(head):
        return True
    body = fields.get("body") or []
    return sum(len(p) for p in body) >= MIN_BODY_CHARS and len(body) >= MIN_PARAGRAPHS


_NOT_LISTING_WORDS = frozenset(
    "about contact contacts privacy terms login logout register signup subscribe search newsletter advertise "
    "careers jobs cdn-cgi wp-admin wp-login.php".split())


def looks_like_listing(path: str) -> bool:
    """A section, category or tag page worth reading for article links (generic sites, from the home page)."""
    if path in ("", "/") or _NOT_HTML.search(path) or looks_like_article(path):
        return False
    words = [w.lower() for w in unquote(path).split("/") if w]
    parts = {p for w in words for p in re.split(r"[-_.]", w)}
    return 0 < len(words) <= 3 and not parts & _NOT_LISTING_WORDS
