"""A site as frozen dataclasses: what the loader builds from a profile TOML and every component reads."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType
from typing import Any

from crawler.site import identity, urls
from crawler.site.errors import SiteError
from crawler.site.identity import Identity

# Selector fields the extractor reads (crawler/extract); `date_formats` holds strptime formats, not selectors.
SELECTOR_FIELDS = ("title", "lead", "body", "author", "section", "tags", "images", "hero_image", "published",
                   "relative_time", "modified")
PAGINATION_KINDS = ("query", "path", "next", "none")
EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Edition:
    """One edition: its code (in keys), older aliases, and how it shows in URLs (path word, host or query value)."""

    code: str
    aliases: tuple[str, ...] = ()
    path: str = ""          # the word in URLs and in `{edition}` of entry paths (default: the code)
    host: str | None = None  # an edition on its own host (`ar.example.net`)

    @property
    def word(self) -> str:
        return self.path or self.code


@dataclass(frozen=True)
class UrlRule:
    """One generation of article URLs: a regex on the path; group `id` (else the path is the id), group `edition`."""

    generation: str
    regex: re.Pattern[str]
    with_query: bool = False  # the regex sees `path?query` (ids in the query: /news.php?id=12)

    @property
    def has_id(self) -> bool:
        return "id" in self.regex.groupindex


@dataclass(frozen=True)
class Pagination:
    """How a listing's next page is reached: `?param=N`, a path template (`/page/{n}`), a next link, or not."""

    kind: str = "query"
    param: str = "page"
    path: str = "/page/{n}"
    next: tuple[str, ...] = ()
    max_pages: int = 5


@dataclass(frozen=True)
class Discovery:
    """Entry points per edition (`{edition}` is the edition's URL word) and how listings are read."""

    feeds: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    home: str | None = None
    listing_urls: tuple[re.Pattern[str], ...] = ()
    navigation: tuple[str, ...] = ()
    listing_links: tuple[str, ...] = ()
    pagination: Pagination = Pagination()
    robots_sitemaps: bool = False   # `Sitemap:` lines of robots.txt are feeds too
    feed_links: bool = False        # `<link rel=alternate>` feeds of the home page are feeds too


@dataclass(frozen=True)
class Layout:
    """Page markup valid until a date (Fundus' idea): its selectors, merged over the site's [selectors]."""

    name: str
    valid_until: date | None = None
    generations: tuple[str, ...] = ()
    selectors: Mapping[str, Any] = field(default_factory=lambda: EMPTY)


@dataclass(frozen=True)
class Site:
    """One site as data. `base_url` (a mirror or local copy) is None for the real site."""

    name: str
    title: str
    site_url: str
    hosts: tuple[str, ...]
    timezone: str = "+00:00"
    editions: Mapping[str, Edition] = field(default_factory=lambda: EMPTY)
    default_editions: tuple[str, ...] = ()
    edition_param: str | None = None
    article_urls: tuple[UrlRule, ...] = ()
    discovery: Discovery = Discovery()
    layouts: tuple[Layout, ...] = ()
    boilerplate: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    block_markers: tuple[str, ...] = ()
    source: str = ""                # the profile file, or "generic"
    verified: bool = True           # False: written from public knowledge, not checked against the live site
    generic: bool = False           # no profile: articles recognised by generic signals
    hooks: Mapping[str, Callable[..., Any]] = field(default_factory=lambda: EMPTY)
    backfill: Mapping[str, Any] = field(default_factory=lambda: EMPTY)  # [backfill]: ids, URL template, sitemaps
    base_url: str | None = None
    _aliases: Mapping[str, str] = field(default_factory=lambda: EMPTY, repr=False)

    # --- editions ---------------------------------------------------------------------------
    def edition_code(self, word: str) -> str | None:
        """The edition for a code, an older alias (`so` -> `ckb`) or its URL word (`arabic` -> `ar`)."""
        return self._aliases.get(word.lower())

    def check_editions(self, codes: list[str]) -> list[str]:
        out: list[str] = []
        for code in codes:
            ed = self.edition_code(code.strip())
            if ed is None:
                known = ", ".join(sorted(self.editions))
                raise SiteError(f"unknown edition {code.strip()!r} for site {self.name} (known: {known})")
            if ed not in out:
                out.append(ed)
        return out

    @property
    def selectors(self) -> Mapping[str, Any]:
        """The selectors of the current layout (the one with no end date, else the newest)."""
        return self.layouts[0].selectors if self.layouts else EMPTY

    def with_base_url(self, base_url: str | None) -> Site:
        return replace(self, base_url=urls.check_base_url(base_url, self) if base_url else None)

    # --- URLs (crawler/site/urls.py and identity.py) ----------------------------------------------
    @property
    def fetch_root(self) -> str:
        return (self.base_url or self.site_url).rstrip("/")

    @property
    def fetch_hosts(self) -> tuple[str, ...]:
        return urls.fetch_hosts(self)

    def is_own_url(self, url: str) -> bool:
        return urls.is_own_url(self, url)

    def may_fetch(self, url: str) -> bool:
        return urls.may_fetch(self, url)

    def to_fetch_url(self, url: str) -> str:
        return urls.to_fetch_url(self, url)

    def to_site_url(self, url: str) -> str:
        return urls.to_site_url(self, url)

    def identify(self, url: str) -> Identity | None:
        return identity.identify(self, url)

    def listing_edition(self, url: str) -> str | None:
        return identity.listing_edition(self, url)

    def entry_urls(self, edition: str) -> dict[str, list[str]]:
        return urls.entry_urls(self, edition)
