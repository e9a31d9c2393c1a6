"""The worker's spider: NewsSpider reading the recheck schedule and the listings seen from Redis."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request

from crawler.cluster.bounds import RunBounds
from crawler.cluster.keys import connect, run_key
from crawler.recheck import decide
from crawler.spiders.news import NewsSpider

CHUNK = 500


class RedisRechecker:
    """crawler.recheck.Rechecker's interface over what `ingest` seeded for the run (crawler/cluster/ingest.py):
    `<run>:known` (article key -> its recheck state, JSON) and `<run>:due` (the states due, in order)."""

    def __init__(self, server: Any, run: str) -> None:
        self.server, self.run = server, run
        meta = {k.decode(): v.decode() for k, v in server.hgetall(run_key(run)).items()}
        self.mode, self.now = meta.get("recheck", "due"), meta.get("now", "")
        self.empty = meta.get("known") == "0"  # a first crawl: every link is new, no need to ask Redis

    def close(self) -> None:
        """Nothing to close: the client is the worker's."""

    def due(self) -> Iterator[dict[str, Any]]:
        key = run_key(self.run, "due")
        start = 0
        while chunk := self.server.lrange(key, start, start + CHUNK - 1):
            for raw in chunk:
                yield json.loads(raw)
            start += CHUNK

    def decide(self, key: str, hint: str | None = None) -> tuple[bool, dict[str, Any] | None]:
        raw = None if self.empty else self.server.hget(run_key(self.run, "known"), key)
        return decide(json.loads(raw) if raw else None, self.mode, self.now, hint)


class SharedKeys:
    """The article keys the run's listing pages showed, shared by its workers: NewsSpider.parse_listing
    computes `keys - self.listed_keys` (set.__sub__ gives way to __rsub__ here) and `self.listed_keys |= keys`,
    so pagination stops where one plain crawl would, whichever worker read the pages before."""

    def __init__(self, server: Any, key: str) -> None:
        self.server, self.key = server, key

    def __rsub__(self, keys: Iterable[str]) -> set[str]:
        keys = list(keys)
        if not keys:
            return set()
        return {k for k, seen in zip(keys, self.server.smismember(self.key, keys)) if not seen}

    def __ior__(self, keys: Iterable[str]) -> SharedKeys:
        if keys := list(keys):
            self.server.sadd(self.key, *keys)
        return self


class ClusterSpider(NewsSpider):
    """Seeding (entry pages and rechecks) is not done in start(): the scheduler asks whichever worker holds
    the run's seeder lease for `seed()` in chunks (crawler/cluster/scheduler.py), so a seeder that dies is
    taken over; the run's duplicate filter drops what it had already queued."""

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ClusterSpider:
        spider: ClusterSpider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[assignment]
        spider.run = crawler.settings.get("NEWSARCHIVE_CLUSTER_RUN")
        spider.server = connect(crawler.settings.get("REDIS_URL"))
        spider.listed_keys = SharedKeys(spider.server, run_key(spider.run, "listed"))  # type: ignore[assignment]
        spider.rechecker = spider.open_rechecker()  # type: ignore[assignment]
        spider.bounds = RunBounds.of(spider.bounds, spider.server, spider.run)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        return
        yield  # an async generator that yields nothing

    def _budget_left(self) -> bool:
        """`--max-pages` counts the run's requests, whichever worker makes them (one counter in Redis): N
        workers stop where one plain crawl would, not at N times the budget."""
        limit = self.config.max_pages
        if limit and self.server.incr(run_key(self.run, "scheduled")) > limit:
            self.crawler.stats.inc_value("spider/max_pages_reached")
            return False
        self.scheduled += 1
        return True

    def open_rechecker(self) -> RedisRechecker:  # type: ignore[override]
        return RedisRechecker(self.server, self.run)
