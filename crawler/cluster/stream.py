"""The worker's last item pipeline: each cleaned item goes to the Redis Stream that `ingest` writes from."""

from __future__ import annotations

import pickle
import time
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from archive.prepare import KEY as PREPARED, ensure
from crawler.cluster.keys import STREAM, connect, redis_lost, run_key
from crawler.cluster.scheduler import REDIS_DOWN


BATCH = 50     # items sent in one round trip at most
WAIT = 0.02    # seconds an item waits for others to share its round trip


def encode(item: dict[str, Any]) -> bytes:
    """Pickle keeps every field as the archive expects it (bytes pages, nested lists); the stream is as
    trusted as the queue, where scrapy-redis pickles requests too."""
    return pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)


def decode(data: bytes) -> dict[str, Any]:
    item: dict[str, Any] = pickle.loads(data)  # noqa: S301 - written by our own workers (see encode)
    return item


class StreamPipeline:
    """XADDs each item with its run id (NEWSARCHIVE_CLUSTER_RUN). The item is "scraped" once Redis has it
    (with appendfsync always, on disk): its request's lease is released only after that.

    A stream longer than NEWSARCHIVE_CLUSTER_STREAM_MAX entries (ingest behind or stopped) holds the item
    until it shrinks, so Redis' memory stays bounded whatever the crawl's speed."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.run = settings.get("NEWSARCHIVE_CLUSTER_RUN")
        self.server = connect(settings.get("REDIS_URL"))
        self.limit = settings.getint("NEWSARCHIVE_CLUSTER_STREAM_MAX")
        self.checked_at = 0.0
        self.outbox: list[tuple[dict[str, Any], Deferred[None]]] = []
        self.timer: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StreamPipeline:
        if not crawler.settings.get("NEWSARCHIVE_CLUSTER_RUN"):
            raise NotConfigured("not a cluster worker (NEWSARCHIVE_CLUSTER_RUN)")
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        await self._room()
        # Items wait a moment to go in one round trip (on a Redis with appendfsync always, one fsync wait
        # for the lot); the item is returned, and its request's lease can go, once Redis has it.
        done: Deferred[None] = Deferred()
        data = dict(adapter.items())
        if data.get("kind") == "article":
            # The one ingest writes for every worker of the run: the article's database-free write work is
            # done here (or came done from an extraction worker), and ingest checks it before use.
            data = dict(ensure(data))
            self.crawler.stats.inc_value("cluster/items_prepared")
        self.outbox.append(({"run": self.run, "kind": "item", "data": encode(data)}, done))
        if len(self.outbox) >= BATCH:
            self.flush()
        elif self.timer is None:
            from twisted.internet import reactor

            self.timer = reactor.callLater(WAIT, self.flush)
        await maybe_deferred_to_future(done)
        self.crawler.stats.inc_value("cluster/items_sent")
        adapter["raw_html"] = b""  # in Redis now; do not keep the page alive in feed exports or logs
        if isinstance(item, dict):
            item.pop(PREPARED, None)
        return item

    def flush(self) -> None:
        if self.timer is not None and self.timer.active():
            self.timer.cancel()
        self.timer = None
        batch, self.outbox = self.outbox, []
        if not batch:
            return
        try:
            pipe = self.server.pipeline(transaction=False)
            for fields, _ in batch:
                pipe.xadd(STREAM, fields)
            pipe.hincrby(run_key(self.run), "items", len(batch))
            pipe.execute()
        except REDIS_DOWN as exc:
            redis_lost(exc, "adding items to the stream")
        for _, done in batch:
            done.callback(None)

    def close_spider(self) -> None:
        self.flush()

    async def _room(self) -> None:
        if not self.limit or time.monotonic() - self.checked_at < 0.5:
            return
        from twisted.internet import reactor, task

        while self.server.xlen(STREAM) > self.limit:
            self.crawler.stats.inc_value("cluster/stream_full_waits")
            await maybe_deferred_to_future(task.deferLater(reactor, 0.5, lambda: None))
        self.checked_at = time.monotonic()
