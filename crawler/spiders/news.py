"""The one spider: discovers and fetches a site's articles as its profile (or the generic signals) describes."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from archive.urls import clean_url
from crawler.bounds import DiscoveryBounds
from crawler.config import SPIDER_ARGS, CrawlConfig, crawl_config
from crawler.extract.block import detect_block
from crawler.feeds import FeedError, parse_feed
from crawler.links import page_links
from crawler.outcomes import COUNTED, failure_observation, observation
from crawler.recheck import Rechecker, conditional_headers
from crawler.site import Site, available_sites
from crawler.site.generic import listed_identity
from crawler.site.identity import stored_identity
from crawler.site.urls import next_page
from crawler.spiders.articles import article_item

logger = logging.getLogger(__name__)

# Scheduling priorities: discovery first, so new articles are found early; rechecks last.
PRIO_ENTRY, PRIO_LISTING, PRIO_ARTICLE, PRIO_RECHECK = 30, 20, 10, 0
_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)
_FEED_LINKS = ("link[rel~=alternate][type*=rss]::attr(href)", "link[rel~=alternate][type*=atom]::attr(href)")


class NewsSpider(Spider):
    """Configured by settings only (crawler/config.py): NEWSARCHIVE_SITE, _BASE_URL, _EDITIONS, _DB,
    _MAX_PAGES, _RECHECK. Spider arguments (`scrapy crawl news -a site=... -a lang=...`) are those
    settings at Scrapy's "spider" priority, so `-s` overrides them."""

    name = "news"

    def __init__(self, **kwargs: Any) -> None:
        for arg in SPIDER_ARGS:
            kwargs.pop(arg, None)
        super().__init__(**kwargs)
        self.rechecker: Rechecker | None = None
        self.scheduled = 0
        # Article keys seen on listing pages: pagination stops at a page that shows nothing new
        # (sites often answer past-the-end pages with the last page again).
        self.listed_keys: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        for arg, setting in SPIDER_ARGS.items():
            if kwargs.get(arg) not in (None, ""):
                crawler.settings.set(setting, kwargs[arg], priority="spider")
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.bounds = DiscoveryBounds.from_settings(crawler.settings)
        return spider

    # The config is put on the crawler by SiteExtension, which Scrapy builds after the spider.
    @property
    def config(self) -> CrawlConfig:
        return crawl_config(self.crawler)

    @property
    def site(self) -> Site:
        return self.config.site

    @property
    def editions(self) -> tuple[str, ...]:
        return self.config.editions

    @property
    def allowed_domains(self) -> list[str]:  # type: ignore[override]
        return list(self.site.fetch_hosts)

    # --- scheduling -------------------------------------------------------------------------------
    def _budget_left(self) -> bool:
        if self.config.max_pages and self.scheduled >= self.config.max_pages:
            self.crawler.stats.inc_value("spider/max_pages_reached")
            return False
        self.scheduled += 1
        return True

    def _request(self, url: str, callback: Any, priority: int, **meta: Any) -> Request | None:
        if not self._budget_left():
            return None
        return Request(url, callback=callback, errback=self.on_error, priority=priority, meta=meta)

    def article_request(self, url: str, priority: int = PRIO_ARTICLE, hint: str | None = None,
                        state: dict[str, Any] | None = None, listed: bool = False) -> Request | None:
        """A request for an article link, or None when it is not an article of our editions or, being
        archived already, is not due for a recheck (`state` given: the caller decided it is due).
        `listed`: the URL comes from a feed or sitemap, which generic sites trust whatever its shape."""
        ident = self.site.identify(url)
        if state is not None:
            ident = stored_identity(state["key"], ident)  # the archived identity, whatever the rules say now
        elif ident is None and listed and self.site.generic:
            ident = listed_identity(self.site, url)
        if ident is None or ident.edition not in self.editions:
            return None
        if state is None and self.rechecker is not None:
            fetch, state = self.rechecker.decide(ident.key, hint)
            if not fetch:
                self.crawler.stats.inc_value("recheck/not_due")
                return None
        request = self._request(self.site.to_fetch_url(clean_url(url) or url), self.parse_article, priority,
                                article_key=ident.key, identity=ident, kind="article")
        if request is not None and state is not None:
            request.meta["recheck"] = True
            # The site answers 304 when nothing changed: no body sent, nothing parsed.
            request.headers.update(conditional_headers(state))
        return request

    async def start(self) -> AsyncIterator[Request]:
        # Opened first: links found on entry pages are checked against the archive's schedule.
        self.rechecker = self.open_rechecker()
        for request in self.seed():
            yield request

    def open_rechecker(self) -> Rechecker:
        """The archive's recheck schedule (a cluster worker reads it from Redis instead: crawler/cluster)."""
        return Rechecker(self.config.db, self.site.name, list(self.editions), self.config.recheck)

    def seed(self) -> Iterator[Request]:
        """The crawl's first requests: robots.txt, feeds, home pages and listings, then the rechecks due."""
        if self.site.discovery.robots_sitemaps:
            parts = urlsplit(self.site.fetch_root)
            if req := self._request(f"{parts.scheme}://{parts.netloc}/robots.txt", self.parse_robots, PRIO_ENTRY,
                                    kind="robots"):
                yield req
        for edition in self.editions:
            entries = self.site.entry_urls(edition)
            for url in entries["feeds"]:
                if req := self._request(url, self.parse_feed, PRIO_ENTRY, kind="feed"):
                    yield req
            for url in entries["home"]:
                if req := self._request(url, self.parse_home, PRIO_ENTRY, kind="home"):
                    yield req
            for url in entries["listings"]:
                if req := self._request(url, self.parse_listing, PRIO_LISTING, kind="listing", listing=url, page=1):
                    yield req
        # Archived articles due under the recheck policy: that is how edits and deletions of articles
        # no longer linked from any listing are seen. Read in batches, never loaded whole.
        for state in self.rechecker.due():
            self.crawler.stats.inc_value("recheck/scheduled")
            if req := self.article_request(state["url"], PRIO_RECHECK, state=state):
                yield req

    def closed(self, reason: str) -> None:
        if self.rechecker is not None:
            self.rechecker.close()

    # --- discovery ------------------------------------------------------------------------------
    def _links(self, response: Response, selectors: Iterable[str]) -> list[str]:
        # Per-link safe: a malformed href is counted and skipped, never the whole page (crawler/links.py).
        return page_links(response, selectors, self.site, self.crawler.stats)

    def _follow_articles(self, links: Iterable[str]) -> Iterable[Request]:
        for link in links:
            if req := self.article_request(link):
                yield req

    def _entry_failure(self, response: Response) -> dict[str, Any] | None:
        """An observation for an entry page (home, listing, feed) that did not answer as one.

        A challenge or an error on the home page or a listing would otherwise leave a crawl that
        silently finds nothing. A missing feed, or a 404 past a listing's last page, is expected.
        """
        kind, page = response.meta.get("kind"), response.meta.get("page", 1)
        text = response.text if isinstance(response, TextResponse) else ""
        reason = detect_block(response.status, text, list(self.site.block_markers))
        outcome = "blocked" if reason else "failed"
        if not reason and response.status == 200:
            return None
        if not reason and response.status in (404, 410) and (kind in ("feed", "robots") or page > 1):
            self.crawler.stats.inc_value(f"discovery/{kind}_missing")
            return None
        self.crawler.stats.inc_value(f"discovery/{kind}_{outcome}")
        return {"kind": "observation", "outcome": outcome, "key": None, "url": self.site.to_site_url(response.url),
                "fetched_url": response.url, "http_status": response.status,
                "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "reason": f"{kind} page: {reason or f'HTTP {response.status}'}"}

    def _feed_request(self, url: str) -> Request | None:
        url = clean_url(url) or ""
        if not url or not self.site.is_own_url(self.site.to_fetch_url(url)):
            return None
        return self._request(self.site.to_fetch_url(url), self.parse_feed, PRIO_ENTRY, kind="feed")

    def parse_robots(self, response: Response) -> Iterable[Request | dict[str, Any]]:
        """`Sitemap:` lines of robots.txt are feeds (RFC 9309 leaves them to the crawler)."""
        if failure := self._entry_failure(response):
            yield failure
            return
        text = response.body[:512 * 1024].decode("utf-8", "replace")
        for url in _SITEMAP_LINE.findall(text):
            self.crawler.stats.inc_value("discovery/robots_sitemaps")
            if req := self._feed_request(url):
                yield req

    def parse_home(self, response: Response) -> Iterable[Request | dict[str, Any]]:
        if failure := self._entry_failure(response):
            yield failure
            return
        if self.site.discovery.feed_links and isinstance(response, TextResponse):
            for sel in _FEED_LINKS:
                for href in response.css(sel).getall():
                    self.crawler.stats.inc_value("discovery/feed_links")
                    if req := self._feed_request(response.urljoin(href.strip())):
                        yield req
        links = self._links(response, self.site.discovery.navigation)
        seen: set[str] = set()
        for link in links:
            edition = self.site.listing_edition(link)
            if edition in self.editions:
                url = self.site.to_fetch_url(clean_url(link) or link)
                if url not in seen and self.bounds.listing_allowed(self.crawler.stats):
                    seen.add(url)
                    if req := self._request(url, self.parse_listing, PRIO_LISTING, kind="listing", listing=url, page=1):
                        yield req
        if cut := self.bounds.listing_cut(self, response):  # past NEWSARCHIVE_MAX_LISTINGS: recorded
            yield cut
        yield from self._follow_articles(self._links(response, ["a::attr(href)"]))

    def parse_listing(self, response: Response) -> Iterable[Request | dict[str, Any]]:
        if failure := self._entry_failure(response):
            yield failure
            return
        self.crawler.stats.inc_value("discovery/listing_pages")
        links = self._links(response, self.site.discovery.listing_links)
        found = [(link, ident) for link in links if (ident := self.site.identify(link))]
        articles = [link for link, _ in found]
        keys = {ident.key for _, ident in found}
        fresh = keys - self.listed_keys
        self.listed_keys |= keys
        yield from self._follow_articles(articles)
        page = response.meta["page"]
        if fresh and page < self.site.discovery.pagination.max_pages:
            url = self._next_page(response, response.meta["listing"], page)
            if url and (req := self._request(url, self.parse_listing, PRIO_LISTING, kind="listing",
                                             listing=response.meta["listing"], page=page + 1)):
                yield req
        elif fresh:
            self.crawler.stats.inc_value("discovery/listing_limit_reached")  # older pages left for `backfill`

    def _next_page(self, response: Response, base: str, page: int) -> str | None:
        p = self.site.discovery.pagination
        nexts = p.next if p.kind == "next" and isinstance(response, TextResponse) else ()
        href = next((h for sel in nexts if (h := response.css(sel).get())), None)
        return next_page(self.site, base, page, clean_url(href, response.url) if href else None)

    def parse_feed(self, response: Response) -> Iterable[Request | dict[str, Any]]:
        # Feeds are one entry point among several: a missing feed is counted, not reported.
        if failure := self._entry_failure(response):
            yield failure
            return
        if response.status != 200:  # a missing feed (counted by _entry_failure): nothing to parse
            return
        bad: list[str] = []
        try:
            entries = parse_feed(response.body, response.url, self.crawler.settings.getint("DOWNLOAD_MAXSIZE"), bad)
        except FeedError as exc:  # entity declarations, too large, not XML
            self.crawler.stats.inc_value("discovery/feed_refused")
            logger.warning("feed %s refused: %s", response.url, exc)
            why = str(exc) if "refused" in str(exc) else f"refused: {exc}"
            yield observation(self, response.request, "failed", why, response.status)
            return
        if bad:
            self.crawler.stats.inc_value("discovery/bad_link", len(bad))
        self.crawler.stats.inc_value("discovery/feed_items", len(entries))
        # Child sitemaps within NEWSARCHIVE_SITEMAP_MAX_DEPTH / _MAX_FILES; what was cut is recorded.
        yield from self.bounds.feed(self, response, entries)

    # --- articles -------------------------------------------------------------------------------
    async def parse_article(self, response: Response) -> AsyncIterator[Request | dict[str, Any]]:
        for out in self.article_outputs(response, await self.article_items(response)):
            yield out

    async def article_items(self, response: Response) -> list[dict[str, Any]]:
        """The page's item; for a redirect to another article, that article's item too. Extracted by the
        extraction pool's workers when it runs (crawler/poolext.py), else here."""
        ident = response.meta["identity"]
        item = await self._extract(response, ident)
        items = [item]
        if item["kind"] == "observation" and item.get("outcome") == "redirected":
            # The page we were sent to is an article too: archive it under its own identity.
            target = self.site.identify(response.url)
            if target is not None and target.edition in self.editions:
                items.append(await self._extract(response, target))
        return items

    async def _extract(self, response: Response, ident: Any) -> dict[str, Any]:
        pool = getattr(self.crawler, "extract_pool", None)
        if pool is None:
            return article_item(response, ident, self.site)
        return await pool.extract(self, response, ident)

    def article_outputs(self, response: Response, items: list[dict[str, Any]]) -> Iterable[Request | dict[str, Any]]:
        if items[0]["kind"] == "not_article":
            # Generic sites: an article-shaped URL that is a section or index page; read it as a listing.
            self.crawler.stats.inc_value("generic/not_article")
            response.meta[COUNTED] = True  # the outcome ledger: read as a listing, not a lost article
            yield from self._follow_articles(self._links(response, ["a::attr(href)"]))
            return
        yield from items

    def on_error(self, failure: Failure) -> Iterable[dict[str, Any]]:
        # Every failure is recorded, refusals (robots.txt, host guard) and HTTP errors included
        # (crawler/outcomes.py).
        yield failure_observation(self, failure)


def _spider_for(site: str) -> type[NewsSpider]:
    cls = type(f"{site.title().replace('-', '')}Spider", (NewsSpider,),
               {"name": site, "custom_settings": {"NEWSARCHIVE_SITE": site}})
    cls.__module__ = __name__  # so Scrapy's spider loader lists it under this module
    return cls


# One spider class per bundled profile: `scrapy crawl kurdistan24` works like any Scrapy project.
for _site in available_sites():
    globals()[f"{_site.title().replace('-', '')}Spider"] = _spider_for(_site)
