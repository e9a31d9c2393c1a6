"""Extraction worker processes: a fetched page in, its item out, so the crawl's reactor thread only fetches."""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from crawler.poolworker import parse_faults, restore_body, serve
from crawler.process import Page
from crawler.site import Identity

__all__ = ["ExtractPool", "Outcome", "PoolBroken", "parse_faults", "stop_forkserver"]

logger = logging.getLogger(__name__)

# Seconds a worker process may take to start (import, load the site) before the pool gives up on it.
START_TIMEOUT = 60.0
# Seconds a worker has to answer "stop" at the close before it is killed.
STOP_TIMEOUT = 5.0
# Imported once in the fork server, so each worker forked from it starts without importing anything.
PRELOAD = ["crawler.poolworker", "crawler.process", "crawler.site", "crawler.config"]


@dataclass(frozen=True)
class Outcome:
    """What the pool made of one page: the item, or the reason it has none (`event`: timeout, crashed, error)."""

    item: dict[str, Any] | None
    reason: str | None = None
    event: str | None = None
    crashes: int = 0              # worker deaths on this page (a page answered on its retry has 1)


class PoolBroken(RuntimeError):
    """No worker could be started: the caller extracts in-process instead (never a page's own failure)."""


def stop_forkserver() -> None:
    """End the fork server once no worker of it is left (it holds nothing; another pool starts a new one).

    Waited for here, so its CPU time and its workers' are counted in this process's children (the
    benchmark's CPU per article) and nothing of the pool outlives the crawl that started it.
    """
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # CPython's own, "used by unit tests"
    if stop is not None:
        stop()


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context: Any, args: tuple[Any, ...]) -> None:
        # A forced stop (ExtractPool.terminate, on the crawl's thread) and the worker's own thread may both
        # end it: the pipe must be closed once, or the second close hits a descriptor number that is
        # closed, or already reused by another file of the crawl.
        self._ended = threading.Lock()
        self._done = False
        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve, name="newsarchive-extract", args=(child, *args), daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(START_TIMEOUT):
            self.kill()
            raise PoolBroken(f"an extraction worker did not start within {START_TIMEOUT:.0f} s")
        try:
            self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise PoolBroken(f"an extraction worker died while starting (exit code {self.process.exitcode})") \
                from None

    def _end(self) -> bool:
        """True for the one caller that ends this worker."""
        with self._ended:
            first, self._done = not self._done, True
        return first

    def kill(self) -> None:
        if not self._end():
            return
        self.process.kill()
        self.process.join()
        self.conn.close()

    def stop(self) -> float:
        """Stop it by the pipe (killed if it does not answer); the CPU seconds it used."""
        cpu = 0.0
        try:
            self.conn.send(None)
            if self.conn.poll(STOP_TIMEOUT):
                cpu = float(self.conn.recv()[1])
        except (EOFError, OSError):
            pass
        if not self._end():
            return cpu
        self.process.join(STOP_TIMEOUT)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()
        return cpu


class ExtractPool:
    """`size` worker processes forked from a fork server, each driven by a thread of its own.

    A thread takes a page off the shared queue, hands it to its worker and waits up to `timeout` seconds:
    a worker that takes longer is killed and replaced (the page is answered with a timeout reason); a
    worker that dies is replaced and the page tried once more, then answered with a crash reason. So a
    page is never lost, and one bad page costs one worker, never the pool.
    """

    def __init__(self, size: int, site_name: str, base_url: str | None, timeout: float,
                 faults: Mapping[str, str] | None = None) -> None:
        self.size = size
        self.timeout = timeout
        # Never fork the crawl itself (it runs a reactor and threads): workers fork from a clean server.
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(PRELOAD)
        self.args = (site_name, base_url, dict(faults or {}))
        self.jobs: queue.SimpleQueue[tuple[Future[Outcome], Page, Identity | None] | None] = queue.SimpleQueue()
        self.broken: str | None = None
        self.worker_cpu_s = 0.0
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self._threads = [threading.Thread(target=self._slot, name=f"extract-pool-{n}", daemon=True)
                         for n in range(size)]
        self._closed = False
        self._lost = 0

    def start(self) -> ExtractPool:
        """Start the threads; each starts its worker (the fork server first), off the caller's thread."""
        for thread in self._threads:
            thread.start()
        return self

    def submit(self, page: Page, ident: Identity | None) -> Future[Outcome]:
        """The page's Outcome, once a worker answered it (queued until one is ready); PoolBroken when none
        could start."""
        future: Future[Outcome] = Future()
        with self._lock:  # never queued behind the drain of a pool found broken
            if self._closed or self.broken:
                future.set_exception(PoolBroken(self.broken or "the pool is closed"))
            else:
                self.jobs.put((future, page, ident))
        return future

    def close(self) -> None:
        """Stop every worker (by the pipe, else killed) and wait for the threads; pages still queued fail."""
        if self._closed:
            return
        with self._lock:
            self._closed = True
        for _ in self._threads:
            self.jobs.put(None)
        deadline = time.monotonic() + self.timeout + 2 * STOP_TIMEOUT  # a page in hand may take its timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            left, self._workers = self._workers, []
        for worker in left:  # a thread that did not finish in time: its worker goes anyway
            worker.kill()
        with self._lock:
            jobs = self._drain()
        for job in jobs:
            if job[0].set_running_or_notify_cancel():
                job[0].set_exception(PoolBroken("the pool closed before this page's turn"))

    def terminate(self) -> None:
        """Kill every worker now, waiting for nothing (the crawl is being stopped at once, or exits)."""
        with self._lock:
            self._closed = True
            left, self._workers = self._workers, []
        for worker in left:
            worker.kill()

    @property
    def alive(self) -> int:
        """Worker processes and their threads still running (0 once closed in time)."""
        with self._lock:
            workers = sum(w.process.is_alive() for w in self._workers)
        return workers + sum(t.is_alive() for t in self._threads)

    # --- one thread per worker -------------------------------------------------------------------
    def _spawn(self) -> _Worker:
        worker = _Worker(self.context, self.args)
        with self._lock:
            self._workers.append(worker)
        return worker

    def _drop(self, worker: _Worker) -> None:
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
        worker.kill()

    def _slot(self) -> None:
        worker: _Worker | None = None
        try:
            worker = self._spawn()
            while (job := self.jobs.get()) is not None:
                future, page, ident = job
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    worker, outcome = self._run(worker, page, ident)
                except Exception as exc:  # no worker would start: the caller extracts this page itself
                    future.set_exception(exc)
                    raise
                future.set_result(outcome)
        except Exception as exc:
            self._slot_lost(exc if isinstance(exc, PoolBroken) else PoolBroken(repr(exc)))
            return
        if worker is not None:
            with self._lock:
                if worker in self._workers:
                    self._workers.remove(worker)
            cpu = worker.stop()
            with self._lock:
                self.worker_cpu_s += cpu

    def _slot_lost(self, exc: PoolBroken) -> None:
        """A thread whose worker would not start ends; with the last one, the pool is broken."""
        with self._lock:
            self._lost += 1
            last = self._lost == self.size
            if last:
                self.broken = str(exc)
                jobs = self._drain()
        logger.warning("extraction pool: %s%s", exc, "; pages are extracted in the crawl's process" if last else "")
        for job in jobs if last else []:
            if job[0].set_running_or_notify_cancel():
                job[0].set_exception(PoolBroken(str(exc)))

    def _drain(self) -> list[tuple[Future[Outcome], Page, Identity | None]]:
        jobs = []
        while True:
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                return jobs
            if job is not None:
                jobs.append(job)

    def _run(self, worker: _Worker | None, page: Page, ident: Identity | None) -> tuple[_Worker | None, Outcome]:
        """The page's outcome from `worker` (replaced as needed); the worker to use next."""
        crash, crashes = "", 0
        for _ in (1, 2):
            if worker is None:
                if self._closed:  # a page still in hand when the close gave up waiting for it
                    raise PoolBroken("the pool is closed")
                worker = self._spawn()
            try:
                worker.conn.send((page, ident))
                answered = worker.conn.poll(self.timeout)
                message = worker.conn.recv() if answered else None
            except (EOFError, OSError):
                answered, message = True, None
            if not answered:
                self._drop(worker)
                return None, Outcome(None, f"extraction timed out after {self.timeout:g} s (worker killed)",
                                     "timeout", crashes)
            if message is None:  # the worker died with the page in hand
                worker.process.join(1)
                code = worker.process.exitcode
                self._drop(worker)
                worker = None
                crashes += 1
                crash = f"exit code {code}" if code is not None and code >= 0 else f"signal {-(code or 0)}"
                continue
            kind, value = message
            if kind == "error":
                return worker, Outcome(None, value, "error", crashes)
            return worker, Outcome(restore_body(value, page.body), crashes=crashes)
        return worker, Outcome(None, f"extraction worker died on this page twice ({crash})", "crashed", crashes)
