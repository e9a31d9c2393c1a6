"""Ctrl-C and SIGTERM during crawls: the first stops gracefully (one "stopping…" line), the second stops now.

Scrapy's own handlers stop the reactor behind the runner's back (ReactorNotRunning tracebacks) and let the
progress line run on; the runner installs these instead. Either way the crawl is recorded `interrupted`
and the command exits 130.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

from crawler import progress

SIGNALS = (signal.SIGINT, signal.SIGTERM)


def stop_reactor() -> None:
    """Stop the reactor if nobody has yet (a second stop raises ReactorNotRunning: not an error here)."""
    from twisted.internet import error, reactor

    try:
        reactor.stop()
    except (error.ReactorNotRunning, RuntimeError):
        pass


def stop_crawlers(process: Any) -> None:
    """Ask each running crawl of `process` (a CrawlerProcess) to stop gracefully.

    A crawl still opening its spider is asked again 0.1 s later: Scrapy's Crawler.stop_async() before
    the engine runs only marks the crawler stopped, and the crawl would then run to its end and hang.
    """
    from scrapy.utils.defer import deferred_from_coro
    from twisted.internet import reactor

    opening = False
    for crawler in list(process.crawlers):
        if not crawler.crawling:
            continue
        try:
            engine = crawler.engine
        except (AttributeError, RuntimeError):  # not created yet
            engine = None
        if engine is not None and engine.running:
            deferred_from_coro(crawler.stop_async())
        else:
            opening = True
    if opening:
        reactor.callLater(0.1, stop_crawlers, process)


class Interrupts:
    """`with Interrupts(graceful) as stop:` while the reactor runs; `stop.count` says how many signals came.

    `graceful` is called once, in the reactor thread, on the first signal; the second stops the reactor.
    """

    def __init__(self, graceful: Callable[[], Any]) -> None:
        self.graceful = graceful
        self.count = 0
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Interrupts:
        progress.reset()
        for signum in SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    @property
    def interrupted(self) -> bool:
        return self.count > 0

    @property
    def forced(self) -> bool:
        return self.count > 1

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        # A signal handler may interrupt a write to stderr: everything visible happens in the reactor thread.
        from twisted.internet import reactor

        self.count += 1
        self.signum = self.signum or signum
        if self.count == 1:
            reactor.callFromThread(self._first, signum)
        elif self.count == 2:
            reactor.callFromThread(self._second)
        # A third signal while the reactor winds down changes nothing: the stop is already under way.

    def _first(self, signum: int) -> None:
        again = "Ctrl-C" if signum == signal.SIGINT else "send SIGTERM"
        progress.stopping(f"stopping: finishing the pages in hand… ({again} again to stop now)", sys.stderr)
        self.graceful()

    def _second(self) -> None:
        progress.stopping("stopping now", sys.stderr)
        stop_reactor()
