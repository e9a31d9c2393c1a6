"""Run one or more crawls in this process (Scrapy's reactor starts once, so crawls run in sequence)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import SETTINGS_PRIORITIES, Settings
from scrapy.utils.project import get_project_settings
from scrapy.utils.reactor import install_reactor

from crawler.config import CrawlConfig
from crawler.interrupts import Interrupts, stop_crawlers, stop_reactor
from crawler.spiders.news import NewsSpider

# What a local mirror needs instead of the polite defaults meant for the real site.
LOCAL_MIRROR_SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 64,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 64,
}

# The crawl options and the settings they set (a flag not given sets nothing: crawler/settings.py decides).
FLAG_SETTINGS = {"db": "NEWSARCHIVE_DB", "site": "NEWSARCHIVE_SITE", "lang": "NEWSARCHIVE_EDITIONS",
                 "base_url": "NEWSARCHIVE_BASE_URL", "max_pages": "NEWSARCHIVE_MAX_PAGES",
                 "recheck": "NEWSARCHIVE_RECHECK", "workers": "NEWSARCHIVE_WORKERS"}


@dataclass
class CrawlJob:
    """One crawl: its flags (None: not given), its `-s` settings, and an optional hook run just before it."""

    db: str | None = None
    site: str | None = None
    lang: str | None = None
    base_url: str | None = None
    max_pages: int | None = None
    recheck: str | None = None
    workers: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    before: Callable[[], None] | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    def flag_settings(self) -> dict[str, Any]:
        return {name: getattr(self, flag) for flag, name in FLAG_SETTINGS.items() if getattr(self, flag) is not None}


def build_settings(overrides: Mapping[str, Any] | None = None, log_level: str | None = None) -> Settings:
    """The project's settings (works outside the project directory too), then overrides at "cmdline" priority."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    if log_level:
        settings.set("LOG_LEVEL", log_level, priority="cmdline")
    return settings


# A job's flags and `-s` settings: one step above "cmdline" (40). Scrapy's create_crawler() merges the
# process's own settings (--local, the log level: "cmdline") into each crawler's at their priority, which
# would otherwise overwrite a job's `-s CONCURRENT_REQUESTS=2` with --local's 64.
JOB_PRIORITY = SETTINGS_PRIORITIES["cmdline"] + 1


def job_settings(settings: Settings, job: CrawlJob) -> Settings:
    """The settings of one job: its flags, then its `-s` settings (the later one wins), above the process's."""
    own = settings.copy()
    own.setdict(job.flag_settings(), priority=JOB_PRIORITY)
    own.setdict(job.settings, priority=JOB_PRIORITY)
    return own


def check_job(settings: Settings, job: CrawlJob) -> CrawlConfig:
    """The job's config as the crawl will see it; SiteError (one line, exit 2) before anything starts."""
    return CrawlConfig.from_settings(job_settings(settings, job))


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
                # A job may run another spider (backfill) with arguments of its own beside the settings.
                spider_cls = getattr(job, "spider_cls", None) or NewsSpider
                crawler: Crawler = process.create_crawler(Crawler(spider_cls, job_settings(settings, job)))
                crawlers[n] = crawler
                options = job.spider_options() if hasattr(job, "spider_options") else {}
                yield process.crawl(crawler, **options)
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
