"""`newsarchive crawl`: run one crawl into the archive and print what it found."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from archive import health, runs
from archive.lock import CrawlLock
from archive.store import Archive
from crawler.commands import UsageError, add_db, add_json, print_json
from crawler.profile import load_profile


def setting(value: str) -> tuple[str, str]:
    name, sep, val = value.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return name, val


def add_parser(sub: Any) -> None:
    p = sub.add_parser("crawl", help="crawl a site into the archive and print what changed",
                       description="Discover new articles, recheck archived ones, and record new versions, "
                       "deletions, failures and blocks. Per-page failures are counted, not fatal (exit 0).")
    add_crawl_options(p)
    add_json(p)
    p.set_defaults(run=run)


def add_crawl_options(p: argparse.ArgumentParser) -> None:
    """The options of a crawl (shared with `watch`, which runs `crawl` with them)."""
    add_db(p)
    p.add_argument("--site", default="kurdistan24", help="site profile name or path to a profile TOML "
                   "(default: kurdistan24)")
    p.add_argument("--lang", default=None, metavar="ar[,ckb,...]", help="editions to crawl (default: the "
                   "profile's default, ar)")
    p.add_argument("--base-url", default=None, metavar="URL", help="crawl a mirror or local copy: every link "
                   "to the site's own hosts is mapped onto this URL")
    p.add_argument("--max-pages", type=int, default=0, metavar="N", help="schedule at most N requests (0: no limit)")
    p.add_argument("--recheck", choices=["all", "due", "none"], default="due",
                   help="which archived articles to fetch again: all, those due under the recheck policy "
                   "(default), or none (only discover new ones)")
    p.add_argument("-s", dest="settings", action="append", type=setting, default=[], metavar="NAME=VALUE",
                   help="a Scrapy setting, as `scrapy crawl -s` (repeatable), e.g. -s AUTOTHROTTLE_ENABLED=0")
    p.add_argument("--local", action="store_true", help="settings for a local mirror: no AutoThrottle, "
                   "no delay, 64 concurrent requests (never use on a real site)")
    p.add_argument("--log-level", default="WARNING", help="Scrapy log level (default: WARNING)")


def crawl_argv(args: argparse.Namespace) -> list[str]:
    """The command-line options that reproduce these crawl options (for `watch`'s child crawls)."""
    argv = ["--db", args.db, "--site", args.site, "--recheck", args.recheck, "--max-pages", str(args.max_pages),
            "--log-level", args.log_level]
    if args.lang:
        argv += ["--lang", args.lang]
    if args.base_url:
        argv += ["--base-url", args.base_url]
    if args.local:
        argv.append("--local")
    for name, value in args.settings:
        argv += ["-s", f"{name}={value}"]
    return argv


def run(args: argparse.Namespace) -> int:
    from crawler.runner import LOCAL_MIRROR_SETTINGS, CrawlJob, build_settings, run_crawls

    profile = load_profile(args.site, base_url=args.base_url)  # ProfileError -> exit 2
    editions = profile.check_editions((args.lang or ",".join(profile.default_editions)).split(","))
    if args.max_pages < 0:
        raise UsageError("--max-pages must be 0 (no limit) or more")
    with Archive(args.db):  # fails early, with one line, when the DB cannot be opened or written
        pass
    # Refuse at once, before Scrapy starts, when another crawl writes to this archive (the store
    # pipeline takes the lock for real; this only gives a clean early answer).
    CrawlLock(args.db).acquire().release()
    overrides: dict[str, Any] = dict(LOCAL_MIRROR_SETTINGS) if args.local else {}
    overrides.update(dict(args.settings))
    job = CrawlJob(db=args.db, site=args.site, lang=",".join(editions), base_url=args.base_url,
                   max_pages=args.max_pages, recheck=args.recheck)
    run_crawls([job], build_settings(overrides, args.log_level))
    return report_crawls(args, [job])


def report_crawls(args: argparse.Namespace, jobs: list[Any], labels: list[str] | None = None) -> int:
    """Print each finished job's crawl report (text, or JSON with the Scrapy stats); the exit status."""
    reports = []
    with Archive(args.db) as archive:
        for job in jobs:
            crawl_id = job.stats.get("store/crawl_id")
            if crawl_id is None:
                print(f"newsarchive: the crawl did not start: {job.stats.get('finish_reason', 'unknown error')}",
                      file=sys.stderr)
                return 1
            report = runs.crawl_report(archive.db, crawl_id)
            report["scrapy_stats"] = {k: v for k, v in job.stats.items() if isinstance(v, (int, float, str))}
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
    failed = any(str(r["crawl"]["outcome"]).startswith("failed") for r in reports)
    return 130 if interrupted else 1 if failed or unreachable else 0
