"""The crawl's side of the extraction pool: when to start it, awaiting a page's item, recording what failed."""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.outcomes import observation
from crawler.pool import ExtractPool, Outcome, PoolBroken, parse_faults, stop_forkserver
from crawler.process import process
from crawler.site import Identity
from crawler.spiders.articles import page_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def workers_setting(crawler: Crawler) -> int:
    """NEWSARCHIVE_WORKERS: -1 (the default) means default_workers(); 0 extracts in the crawl's process."""
    value = crawler.settings.getint("NEWSARCHIVE_WORKERS", -1)
    return default_workers() if value < 0 else value


def default_workers(cores: int | None = None) -> int:
    """One worker per core beyond the two the crawl's reactor and the archive writer keep busy: on 2 cores a
    pool measured slower than none (0.28 against 0.34 of the no-op spider, docs/performance.md), since its
    workers only take CPU from those two."""
    return max(0, (cores if cores is not None else os.cpu_count() or 1) - 2)


class ExtractPoolExtension:
    """Owns the crawl's ExtractPool (crawler/pool.py); the spider awaits `extract()` for each article page.

    The pool starts only once NEWSARCHIVE_WORKERS_START_AFTER article pages were extracted in-process (a
    small crawl does not pay the start-up); its workers start in the background (fetching goes on) and
    from then on every article page goes to them, or in-process again should no worker start. A page a worker could not answer (NEWSARCHIVE_WORKER_TIMEOUT passed, or the
    worker died on it twice) is recorded as a failed fetch with that reason, never lost.
    """

    def __init__(self, crawler: Crawler, workers: int) -> None:
        self.crawler = crawler
        self.workers = workers
        self.start_after = crawler.settings.getint("NEWSARCHIVE_WORKERS_START_AFTER", 20)
        self.timeout = crawler.settings.getfloat("NEWSARCHIVE_WORKER_TIMEOUT", 60.0)
        self.faults = parse_faults(crawler.settings.get("NEWSARCHIVE_WORKER_FAULTS"))
        self.pool: ExtractPool | None = None
        self.seen = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPoolExtension:
        workers = workers_setting(crawler)
        if workers <= 0:
            raise NotConfigured
        ext = cls(crawler, workers)
        crawler.extract_pool = ext  # type: ignore[attr-defined]
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @property
    def stats(self) -> Any:
        return self.crawler.stats

    def _start(self) -> None:
        settings = self.crawler.settings
        # The worker rebuilds the crawl's site from the same two settings (crawler.config.resolve_site).
        site = str(settings.get("NEWSARCHIVE_SITE") or "").strip()
        base_url = str(settings.get("NEWSARCHIVE_BASE_URL") or "").strip() or None
        self.pool = ExtractPool(self.workers, site, base_url, self.timeout, self.faults).start()
        # A crawl stopped at once (second Ctrl-C) never sees spider_closed: its workers go at the exit.
        atexit.register(self.pool.terminate)
        self.stats.set_value("pool/started", 1)
        self.stats.set_value("pool/workers", self.workers)

    async def extract(self, spider: Any, response: Response, ident: Identity) -> dict[str, Any]:
        """The item of an article page (crawler.process.process), from a worker when one is ready."""
        self.seen += 1
        if self.pool is None and self.seen > self.start_after:
            self._start()
        page = page_of(response)
        if self.pool is None:
            self.stats.inc_value("pool/in_process")
            return process(page, spider.site, ident)
        try:
            outcome = await _awaitable(self.pool.submit(page, ident))
        except PoolBroken:
            self.stats.inc_value("pool/in_process")
            return process(page, spider.site, ident)
        return self._item(spider, response, outcome)

    def _item(self, spider: Any, response: Response, outcome: Outcome) -> dict[str, Any]:
        self.stats.inc_value("pool/pages")
        if outcome.crashes:
            self.stats.inc_value("pool/crashed", outcome.crashes)
        if outcome.item is not None:
            if outcome.crashes:
                self.stats.inc_value("pool/retried")
            return outcome.item
        self.stats.inc_value("pool/failed")
        if outcome.event == "timeout":
            self.stats.inc_value("pool/timeouts")
        logger.error("%s: %s", response.url, outcome.reason)
        assert response.request is not None
        return observation(spider, response.request, "failed", outcome.reason or "extraction failed",
                           response.status)

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self.pool is None:
            return
        self.pool.close()
        atexit.unregister(self.pool.terminate)
        if not self.pool.alive:
            stop_forkserver()
        self.stats.set_value("pool/worker_cpu_s", round(self.pool.worker_cpu_s, 3))
        if self.pool.broken:
            self.stats.set_value("pool/broken", self.pool.broken)


def _awaitable(future: Future[Outcome]) -> Any:
    """A concurrent.futures result as something a Scrapy coroutine may await under either reactor."""
    from scrapy.utils.asyncio import is_asyncio_available

    if is_asyncio_available():
        return asyncio.wrap_future(future)
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    deferred: Deferred[Outcome] = Deferred()

    def done(f: Future[Outcome]) -> None:
        exc = f.exception()
        reactor.callFromThread(deferred.errback if exc else deferred.callback, exc or f.result())  # type: ignore[attr-defined]

    future.add_done_callback(done)
    return deferred
