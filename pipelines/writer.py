"""One archive writer thread: a bounded queue of items, written in batches, each item's Deferred fired after its COMMIT."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from twisted.internet import defer

logger = logging.getLogger(__name__)

_STOP = object()

# write(payloads) -> one result per payload (an outcome, or the exception for that item); it raises when
# the whole batch failed, and every item of the batch then gets that exception.
WriteBatch = Callable[[Sequence[Any]], Sequence[Any]]


class BatchWriter:
    """Items submitted on the reactor thread are written by one thread, up to `batch` items or `wait_ms`
    per transaction. sqlite3 releases the GIL while SQLite works, so the reactor keeps fetching and
    parsing meanwhile. At most `max_queued` items wait; a submit past that waits for room (the crawl
    slows down instead of holding an unbounded backlog in memory)."""

    def __init__(self, write: WriteBatch, batch: int = 100, wait_ms: float = 50.0, max_queued: int = 500,
                 max_bytes: int = 0, size: Callable[[Any], int] | None = None) -> None:
        self.write = write
        self.batch = max(1, batch)
        # A batch also ends once its items' `size` passes max_bytes (0: no cap): a transaction's WAL frames
        # cannot be checkpointed before its COMMIT, so this bounds how far one batch grows the WAL.
        self.max_bytes = max_bytes
        self.size = size or (lambda payload: 0)
        self.wait_s = max(0.0, wait_ms) / 1000
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=max(1, max_queued))
        self.waiting: list[defer.Deferred[None]] = []  # submits waiting for room in the queue
        self.thread = threading.Thread(target=self._run, name="archive-writer", daemon=True)
        self.batches = 0
        self.items = 0

    def start(self) -> BatchWriter:
        # The running reactor, imported here: importing twisted.internet.reactor at module level would
        # install the default one before Scrapy installs the configured (asyncio) reactor.
        from twisted.internet import reactor

        self.reactor: Any = reactor
        self.thread.start()
        return self

    def submit(self, payload: Any) -> defer.Deferred[Any]:
        """(Reactor thread.) A Deferred that fires with the item's result once its batch is committed."""
        done: defer.Deferred[Any] = defer.Deferred()
        try:
            self.queue.put_nowait((payload, done, self.size(payload)))
        except queue.Full:
            room: defer.Deferred[None] = defer.Deferred()
            self.waiting.append(room)
            room.addCallback(lambda _: self.submit(payload))
            return room
        return done

    def stop(self, timeout: float | None = None) -> None:
        """Write what is queued, then end the thread (blocks; call when no more items come)."""
        if self.thread.is_alive():
            self.queue.put(_STOP)
            self.thread.join(timeout)

    # --- the writer thread ----------------------------------------------------------------------
    def _take(self) -> tuple[list[tuple[Any, defer.Deferred[Any], int]], bool]:
        """The next batch: what is queued now, then up to wait_s more for a fuller one; and whether to stop."""
        first = self.queue.get()
        if first is _STOP:
            return [], True
        jobs = [first]
        size = first[2]
        deadline = time.monotonic() + self.wait_s
        while len(jobs) < self.batch and not (self.max_bytes and size >= self.max_bytes):
            try:
                job = self.queue.get_nowait()
            except queue.Empty:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    job = self.queue.get(timeout=remaining)
                except queue.Empty:
                    break
            if job is _STOP:
                return jobs, True
            jobs.append(job)
            size += job[2]
        return jobs, False

    def _run(self) -> None:
        stopping = False
        while not stopping:
            jobs, stopping = self._take()
            if not jobs:
                continue
            try:
                results: Sequence[Any] = self.write([payload for payload, _, _ in jobs])
            except BaseException as exc:  # the whole batch failed: each item is told why
                results = [exc] * len(jobs)
            self.batches += 1
            self.items += len(jobs)
            self.reactor.callFromThread(self._deliver, [(done, result) for (_, done, _), result in zip(jobs, results)])

    def _deliver(self, done: list[tuple[defer.Deferred[Any], Any]]) -> None:
        """(Reactor thread.) Fire the batch's Deferreds, then let waiting submits in."""
        for deferred, result in done:
            deferred.callback(result)  # an exception is a value here: the pipeline decides what it means
        while self.waiting and not self.queue.full():
            self.waiting.pop(0).callback(None)
