"""Challenge pages are not retried: a bot-protection answer repeated at once only deepens the block."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response, TextResponse

from crawler.config import crawl_config
from crawler.extract.block import detect_block

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class ChallengeNoRetryMiddleware:
    """Sits between the downloader and RetryMiddleware; marks challenge answers `dont_retry`.

    The spider still sees the response and records it as `blocked` (never as an article).
    """

    def __init__(self, crawler: Crawler, retry_codes: set[int]) -> None:
        self.crawler = crawler
        self.retry_codes = retry_codes
        self.markers = list(crawl_config(crawler).site.block_markers)
        self.stats: StatsCollector = crawler.stats  # type: ignore[assignment]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ChallengeNoRetryMiddleware:
        if not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        return cls(crawler, {int(c) for c in crawler.settings.getlist("RETRY_HTTP_CODES")})

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in self.retry_codes or not isinstance(response, TextResponse):
            return response
        if detect_block(response.status, response.text, self.markers):
            self.stats.inc_value("block/challenge_not_retried")
            request.meta["dont_retry"] = True
        return response
