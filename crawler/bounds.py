"""Bounded discovery: sitemap depth and file count, entries per feed, listings per crawl; what was cut is recorded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from scrapy.http import Request, Response

from crawler.feeds import FeedEntry
from crawler.links import fetchable, followable
from crawler.outcomes import observation

# Scheduling priority of sitemap children: the spider's entry priority.
PRIO_SITEMAP = 30


@dataclass
class DiscoveryBounds:
    """Per-crawl limits on what discovery may schedule (settings NEWSARCHIVE_SITEMAP_MAX_DEPTH, ...).

    A sitemap index may name child sitemaps which name children of their own: without a bound, a
    hostile or broken site (each child naming a new child) keeps a crawl, and the archive's lock,
    forever. Each cut is one `failed` fetch row on the page whose links were cut, with the setting
    to raise in its reason, so a crawl that missed part of a site says so.
    """

    max_depth: int = 3
    max_files: int = 1000
    max_entries: int = 50000
    max_listings: int = 500
    files: int = 0  # child sitemaps scheduled so far in this crawl
    listings: int = 0  # listings scheduled from navigation so far
    listings_cut: int = 0  # listings refused since the last listing_cut() note

    @classmethod
    def from_settings(cls, settings: Any) -> DiscoveryBounds:
        return cls(max_depth=settings.getint("NEWSARCHIVE_SITEMAP_MAX_DEPTH", 3),
                   max_files=settings.getint("NEWSARCHIVE_SITEMAP_MAX_FILES", 1000),
                   max_entries=settings.getint("NEWSARCHIVE_FEED_MAX_ENTRIES", 50000),
                   max_listings=settings.getint("NEWSARCHIVE_MAX_LISTINGS", 500))

    def take(self, name: str, limit: int) -> bool:
        """One more of this crawl's `name` (listings, files) within `limit`, counted; False past it. (The
        cluster's bounds count in Redis instead, for the whole run: crawler/cluster/bounds.py.)"""
        if getattr(self, name) >= limit:
            return False
        setattr(self, name, getattr(self, name) + 1)
        return True

    def give_back(self, name: str) -> None:
        """Un-count one taken for a request that was not made after all (the page budget ran out)."""
        setattr(self, name, getattr(self, name) - 1)

    def listing_allowed(self, stats: Any) -> bool:
        """One more listing from a home page's navigation, or False (counted) past NEWSARCHIVE_MAX_LISTINGS."""
        if not self.take("listings", self.max_listings):
            stats.inc_value("discovery/cut")
            self.listings_cut += 1
            return False
        return True

    def listing_cut(self, spider: Any, response: Response) -> dict[str, Any] | None:
        """The observation for the listings a home page named past the limit, or None."""
        count, self.listings_cut = self.listings_cut, 0
        if not count:
            return None
        return self.cut_observation(spider, response, f"discovery cut: {count} listings past "
                                    f"NEWSARCHIVE_MAX_LISTINGS ({self.max_listings}) in this crawl not followed")

    def feed(self, spider: Any, response: Response, entries: list[FeedEntry]) -> Iterator[Request | dict[str, Any]]:
        """Requests for a feed's entries within the bounds, then one observation per kind of cut."""
        stats = spider.crawler.stats
        depth = int(response.meta.get("sitemap_depth", 0))
        cuts: dict[str, int] = {}

        def cut(why: str) -> None:
            cuts[why] = cuts.get(why, 0) + 1

        if len(entries) > self.max_entries:
            cuts[f"entries past NEWSARCHIVE_FEED_MAX_ENTRIES ({self.max_entries})"] = len(entries) - self.max_entries
            entries = entries[:self.max_entries]
        for entry in entries:
            if not entry.sitemap:
                if not followable(spider.site, entry.url, stats):
                    continue
                # A feed or sitemap date later than our last check makes a known article due now.
                if req := spider.article_request(entry.url, hint=entry.modified or entry.published, listed=True):
                    yield req
                continue
            url = spider.site.to_fetch_url(entry.url)
            if not fetchable(spider.site, url):
                cut("child sitemaps on another host or port")
            elif depth + 1 > self.max_depth:
                cut(f"child sitemaps past NEWSARCHIVE_SITEMAP_MAX_DEPTH ({self.max_depth})")
            elif not self.take("files", self.max_files):
                cut(f"child sitemaps past NEWSARCHIVE_SITEMAP_MAX_FILES ({self.max_files}) in this crawl")
            elif req := spider._request(url, spider.parse_feed, PRIO_SITEMAP, kind="feed",
                                        sitemap_depth=depth + 1):
                yield req
            else:
                self.give_back("files")
        for why, count in cuts.items():
            stats.inc_value("discovery/cut", count)
            yield self.cut_observation(spider, response, f"discovery cut: {count} {why} not followed")

    @staticmethod
    def cut_observation(spider: Any, response: Response, reason: str) -> dict[str, Any]:
        item = observation(spider, response.request or Request(response.url), "failed", reason, response.status)
        item["discovery_cut"] = True  # the page itself answered: not a failed discovery page
        return item

