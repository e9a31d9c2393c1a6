"""`newsarchive crawl`: run one crawl into the archive and print what it found."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from archive import health, runs
from archive.backfill import first_crawl, is_backfill
from archive.lock import CrawlLock
from archive.store import Archive
from crawler.commands import UsageError, add_db, add_json, print_json
from crawler.commands.validate import check_new_db, log_level

if TYPE_CHECKING:
    from crawler.runner import CrawlJob


def setting(value: str) -> tuple[str, str]:
    name, sep, val = value.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return name, val


def worker_count(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"expected 0 or a positive whole number, got {value!r}")
    return int(value)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("crawl", help="crawl a site into the archive and print what changed",
                       description="Discover new articles, recheck archived ones, and record new versions, "
                       "deletions, failures and blocks. Per-page failures are counted, not fatal (exit 0).")
    add_crawl_options(p)
    p.add_argument("--redis", default=None, metavar="redis://HOST:PORT/DB", help="be one worker of a cluster "
                   "(docs/cluster.md): the queue is shared in Redis, items go to `newsarchive ingest`; no --db")
    add_json(p)
    p.set_defaults(run=run)


def add_crawl_options(p: argparse.ArgumentParser) -> None:
    """The options of a crawl (shared with `watch`, which runs `crawl` with them).

    Each option is a setting (crawler/settings.py) set at Scrapy's "cmdline" priority; `-s NAME=VALUE`
    is applied after the options, so it wins over an option for the same setting. An option not given
    sets nothing: the setting's default applies.
    """
    add_db(p)
    p.add_argument("--site", default=None, metavar="NAME|PATH|generic",
                   help="a bundled site profile (`newsarchive site list`), a path to a profile TOML, or `generic` "
                   "(any news site, no profile; needs --base-url) (setting NEWSARCHIVE_SITE, default: kurdistan24)")
    p.add_argument("--lang", "--edition", dest="lang", default=None, metavar="ar[,ckb,...]", help="editions to crawl (setting "
                   "NEWSARCHIVE_EDITIONS; default: the profile's default editions)")
    p.add_argument("--base-url", default=None, metavar="URL", help="crawl a mirror or local copy: every link "
                   "to the site's own hosts is mapped onto this URL; with --site generic, the site's home page "
                   "(setting NEWSARCHIVE_BASE_URL)")
    p.add_argument("--max-pages", type=int, default=None, metavar="N", help="schedule at most N requests "
                   "(setting NEWSARCHIVE_MAX_PAGES; default 0: no limit)")
    p.add_argument("--recheck", choices=["all", "due", "none"], default=None,
                   help="which archived articles to fetch again: all, those due under the recheck policy "
                   "(default), or none (only discover new ones) (setting NEWSARCHIVE_RECHECK)")
    p.add_argument("--workers", type=worker_count, default=None, metavar="N", help="extract article pages in N "
                   "processes beside the crawl's (0: in the crawl's own process; setting NEWSARCHIVE_WORKERS; "
                   "default: one per core beyond the two the crawl and its archive writer use, so none on 2 cores)")
    p.add_argument("-s", dest="settings", action="append", type=setting, default=[], metavar="NAME=VALUE",
                   help="a Scrapy or NEWSARCHIVE_* setting, as `scrapy crawl -s` (repeatable); wins over the "
                   "option for the same setting, e.g. -s NEWSARCHIVE_RECHECK=all")
    p.add_argument("--local", action="store_true", help="settings for a local mirror: no AutoThrottle, "
                   "no delay, 64 concurrent requests (never use on a real site)")
    p.add_argument("--log-level", type=log_level, default="WARNING", metavar="LEVEL",
                   help="Scrapy log level: DEBUG, INFO, WARNING (default), ERROR or CRITICAL")


def crawl_argv(args: argparse.Namespace) -> list[str]:
    """The command-line options that reproduce these crawl options (for `watch`'s child crawls)."""
    argv = ["--db", args.db, "--log-level", args.log_level]
    for flag in ("site", "lang", "base_url", "max_pages", "recheck", "workers"):
        if getattr(args, flag) is not None:
            argv += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
    if args.local:
        argv.append("--local")
    for name, value in args.settings:
        argv += ["-s", f"{name}={value}"]
    return argv


def crawl_job(args: argparse.Namespace) -> CrawlJob:
    from crawler.runner import CrawlJob

    return CrawlJob(db=args.db, site=args.site, lang=args.lang, base_url=args.base_url, max_pages=args.max_pages,
                    recheck=args.recheck, workers=args.workers, settings=dict(args.settings))


def run(args: argparse.Namespace) -> int:
    from crawler.config import check_values
    from crawler.runner import LOCAL_MIRROR_SETTINGS, build_settings, check_job, job_settings, run_crawls

    if getattr(args, "redis", None):
        from crawler.cluster import require

        require()
        from crawler.cluster.worker import run_worker

        return run_worker(args)
    if args.max_pages is not None and args.max_pages < 0:
        raise UsageError("--max-pages must be 0 (no limit) or more")
    settings = build_settings(LOCAL_MIRROR_SETTINGS if args.local else {}, args.log_level)
    job = crawl_job(args)
    check_values(job_settings(settings, job), job.settings)  # `-s DOWNLOAD_DELAY=abc`: exit 2, one line
    config = check_job(settings, job)  # SiteError -> exit 2, before Scrapy starts
    if config.note:
        print(f"newsarchive: note: {config.note}", file=sys.stderr)
    check_new_db(config.db)
    with Archive(config.db):  # fails early, with one line, when the DB cannot be opened or written
        pass
    # Refuse at once, before Scrapy starts, when another crawl writes to this archive (the store
    # pipeline takes the lock for real; this only gives a clean early answer).
    CrawlLock(config.db).acquire().release()
    run_crawls([job], settings)
    return report_crawls(args, [job], db=config.db)


OLDER_NOT_FETCHED = ("older articles were not fetched: a crawl reads only the newest listing pages; "
                     "`newsarchive backfill` archives the site's whole history into this archive")


def older_not_fetched(archive: Archive, crawl_id: int, report: dict[str, Any], stats: dict[str, Any]) -> bool:
    """The first crawl of an archive never backfilled, with a listing left at the profile's page limit."""
    if not first_crawl(archive.db, crawl_id, report["crawl"]["site"]) or is_backfill(archive.db, crawl_id):
        return False
    return bool(stats.get("discovery/listing_limit_reached"))


def report_crawls(args: argparse.Namespace, jobs: list[Any], labels: list[str] | None = None,
                  extend: Callable[[dict[str, Any], Any], list[str]] | None = None, db: str | None = None) -> int:
    """Print each finished job's crawl report (text, or JSON with the Scrapy stats); the exit status.

    `extend(report, job)` adds to a report (JSON) and returns text lines printed after it (backfill)."""
    reports, extra = [], []
    with Archive(db or args.db) as archive:
        for job in jobs:
            crawl_id = job.stats.get("store/crawl_id")
            if crawl_id is None:
                print(f"newsarchive: the crawl did not start: {job.stats.get('finish_reason', 'unknown error')}",
                      file=sys.stderr)
                return 1
            report = runs.crawl_report(archive.db, crawl_id)
            report["scrapy_stats"] = {k: v for k, v in job.stats.items() if isinstance(v, (int, float, str))}
            if older_not_fetched(archive, crawl_id, report, job.stats):
                report["note"] = OLDER_NOT_FETCHED
            extra.append(extend(report, job) if extend else [])
            report["health"] = health.crawl_health(archive.db, crawl_id)
            reports.append(report)
    if args.json:
        print_json(reports if len(reports) > 1 else reports[0])
    else:
        color = sys.stdout.isatty()
        for n, report in enumerate(reports):
            if labels:
                print(f"\n== {labels[n]} ==")
            print(runs.format_report(report, color=color))
            for line in extra[n]:
                print(line)
            if report.get("note"):
                print(f"note: {report['note']}")
            for line in health.format_health(report.get("health")):
                print(line)
    unreachable = False
    for report in reports:
        stats = report["scrapy_stats"]
        if stats.get("robotstxt/unreachable"):
            # Nothing may be fetched before robots.txt answers; say so rather than report "0 new".
            unreachable = not stats.get("downloader/response_count")
            print("newsarchive: robots.txt could not be fetched (see the log): nothing was crawled from that host",
                  file=sys.stderr)
        elif stats.get("robotstxt/server_error"):
            print("newsarchive: robots.txt answered a server error: everything is disallowed until it answers "
                  "(RFC 9309)", file=sys.stderr)
    interrupted = any(r["crawl"]["outcome"] == "interrupted" for r in reports)
    # "failed: disk_full" and the like: the run stopped early (per-page failures alone never fail it).
    # "running" after the crawl ended: its outcome could not even be written (see the log).
    failed = any(str(r["crawl"]["outcome"]).startswith(("failed", "running")) for r in reports)
    return 130 if interrupted else 1 if failed or unreachable else 0
