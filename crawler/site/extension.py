"""The Scrapy component that puts the crawl's site (and the rest of its config) on the crawler, once."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from crawler.config import CrawlConfig

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class SiteExtension:
    """Reads NEWSARCHIVE_SITE and the other NEWSARCHIVE_* settings into `crawler.newsarchive` (a CrawlConfig).

    Extensions are built before the engine, so every downloader middleware, spider middleware and
    pipeline finds it in its own `from_crawler` (crawler.config.crawl_config). Never NotConfigured:
    without a site nothing may be fetched at all.
    """

    def __init__(self, config: CrawlConfig) -> None:
        self.config = config

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteExtension:
        config = CrawlConfig.from_settings(crawler.settings)
        crawler.newsarchive = config  # type: ignore[attr-defined]
        if config.note:
            logger.info("%s", config.note)
        return cls(config)
