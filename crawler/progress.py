"""Progress of a crawl: a live line of counts on a terminal, a plain line every 30 s in a log or pipe."""

from __future__ import annotations

import sys
import time
import weakref
from typing import TYPE_CHECKING, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# Stats key (store/<outcome>) -> the word the crawl summary uses for it: a new version is "edited" in both.
COUNTS = {"new": "new", "version": "edited", "unchanged": "unchanged", "failed": "failed", "blocked": "blocked",
          "gone": "gone"}
_RUNNING: weakref.WeakSet[ProgressExtension] = weakref.WeakSet()
_STOPPING = [False]  # set once a stop has begun: a crawl whose spider opens after it shows no live line


def reset() -> None:
    """A new run of crawls begins: no stop under way."""
    _STOPPING[0] = False


def stopping(message: str, stream: TextIO) -> None:
    """Freeze every running progress line where it stands, then say `message` once on a line of its own."""
    _STOPPING[0] = True
    for ext in list(_RUNNING):
        ext.freeze()
    stream.write(message + "\n")
    stream.flush()


class ProgressExtension:
    def __init__(self, crawler: Crawler, stream: TextIO) -> None:
        self.crawler = crawler
        self.stream = stream
        self.live = stream.isatty()
        self.interval = 1.0 if self.live else crawler.settings.getfloat("NEWSARCHIVE_PROGRESS_INTERVAL", 30.0)
        self.started = time.monotonic()
        self._loop: task.LoopingCall | None = None
        self.frozen = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        if not crawler.settings.getbool("NEWSARCHIVE_PROGRESS", True):
            raise NotConfigured
        ext = cls(crawler, sys.stderr)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def line(self) -> str:
        stats = self.crawler.stats
        assert stats is not None
        get = stats.get_value
        counts = " ".join(f"{label} {get(f'store/{name}', 0)}" for name, label in COUNTS.items())
        pages = get("response_received_count", 0)
        elapsed = time.monotonic() - self.started
        return f"pages {pages} | {counts} | {elapsed:.0f}s"

    def spider_opened(self) -> None:
        if _STOPPING[0]:
            self.frozen = True
            return
        self._loop = task.LoopingCall(self.tick)
        self._loop.start(self.interval, now=False)
        _RUNNING.add(self)

    def freeze(self) -> None:
        """Stop counting: the last figures stay on screen (a stopping crawl's numbers would only mislead)."""
        if self.frozen:
            return
        self.frozen = True
        if self._loop and self._loop.running:
            self._loop.stop()
        if self.live:
            self.stream.write("\r\x1b[K" + self.line() + "\n")
            self.stream.flush()

    def tick(self) -> None:
        if self.live:
            self.stream.write("\r\x1b[K" + self.line())
            self.stream.flush()
        else:
            # Plain lines whatever the log level: a cron log or a pipe still shows the crawl moving.
            self.stream.write(f"progress: {self.line()}\n")
            self.stream.flush()

    def spider_closed(self) -> None:
        _RUNNING.discard(self)
        if self._loop and self._loop.running:
            self._loop.stop()
        if self.live and not self.frozen:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


class BackfillProgress(ProgressExtension):
    """The crawl's line plus what a long backfill needs: pages per second, targets walked, how far back, ETA."""

    def line(self) -> str:
        stats = self.crawler.stats
        spider = self.crawler.spider
        assert stats is not None
        elapsed = max(time.monotonic() - self.started, 1e-6)
        pages = stats.get_value("response_received_count", 0)
        rate = pages / elapsed
        # Requests waiting in the scheduler plus ids not yet requested: a floor while listings still walk.
        queued = stats.get_value("scheduler/enqueued", 0) - stats.get_value("scheduler/dequeued", 0)
        left = queued + getattr(spider, "ids_left", 0)
        walks = getattr(spider, "walks", [])
        open_listings = sum(1 for w in walks if w.kind == "listing" and not (w.complete or w.stopped))
        ended = sum(1 for w in walks if w.complete or w.stopped)
        parts = [super().line(), f"{rate:.1f} pages/s", f"targets {ended}/{len(walks)} done"]
        oldest = getattr(spider, "oldest", None)
        if oldest is not None:
            parts.append(f"back to {oldest.date().isoformat()}")
        if rate > 0 and left:
            eta = left / rate
            parts.append(f"ETA {'>= ' if open_listings else ''}{int(eta // 3600)}:{int(eta % 3600 // 60):02d}:"
                         f"{int(eta % 60):02d}")
        return " | ".join(parts)
