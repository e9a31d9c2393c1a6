"""Which article (SITE:EDITION:ID) a URL points at, and which edition a listing URL belongs to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlsplit

from w3lib.url import safe_url_string

from archive.urls import clean_url
from crawler.site.urls import site_path

if TYPE_CHECKING:
    from crawler.site.schema import Site


@dataclass(frozen=True)
class Identity:
    """Who an article URL points at: the same article under any URL variant has one identity."""

    site: str
    edition: str
    article_id: str
    generation: str

    @property
    def key(self) -> str:
        return f"{self.site}:{self.edition}:{self.article_id}"


def path_id(path: str) -> str:
    """An id made of the path itself (sites whose ids are slugs): decoded, no edge slashes, one form."""
    return unquote(path).strip("/")


def identify(site: Site, url: str) -> Identity | None:
    """The article identity of an own URL, or None when it is not an article URL."""
    url = safe_url_string(url)
    path = site_path(site, url)
    if path is None:
        return None
    if hook := site.hooks.get("identify"):
        return hook(site, url, path)  # type: ignore[no-any-return]
    if site.generic:
        from crawler.site.generic import identity_of, looks_like_article

        query = urlsplit(clean_url(url) or url).query  # tracking parameters never make another article
        return identity_of(site, path, query) if looks_like_article(path, query) else None
    query = urlsplit(clean_url(url) or url).query
    for rule in site.article_urls:
        m = rule.regex.match(f"{path}?{query}" if rule.with_query and query else path)
        if not m:
            continue
        edition = _edition(site, m, url)
        if edition is None:
            return None
        article_id = m.group("id").lower() if rule.has_id else path_id(path)
        return Identity(site.name, edition, article_id, rule.generation)
    return None


def stored_identity(key: str, current: Identity | None) -> Identity:
    """The identity an archived article was stored under (`SITE:EDITION:ID`); the generation from today's rules."""
    site, edition, article_id = key.split(":", 2)
    return Identity(site, edition, article_id, current.generation if current else "?")


def listing_edition(site: Site, url: str) -> str | None:
    """The edition of a listing URL (category, latest, ...), or None when it is not one."""
    path = site_path(site, safe_url_string(url))
    if path is None:
        return None
    if site.generic:
        from crawler.site.generic import looks_like_listing

        return "all" if looks_like_listing(path) else None
    for regex in site.discovery.listing_urls:
        m = regex.match(path)
        if m:
            return _edition(site, m, url)
    return None


def _edition(site: Site, m: re.Match[str], url: str) -> str | None:
    """From the regex's `edition` group, else the edition's own host, else the query, else the default."""
    if "edition" in m.re.groupindex and m.group("edition"):
        return site.edition_code(m.group("edition"))
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for ed in site.editions.values():
        if ed.host and ed.host == host:
            return ed.code
    if site.edition_param:
        value = dict(parse_qsl(parts.query)).get(site.edition_param)
        if value:
            return site.edition_code(value)
    return site.default_editions[0] if site.default_editions else None
