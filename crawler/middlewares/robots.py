"""robots.txt with no exceptions: nothing is fetched before robots.txt has answered, and 5xx means disallow."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from scrapy.utils.misc import build_from_crawler

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

_DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
_ALLOW_ALL = b""


class RobotsDisallowed(IgnoreRequest):
    """A request robots.txt does not allow; the message says why. Recorded as `blocked`, never silently dropped."""


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's middleware, closing its two gaps.

    1. Every request that arrives while robots.txt is being fetched awaits one shared Deferred.
       Turning a Deferred into a Future consumes its result, so only the first waiter got the
       parser and the others got None, which Scrapy reads as "allowed" (scrapy issue 2014 in its
       2.19 form). After waiting we read the stored parser instead of the Deferred's result.
    2. A robots.txt that fails or answers 5xx allowed everything; RFC 9309 says a server error
       means "disallow all" until it answers. 4xx means no rules (allow all), as the RFC says.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        # Per host: why robots.txt disallows everything (a server error, unreachable), when it does.
        self._why: dict[str, str] = {}

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            netloc = urlparse_cached(request).netloc
            raise RobotsDisallowed(self._why.get(netloc, "disallowed by robots.txt")) from None


    async def robot_parser(self, request: Request) -> RobotParser | None:
        # Scrapy's own method, but failures are one warning line (_robots_error), not a traceback,
        # and waiters read the stored parser instead of the consumed Deferred's result.
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            robotsreq = Request(f"{url.scheme}://{netloc}/robots.txt", priority=self.DOWNLOAD_PRIORITY,
                                meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK)
            try:
                response = await self.crawler.engine.download_async(robotsreq)
                await self._parse_robots(response, netloc, request)
            except Exception as exc:  # noqa: BLE001 (any failure means: disallow all)
                self._robots_error(exc, netloc)
            self._stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            await maybe_deferred_to_future(parser)
            parser = self._parsers.get(netloc)
        if parser is None or isinstance(parser, Deferred):
            # Only reachable if robots.txt failed in a way not seen above: refuse, never allow.
            self._stats.inc_value("robotstxt/unavailable")
            raise RobotsDisallowed(f"robots.txt for {netloc} unavailable: not fetching {request.url}")
        return parser

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        status = response.status
        if status >= 500 or status == 429:
            # 429 too: "slow down" gives no rules, and guessing "allow all" from it would be rude.
            self._stats.inc_value("robotstxt/server_error")
            logger.warning("robots.txt for %s answered %s: disallowing all (RFC 9309)", netloc, status)
            self._why[netloc] = f"robots.txt answered HTTP {status}: everything disallowed until it answers (RFC 9309)"
            response = response.replace(body=_DISALLOW_ALL)
        elif status >= 400:
            response = response.replace(body=_ALLOW_ALL)
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        # Unreachable robots.txt (timeout, reset, DNS): treat like a server error.
        self._stats.inc_value("robotstxt/unreachable")
        logger.warning("robots.txt for %s unreachable (%s): disallowing all", netloc, exc)
        self._why[netloc] = f"robots.txt unreachable ({exc}): everything disallowed"[:200]
        rp = build_from_crawler(self._parserimpl, self.crawler, _DISALLOW_ALL)
        waiting = self._parsers.get(netloc)
        self._parsers[netloc] = rp
        if isinstance(waiting, Deferred):
            waiting.callback(rp)
