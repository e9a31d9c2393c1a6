"""Refuse any request that is not http(s) to the profile's own hosts and port (or the mirror given as base URL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request

from crawler.config import crawl_config
from crawler.links import fetchable

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class HostGuardMiddleware:
    """The last word on where the crawler may go.

    OffsiteMiddleware lets `dont_filter` requests through and knows nothing of schemes; redirects
    are checked here too, because RedirectMiddleware re-schedules them through the downloader.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats  # type: ignore[assignment]
        self.site = crawl_config(crawler).site  # no site, no crawl: never "let everything through"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostGuardMiddleware:
        if not crawler.settings.getbool("HOSTGUARD_ENABLED", True):
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        # With a mirror, only the mirror (and its host's robots.txt): a local crawl never reaches the real site;
        # and host *and* port: another port of the site's host is another server.
        if not fetchable(self.site, request.url):
            self.stats.inc_value("hostguard/refused")
            raise IgnoreRequest(f"refused: not an http(s) URL of the crawl's own host and port: {request.url}")
