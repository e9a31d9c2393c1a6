"""The one spider: discovers and fetches a site's articles as its profile describes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from archive.rechecks import RECHECK_MODES
from crawler.bounds import DiscoveryBounds
from crawler.feeds import FeedError, parse_feed
from crawler.links import page_links
from crawler.outcomes import failure_observation, observation
from crawler.recheck import Rechecker, conditional_headers
from crawler.extract.block import detect_block
from crawler.spiders.articles import article_item
from crawler.profile import Profile, ProfileError, available_sites, clean_url, load_profile

logger = logging.getLogger(__name__)

# Scheduling priorities: discovery first, so new articles are found early; rechecks last.
PRIO_ENTRY, PRIO_LISTING, PRIO_ARTICLE, PRIO_RECHECK = 30, 20, 10, 0


class NewsSpider(Spider):
    """Arguments (`-a NAME=VALUE`, the same as the CLI's options): lang, base_url, max_pages, db,
    recheck (all|due|none), site."""

    name = "news"
    site: str = ""

    def __init__(self, lang: str | None = None, base_url: str | None = None, max_pages: str | int | None = None,
                 db: str | None = None, recheck: str | None = None, site: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._args = {"lang": lang, "base_url": base_url, "max_pages": max_pages, "db": db,
                      "recheck": recheck, "site": site}
        self.profile: Profile
        self.editions: list[str] = []
        self.db_path = ""
        self.max_pages = 0
        self.recheck_mode = "due"
        self.rechecker: Rechecker | None = None
        self.scheduled = 0
        # Article keys seen on listing pages: pagination stops at a page that shows nothing new
        # (sites often answer past-the-end pages with the last page again).
        self.listed_keys: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        spider._configure(crawler.settings)
        return spider

    def _configure(self, settings: Any) -> None:
        """Spider arguments win over settings, so `scrapy crawl -a` and the CLI behave the same."""
        a = self._args
        site = a["site"] or self.site or settings.get("NEWSARCHIVE_SITE")
        base_url = a["base_url"] or settings.get("NEWSARCHIVE_BASE_URL") or None
        self.profile = load_profile(site, base_url=base_url)
        editions = a["lang"] or settings.get("NEWSARCHIVE_EDITIONS") or ""
        codes = [c for c in str(editions).split(",") if c.strip()] or list(self.profile.default_editions)
        self.editions = self.profile.check_editions(codes)
        self.db_path = a["db"] or settings.get("NEWSARCHIVE_DB")
        self.max_pages = int(a["max_pages"] or settings.getint("NEWSARCHIVE_MAX_PAGES") or 0)
        self.recheck_mode = str(a["recheck"] or settings.get("NEWSARCHIVE_RECHECK") or "due").lower()
        if self.recheck_mode not in RECHECK_MODES:
            raise ProfileError(f"unknown recheck mode {self.recheck_mode!r} (expected all, due or none)")
        self.allowed_domains = list(self.profile.fetch_hosts)
        self.bounds = DiscoveryBounds.from_settings(settings)

    # --- scheduling -------------------------------------------------------------------------------
    def _budget_left(self) -> bool:
        if self.max_pages and self.scheduled >= self.max_pages:
            self.crawler.stats.inc_value("spider/max_pages_reached")
            return False
        self.scheduled += 1
        return True

    def _request(self, url: str, callback: Any, priority: int, **meta: Any) -> Request | None:
        if not self._budget_left():
            return None
        return Request(url, callback=callback, errback=self.on_error, priority=priority, meta=meta)

    def article_request(self, url: str, priority: int = PRIO_ARTICLE, hint: str | None = None,
                        state: dict[str, Any] | None = None) -> Request | None:
        """A request for an article link, or None when it is not an article of our editions or, being
        archived already, is not due for a recheck (`state` given: the caller decided it is due)."""
        ident = self.profile.identify(url)
        if ident is None or ident.edition not in self.editions:
            return None
        if state is None and self.rechecker is not None:
            fetch, state = self.rechecker.decide(ident.key, hint)
            if not fetch:
                self.crawler.stats.inc_value("recheck/not_due")
                return None
        request = self._request(self.profile.to_fetch_url(clean_url(url)), self.parse_article, priority,
                                article_key=ident.key, identity=ident, kind="article")
        if request is not None and state is not None:
            request.meta["recheck"] = True
            # The site answers 304 when nothing changed: no body sent, nothing parsed.
            request.headers.update(conditional_headers(state))
        return request

    async def start(self) -> AsyncIterator[Request]:
        # Opened first: links found on entry pages are checked against the archive's schedule.
        self.rechecker = Rechecker(self.db_path, self.profile.name, self.editions, self.recheck_mode)
        for edition in self.editions:
            entries = self.profile.entry_urls(edition)
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
        return page_links(response, selectors, self.profile, self.crawler.stats)

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
        reason = detect_block(response.status, text, list(self.profile.block_markers))
        outcome = "blocked" if reason else "failed"
        if not reason and response.status == 200:
            return None
        if not reason and response.status in (404, 410) and (kind == "feed" or page > 1):
            self.crawler.stats.inc_value(f"discovery/{kind}_missing")
            return None
        self.crawler.stats.inc_value(f"discovery/{kind}_{outcome}")
        return {"kind": "observation", "outcome": outcome, "key": None, "url": self.profile.to_site_url(response.url),
                "fetched_url": response.url, "http_status": response.status,
                "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "reason": f"{kind} page: {reason or f'HTTP {response.status}'}"}

    def parse_home(self, response: Response) -> Iterable[Request | dict[str, Any]]:
        if failure := self._entry_failure(response):
            yield failure
            return
        links = self._links(response, self.profile.discovery.get("navigation", []))
        seen: set[str] = set()
        for link in links:
            edition = self.profile.listing_edition(link)
            if edition in self.editions:
                url = self.profile.to_fetch_url(clean_url(link))
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
        links = self._links(response, self.profile.discovery.get("listing_links", []))
        found = [(link, ident) for link in links if (ident := self.profile.identify(link))]
        articles = [link for link, _ in found]
        keys = {ident.key for _, ident in found}
        fresh = keys - self.listed_keys
        self.listed_keys |= keys
        yield from self._follow_articles(articles)
        page = response.meta["page"]
        if fresh and page < self.profile.max_listing_pages:
            base = response.meta["listing"]
            param = self.profile.discovery.get("page_param", "page")
            sep = "&" if "?" in base else "?"
            url = f"{base}{sep}{param}={page + 1}"
            if req := self._request(url, self.parse_listing, PRIO_LISTING, kind="listing", listing=base, page=page + 1):
                yield req
        elif fresh:
            self.crawler.stats.inc_value("discovery/listing_limit_reached")  # older pages left for `backfill`

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
    def parse_article(self, response: Response) -> Iterable[dict[str, Any]]:
        ident = response.meta["identity"]
        item = article_item(response, ident, self.profile)
        yield item
        if item.get("outcome") == "redirected":
            # The page we were sent to is an article too: archive it under its own identity.
            target = self.profile.identify(response.url)
            if target is not None and target.edition in self.editions:
                yield article_item(response, target, self.profile)

    def on_error(self, failure: Failure) -> Iterable[dict[str, Any]]:
        # Every failure is recorded, refusals (robots.txt, host guard) and HTTP errors included
        # (crawler/outcomes.py).
        yield failure_observation(self, failure)


def _spider_for(site: str) -> type[NewsSpider]:
    cls = type(f"{site.title().replace('-', '')}Spider", (NewsSpider,), {"name": site, "site": site})
    cls.__module__ = __name__  # so Scrapy's spider loader lists it under this module
    return cls


# One spider class per bundled profile: `scrapy crawl kurdistan24` works like any Scrapy project.
for _site in available_sites():
    globals()[f"{_site.title().replace('-', '')}Spider"] = _spider_for(_site)
