"""Run one or more crawls in this process (Scrapy's reactor starts once, so crawls run in sequence)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from scrapy.utils.reactor import install_reactor

from crawler.interrupts import Interrupts, stop_crawlers, stop_reactor
from crawler.profile import available_sites
from crawler.spiders.news import NewsSpider

# What a local mirror needs instead of the polite defaults meant for the real site.
LOCAL_MIRROR_SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 64,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 64,
}


@dataclass
class CrawlJob:
    """One crawl: spider arguments, and an optional hook to run just before it starts."""

    db: str
    site: str = "kurdistan24"
    lang: str | None = None
    base_url: str | None = None
    max_pages: int = 0
    recheck: str = "due"
    before: Callable[[], None] | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    def spider_kwargs(self) -> dict[str, Any]:
        return {"db": self.db, "site": self.site, "lang": self.lang, "base_url": self.base_url,
                "max_pages": self.max_pages, "recheck": self.recheck}


def build_settings(overrides: Mapping[str, Any] | None = None, log_level: str | None = None) -> Settings:
    """The project's settings (works outside the project directory too), then `-s` overrides."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    if log_level:
        settings.set("LOG_LEVEL", log_level, priority="cmdline")
    return settings


def spider_class(site: str) -> type[NewsSpider]:
    """The named spider for a bundled profile; the generic one (site given as argument) otherwise."""
    if site in available_sites():
        from crawler.spiders import news

        return getattr(news, f"{site.title().replace('-', '')}Spider")  # type: ignore[no-any-return]
    return NewsSpider


def run_crawls(jobs: list[CrawlJob], settings: Settings) -> list[CrawlJob]:
    """Run the jobs one after the other; each job's final stats are left in `job.stats`.

    Ctrl-C or SIGTERM (see crawler.interrupts): the running crawl stops gracefully and no later job starts;
    a second signal stops at once. Either way each started crawl is recorded `interrupted`, and
    KeyboardInterrupt is raised when no crawl had started yet.
    """
    from twisted.internet import defer

    # Scrapy's reactor must be installed before anything imports twisted's default one.
    if settings.get("TWISTED_REACTOR"):
        install_reactor(settings["TWISTED_REACTOR"], settings.get("ASYNCIO_EVENT_LOOP"))
    process = CrawlerProcess(settings)
    errors: list[BaseException] = []
    crawlers: dict[int, Crawler] = {}
    interrupts = Interrupts(graceful=lambda: stop_crawlers(process))

    @defer.inlineCallbacks
    def sequence() -> Any:
        try:
            for n, job in enumerate(jobs):
                if interrupts.interrupted:
                    break  # Ctrl-C between crawls: do not start the next one
                if job.before:
                    job.before()
                crawler: Crawler = process.create_crawler(getattr(job, "spider_cls", None) or spider_class(job.site))
                crawlers[n] = crawler
                yield process.crawl(crawler, **job.spider_kwargs())
                job.stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
                if job.stats.get("finish_reason") == "shutdown":
                    break  # Ctrl-C: do not start the next crawl
        except BaseException as exc:  # reported after the reactor stops
            errors.append(exc)
        finally:
            stop_reactor()

    from twisted.internet import reactor

    reactor.callWhenRunning(sequence)
    with interrupts:
        process.start(stop_after_crawl=False, install_signal_handlers=False)
    if interrupts.interrupted:
        return finish_interrupted(jobs, crawlers)
    if errors:
        raise errors[0]
    return jobs


def finish_interrupted(jobs: list[CrawlJob], crawlers: dict[int, Crawler]) -> list[CrawlJob]:
    """After Ctrl-C: the jobs that ran, their crawls recorded `interrupted` even when a second Ctrl-C
    stopped the reactor before Scrapy closed the spider. KeyboardInterrupt when none had started."""
    started = []
    for n, crawler in crawlers.items():
        job = jobs[n]
        if not job.stats and crawler.stats is not None:
            job.stats = dict(crawler.stats.get_stats())
        crawl_id = job.stats.get("store/crawl_id")
        if crawl_id is None:
            continue
        job.stats.setdefault("finish_reason", "shutdown")
        mark_interrupted(job.db, int(crawl_id))
        started.append(job)
    if not started:
        raise KeyboardInterrupt
    return started


def mark_interrupted(db: str, crawl_id: int) -> None:
    """Record a crawl the reactor stopped under it (still `running`) as interrupted; pages stored stay."""
    from archive.store import Archive

    with Archive(db) as archive:
        row = archive.db.execute("SELECT outcome FROM crawls WHERE id = ?", [crawl_id]).fetchone()
        if row is not None and row[0] == "running":
            archive.finish_crawl(crawl_id, "interrupted")
