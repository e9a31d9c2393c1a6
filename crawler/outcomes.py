"""Every request ends in exactly one recorded outcome: failure observations, and the ledger that checks it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import CloseSpider, IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.middlewares.robots import RobotsDisallowed

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

TOKEN = "outcome_token"
# Set in a request's meta by a callback that accounted for the page itself without an item (a backfill
# id that answers 404: counted in the stats, not a failure): the ledger then makes no fallback row.
COUNTED = "outcome_counted"
# Close reason (crawl outcome "failed: entry_pages_failed") when no discovery page answered.
ENTRY_PAGES_FAILED = "entry_pages_failed"
REASON_MAX = 300


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def observation(spider: Any, request: Request, outcome: str, reason: str, status: int | None = None) -> dict[str, Any]:
    """An observation item for `request` (an article's identity when it has one, else a page of `kind`)."""
    kind = request.meta.get("kind")
    try:
        url = spider.site.to_site_url(request.url)
    except ValueError:
        url = request.url
    item: dict[str, Any] = {"kind": "observation", "outcome": outcome, "key": None, "url": url,
                            "fetched_url": request.url, "http_status": status, "fetched_at": _now()}
    ident = request.meta.get("identity")
    if kind == "article" and ident is not None:
        item.update(key=ident.key, site=ident.site, edition=ident.edition, article_id=ident.article_id)
        item["reason"] = reason[:REASON_MAX]
    else:
        item["reason"] = f"{kind or 'other'} page: {reason}"[:REASON_MAX]
    return item


def classify(failure: Failure) -> tuple[str, str, int | None]:
    """(outcome, reason, HTTP status) for a failed request: nothing is "refused on purpose" without a record."""
    exc = failure.value
    if isinstance(exc, HttpError):
        # Only when a spider sets handle_httpstatus_list narrower than HTTPERROR_ALLOW_ALL.
        status = exc.response.status
        return "failed", f"HTTP {status}", status
    message = failure.getErrorMessage() or failure.type.__name__
    if isinstance(exc, RobotsDisallowed):
        return "blocked", message, None
    if isinstance(exc, IgnoreRequest):
        # The host guard, OffsiteMiddleware, ... : the request was refused before it was sent.
        return "failed", message if message.startswith("refused") else f"refused: {message}", None
    return "failed", f"{failure.type.__name__}: {message}", None


def failure_observation(spider: Any, failure: Failure) -> dict[str, Any]:
    """The one observation an errback records for a request that gave no response to parse."""
    request: Request = failure.request  # type: ignore[attr-defined]
    outcome, reason, status = classify(failure)
    spider.crawler.stats.inc_value(f"spider/error/{failure.type.__name__}")
    if request.meta.get("kind") != "article":
        logger.warning("%s %s %s: %s", request.meta.get("kind"), request.url, outcome, reason)
    return observation(spider, request, outcome, reason, status)


def _is_outcome(item: Any) -> bool:
    return isinstance(item, dict) and item.get("kind") in ("article", "observation")


class OutcomeLedger:
    """The single accounting point: each scheduled request gets exactly one outcome.

    A spider middleware (innermost, next to the callbacks) plus signal handlers:
    - every request entering the scheduler gets a token in its meta; retries and redirects carry
      it, so a request and its continuations count once;
    - a callback that finishes answers its request: an article page must yield an article or an
      observation (if it yields neither, one is made here), a discovery page is "ok" when it answered
      2xx without a failure observation; a callback that raises is recorded as failed, not lost;
    - an errback answers through the observation it yields (item signals carry the failure).
    At the close, tokens never answered are `outcomes/missing` (a bug: tests assert it is 0), and a
    crawl in which no discovery page answered while some failed closes as `entry_pages_failed`
    (crawl outcome `failed: entry_pages_failed`, exit 1): a site down behind its CDN is not a quiet day.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.next_token = 0
        self.pending: dict[int, str] = {}  # token -> URL, until answered
        self.fresh: dict[int, int] = {}  # token -> id() of the request that got it (to tell a dupe drop)
        self.discovery_ok = 0
        self.discovery_failed = 0
        self.entry_check = crawler.settings.getbool("OUTCOMES_FAIL_WITHOUT_ENTRY", True)
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OutcomeLedger:
        if not crawler.settings.getbool("OUTCOMES_ENABLED", True):
            raise NotConfigured
        ledger = cls(crawler)
        s = crawler.signals
        s.connect(ledger.request_scheduled, signal=signals.request_scheduled)
        s.connect(ledger.request_dropped, signal=signals.request_dropped)
        s.connect(ledger.item_recorded, signal=signals.item_scraped)
        s.connect(ledger.item_unstored, signal=signals.item_dropped)
        s.connect(ledger.item_unstored, signal=signals.item_error)
        s.connect(ledger.spider_idle, signal=signals.spider_idle)
        s.connect(ledger.spider_closed, signal=signals.spider_closed)
        return ledger

    # --- requests ---------------------------------------------------------------------------------
    def request_scheduled(self, request: Request, spider: Any = None) -> None:
        if TOKEN in request.meta:
            return  # a retry or a redirect of a request already counted
        self.next_token += 1
        token = self.next_token
        request.meta[TOKEN] = token
        self.pending[token] = request.url
        self.fresh[token] = id(request)
        self.stats.inc_value("outcomes/requests")

    def request_dropped(self, request: Request, spider: Any = None) -> None:
        token = request.meta.get(TOKEN)
        if token is None:
            return
        if self.fresh.get(token) == id(request):
            # A duplicate of an earlier request (same article or URL): it was never sent, and the
            # first one has the outcome.
            self.pending.pop(token, None)
            self.stats.inc_value("outcomes/requests", -1)
            self.stats.inc_value("outcomes/duplicates")
        else:
            self.stats.inc_value("outcomes/continuation_dropped")

    def answered(self, request: Request | None) -> None:
        token = request.meta.get(TOKEN) if request is not None else None
        if token is not None and self.pending.pop(token, None) is not None:
            self.fresh.pop(token, None)
            self.stats.inc_value("outcomes/answered")

    # --- callbacks (spider middleware) ----------------------------------------------------------
    def _after(self, response: Response, seen: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        request = response.request
        assert request is not None
        kind = request.meta.get("kind")
        failed = [i for i in seen if i.get("kind") == "observation" and not i.get("discovery_cut")]
        if kind == "article" and not seen and request.meta.get(COUNTED):
            self.stats.inc_value("outcomes/counted")
        elif kind == "article" and not seen:
            self.stats.inc_value("outcomes/fallback")
            yield observation(self.crawler.spider, request, "failed",
                              f"the page gave no article and no reason (HTTP {response.status})", response.status)
        elif kind != "article" and failed:
            self.discovery_failed += 1
        elif kind != "article" and 200 <= response.status < 300:
            self.discovery_ok += 1
        self.answered(request)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        seen: list[dict[str, Any]] = []
        for item in result:
            if _is_outcome(item):
                seen.append(item)
            yield item
        yield from self._after(response, seen)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        seen: list[dict[str, Any]] = []
        async for item in result:
            if _is_outcome(item):
                seen.append(item)
            yield item
        for extra in self._after(response, seen):
            yield extra

    def process_spider_exception(self, response: Response, exception: Exception) -> Iterable[Any] | None:
        request = response.request
        if request is None or request.meta.get(TOKEN) not in self.pending:
            return None
        self.stats.inc_value(f"outcomes/parser_error/{type(exception).__name__}")
        logger.error("parsing %s raised %r: recorded as failed", response.url, exception,
                     exc_info=(type(exception), exception, exception.__traceback__))
        if request.meta.get("kind") != "article":
            self.discovery_failed += 1
        self.answered(request)
        return [observation(self.crawler.spider, request, "failed",
                            f"parser error: {type(exception).__name__}: {exception}", response.status)]

    # --- errbacks (item signals) ------------------------------------------------------------------
    def _errback_item(self, item: Any, response: Any) -> None:
        if isinstance(response, Failure) and _is_outcome(item):
            request = getattr(response, "request", None)
            if request is not None and request.meta.get("kind") != "article":
                self.discovery_failed += 1
            self.answered(request)

    def item_recorded(self, item: Any, response: Any = None, spider: Any = None) -> None:
        if _is_outcome(item):
            self.stats.inc_value("outcomes/recorded")
        self._errback_item(item, response)

    def item_unstored(self, item: Any, response: Any = None, spider: Any = None, **kwargs: Any) -> None:
        if _is_outcome(item):
            self.stats.inc_value("outcomes/unstored")
        self._errback_item(item, response)

    # --- the end of the crawl -------------------------------------------------------------------
    def spider_idle(self, spider: Any = None) -> None:
        if self.entry_check and not self.closing and self.discovery_failed and not self.discovery_ok:
            self.closing = True
            logger.error("no discovery page (home page, listing, feed, sitemap) answered: %d failed; "
                         "the site looks down or blocked", self.discovery_failed)
            raise CloseSpider(ENTRY_PAGES_FAILED)

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        self.stats.set_value("outcomes/discovery_ok", self.discovery_ok)
        self.stats.set_value("outcomes/discovery_failed", self.discovery_failed)
        self.stats.set_value("outcomes/missing", len(self.pending))
        if self.pending and reason in ("finished", ENTRY_PAGES_FAILED):
            for url in list(self.pending.values())[:20]:
                logger.error("no outcome recorded for %s", url)
