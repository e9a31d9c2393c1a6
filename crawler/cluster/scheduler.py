"""scrapy-redis' scheduler with leases, seeding by one worker at a time, and the shared end of a run."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import deque
from collections.abc import Iterator
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeoutError
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler.cluster import runs
from crawler.cluster.keys import redis_lost, run_key
from crawler.cluster.queue import LEASE, LeasedQueue
from crawler.outcomes import TOKEN, OutcomeLedger

logger = logging.getLogger(__name__)
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
SEED_CHUNK = 200  # requests queued per tick by the seeding worker (the reactor stays responsive)
PUSH_BATCH = 100  # requests held before they are pushed in one round trip
PREFETCH = 4  # requests leased per round trip (few: the other workers get their share of a short queue)


def engine_slot(crawler: Any) -> Any:
    """Scrapy's engine slot (private in Scrapy 2.19: `inprogress`, the requests being downloaded or parsed,
    and `nextcall`, which wakes the engine). tests/test_cluster.py pins both."""
    engine = getattr(crawler, "engine", None)
    return getattr(engine, "_slot", None)


class LeasedScheduler(Scheduler):
    """Settings: NEWSARCHIVE_CLUSTER_RUN (the run id), NEWSARCHIVE_CLUSTER_LEASE (seconds a popped request is
    held for a worker that stops answering), NEWSARCHIVE_CLUSTER_IDLE (seconds the run must stay empty with
    nothing in flight before it ends), NEWSARCHIVE_CLUSTER_TICK (seconds between lease renewals)."""

    crawler: Any
    queue: LeasedQueue

    @classmethod
    def from_crawler(cls, crawler: Any) -> LeasedScheduler:
        settings = crawler.settings
        if not settings.get("NEWSARCHIVE_CLUSTER_RUN"):
            raise NotConfigured("NEWSARCHIVE_CLUSTER_RUN is not set")
        try:
            scheduler: LeasedScheduler = super().from_crawler(crawler)  # type: ignore[assignment]
        except REDIS_DOWN as exc:
            redis_lost(exc, "opening the run's queue")
        scheduler.crawler = crawler
        # scrapy-redis passes `spider=` to the stats (deprecated in Scrapy 2.19): its counts are made here instead.
        scheduler.counts, scheduler.stats = scheduler.stats, None
        scheduler.run = settings.get("NEWSARCHIVE_CLUSTER_RUN")
        scheduler.site = settings.get("NEWSARCHIVE_CLUSTER_SITE")
        scheduler.lease_ms = int(settings.getfloat("NEWSARCHIVE_CLUSTER_LEASE") * 1000)
        scheduler.idle = settings.getfloat("NEWSARCHIVE_CLUSTER_IDLE")
        scheduler.tick_seconds = settings.getfloat("NEWSARCHIVE_CLUSTER_TICK")
        scheduler.worker = f"{socket.gethostname()}:{os.getpid()}:{os.urandom(2).hex()}"
        scheduler.leased: dict[str, Request] = {}
        scheduler.finished = False
        scheduler.idle_since: float | None = None
        scheduler.seeding: Iterator[Request] | None = None
        scheduler.outbox: list[tuple[Request, str | None]] = []
        scheduler.prefetched: deque[Request] = deque()  # leased, not yet handed to the engine
        scheduler.ledger: OutcomeLedger | None = None
        scheduler.discovery_sent = (0, 0)  # the ledger's discovery (ok, failed) counts added to the run's hash
        scheduler.loop: task.LoopingCall | None = None
        return scheduler

    def open(self, spider: Any) -> None:
        super().open(spider)
        self.queue.lease_ms, self.queue.worker = self.lease_ms, self.worker
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.tick_seconds, now=False)

    def close(self, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        try:
            self.flush()
            if (slot := engine_slot(self.crawler)) is not None:
                self._release_done(slot)
            # Stopped before handling them (Ctrl-C, an error): back to the queue now, not after the timeout.
            back = self.queue.give_back([*self.leased, *(r.meta[LEASE] for r in self.prefetched)])
            self.prefetched.clear()
            if back:
                logger.info("gave %d leased request(s) back to the run's queue", back)
            self.leased.clear()
        except REDIS_DOWN as exc:
            logger.warning("could not give leased requests back (%s): they return after the lease timeout", exc)

    # --- the outcome ledger: each worker accounts for the requests it leased ----------------------
    def _ledger(self) -> OutcomeLedger | None:
        if self.ledger is None:
            scraper = getattr(self.crawler.engine, "scraper", None)
            for mw in getattr(getattr(scraper, "spidermw", None), "middlewares", ()):
                if isinstance(mw, OutcomeLedger):
                    self.ledger = mw
        return self.ledger

    def _handed_off(self, request: Request) -> None:
        """A request goes to the shared queue: whichever worker leases it records its outcome, not this one."""
        token = request.meta.get(TOKEN)
        ledger = self._ledger()
        if token is not None and ledger is not None and ledger.pending.pop(token, None) is not None:
            ledger.fresh.pop(token, None)
            self.counts.inc_value("outcomes/requests", -1)
            self.counts.inc_value("cluster/handed_off")

    # --- Scrapy's scheduler interface ---------------------------------------------------------------
    def enqueue_request(self, request: Request) -> bool:
        # Held here and pushed in batches (each tick, before any lease is released, or every PUSH_BATCH):
        # a worker that dies with some held has not released the lease of the page that linked them, so
        # that page is fetched again and they are found again. A duplicate is told apart in Redis (the
        # filter and the queue change together), so every request counts as queued here.
        self.outbox.append((request, None if request.dont_filter else self.df.request_fingerprint(request)))
        self._handed_off(request)
        if len(self.outbox) >= PUSH_BATCH:
            self.flush()
        return True

    def flush(self) -> None:
        """Push the held requests to the run's queue (one round trip)."""
        if not self.outbox:
            return
        batch, self.outbox = self.outbox, []
        try:
            new = self.queue.push_many(batch, self.df.key)
        except REDIS_DOWN as exc:
            redis_lost(exc, "queueing requests")
        self.counts.inc_value("scheduler/enqueued/redis", new)
        self.counts.inc_value("cluster/duplicates", len(batch) - new)

    def next_request(self) -> Request | None:
        if self.finished:
            return None
        if not self.prefetched:
            try:
                self.flush()  # what this worker found may be the best to do next
                self.prefetched.extend(self.queue.pop_many(PREFETCH))
            except REDIS_DOWN as exc:
                redis_lost(exc, "leasing a request")
        request = self.prefetched.popleft() if self.prefetched else None
        if request is not None:
            self.leased[request.meta[LEASE]] = request
            if (ledger := self._ledger()) is not None:
                ledger.request_scheduled(request)
            self.counts.inc_value("cluster/leased")
        return request

    def has_pending_requests(self) -> bool:
        # Until the run ends the engine must not close the spider: another worker may queue more.
        return not self.finished

    # --- the tick: leases, seeding, the end of the run ---------------------------------------------
    def tick(self) -> None:
        try:
            self._tick()
        except REDIS_DOWN as exc:
            redis_lost(exc, "renewing leases")

    def _tick(self) -> None:
        slot = engine_slot(self.crawler)
        if slot is None:
            return
        self.flush()  # before any lease is released: the links a finished page gave are in Redis first
        self._release_done(slot)
        self.queue.renew([*self.leased, *(r.meta[LEASE] for r in self.prefetched)])
        if reclaimed := self.queue.reclaim():
            logger.warning("%d request(s) of a worker that stopped answering are back in the queue", reclaimed)
            self.counts.inc_value("cluster/reclaimed", reclaimed)
        state = self.queue.server.hget(run_key(self.run), "state")
        state = state.decode() if state else runs.ENDED
        if state == runs.SEEDING:
            self._seed()
        self._check_end(state)
        if len(self.queue) or self.finished:
            slot.nextcall.schedule()  # wake the engine now rather than at its 5 s heartbeat

    def _release_done(self, slot: Any) -> None:
        done = [t for t, r in self.leased.items() if r not in slot.inprogress]
        if done:
            self._send_discovery()  # before the leases go: the run cannot end without these counts
            # Scrapy dropped the request from `inprogress` only after its callback's output went through:
            # its items are in the stream and its links in the queue.
            self.queue.release(done)
            for token in done:
                del self.leased[token]
            self.queue.server.hincrby(run_key(self.run), "done", len(done))
            self.counts.inc_value("cluster/done", len(done))

    def _send_discovery(self) -> None:
        """Add what the ledger counted since the last call to the run's `discovery_ok`/`discovery_failed`."""
        if (ledger := self._ledger()) is None:
            return
        now = (ledger.discovery_ok, ledger.discovery_failed)
        ok, failed = now[0] - self.discovery_sent[0], now[1] - self.discovery_sent[1]
        if ok or failed:
            pipe = self.queue.server.pipeline(transaction=True)
            pipe.hincrby(run_key(self.run), "discovery_ok", ok).hincrby(run_key(self.run), "discovery_failed", failed)
            pipe.execute()
            self.discovery_sent = now

    def _seed(self) -> None:
        """Queue the next chunk of the run's first requests while holding the seeder lease."""
        server, lock = self.queue.server, run_key(self.run, "seeder")
        if self.seeding is None:
            # (A retried SET whose first reply was lost finds its own value: still this worker's lease.)
            if not server.set(lock, self.worker, nx=True, px=self.lease_ms) and server.get(lock) != self.worker.encode():
                return  # another worker seeds; its lease runs out if it dies, and one of us takes over
            logger.info("seeding run %s", self.run)
            self.seeding = self.spider.seed()
        else:
            server.pexpire(lock, self.lease_ms)
        for _ in range(SEED_CHUNK):
            request = next(self.seeding, None)
            if request is None:
                self.flush()  # queued before the run says so: an empty queue then means the run is done
                server.hset(run_key(self.run), "state", runs.RUNNING)
                server.delete(lock)
                self.seeding = None
                self.counts.set_value("cluster/seeded", True)
                return
            self.crawler.engine.crawl(request)

    def _check_end(self, state: str) -> None:
        if state in (runs.ENDED, runs.CANCELLED):
            self.finished = True
            return
        if (state != runs.RUNNING or self.leased or self.prefetched or self.outbox or len(self.queue)
                or self.queue.in_flight()):
            self.idle_since = None
            return
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        elif now - self.idle_since >= self.idle:
            if runs.end(self.queue.server, self.run, self.site):
                logger.info("run %s ended: its queue stayed empty with nothing in flight", self.run)
                self.counts.set_value("cluster/ended_run", True)
            self.finished = True
