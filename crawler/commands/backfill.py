"""`newsarchive backfill`: archive a site's whole history (listings to their end, sitemaps, an id range)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from archive.lock import CrawlLock
from archive.store import Archive
from crawler.commands import UsageError, add_json
from crawler.commands.crawl import add_crawl_options, crawl_job, report_crawls
from crawler.commands.validate import check_new_db

EPILOG = """Progress lives in the archive (table backfill_progress): run the same command again after a
kill, Ctrl-C or --max-pages and it continues where it stopped; articles already archived are skipped
unless due for a recheck. Backfill and the scheduled `crawl` share one archive, one writer at a time
(exit 75 while the other runs). Exit codes: 0 done (pages that failed are listed and retried by the next
backfill), 1 failed at run time, 2 usage error, 75 archive locked, 130 interrupted."""


def add_parser(sub: Any) -> None:
    p = sub.add_parser("backfill", help="archive a site's whole history, resumably",
                       description="Walk every listing's pagination to its end, every sitemap and sitemap index "
                       "and, for sites whose profile declares sequential ids, an id range; archive every article "
                       "found through the same pipelines as `crawl` (versions, edits, deletions).",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_crawl_options(p)
    p.add_argument("--ids", metavar="LOW-HIGH", default=None,
                   help="also try every id in this range (inclusive) under the profile's [backfill] article_url, "
                   "newest first; ids that answer 404/410 are counted, not errors")
    p.add_argument("--oldest-first", action="store_true", help="walk --ids from LOW up instead of from HIGH down")
    p.add_argument("--since", metavar="DATE", default=None,
                   help="only articles published on or after DATE (YYYY-MM-DD in the site's time zone, or ISO "
                   "8601): sitemap entries dated before are skipped, a listing stops at a page whose own cards "
                   "are mostly older")
    p.add_argument("--until", metavar="DATE", default=None,
                   help="only articles published on or before DATE: sitemap entries dated after are skipped "
                   "(listings and ids are walked from their newest end; what they give is kept)")
    p.add_argument("--sources", metavar="LIST", default=None,
                   help="what to walk, comma-separated: listings, sitemaps, ids (default: all that apply)")
    p.add_argument("--restart", action="store_true",
                   help="forget the saved progress of this site and walk everything from the start")
    add_json(p)
    p.set_defaults(run=run)


@dataclass
class BackfillJob:
    """What crawler.runner.run_crawls needs of a job (a CrawlJob's settings), running the backfill spider with
    its own arguments. Not a CrawlJob subclass: that would import Scrapy whenever the command line is parsed."""

    crawl: Any  # the crawl's CrawlJob: its flags and `-s` settings
    options: dict[str, Any]
    before: Any = None
    stats: dict[str, Any] | None = None

    def flag_settings(self) -> dict[str, Any]:
        return self.crawl.flag_settings()

    @property
    def settings(self) -> dict[str, Any]:
        return self.crawl.settings

    @property
    def spider_cls(self) -> type:
        from crawler.spiders.backfill import BackfillSpider

        return BackfillSpider

    def spider_options(self) -> dict[str, Any]:
        return dict(self.options)


def check_options(args: argparse.Namespace, site: Any) -> dict[str, Any]:
    """The spider's backfill arguments, checked before Scrapy starts (a usage error exits 2 with one line)."""
    from crawler.backfill_walk import SOURCES, parse_date, parse_ids

    options: dict[str, Any] = {}
    if args.ids:
        conf = site.backfill
        if not (conf.get("sequential_ids") and conf.get("article_url")):
            raise UsageError(f"site {site.name} does not declare sequential ids: --ids needs [backfill] "
                             "sequential_ids = true and article_url in its profile")
        lo, hi = parse_ids(args.ids)
        options["ids"] = f"{lo}-{hi}"
    elif args.oldest_first:
        raise UsageError("--oldest-first needs --ids")
    if args.oldest_first:
        options["oldest_first"] = "1"
    since = parse_date(args.since, site.timezone) if args.since else None
    until = parse_date(args.until, site.timezone, end_of_day=True) if args.until else None
    if since and until and since > until:
        raise UsageError("--since is later than --until: nothing to backfill")
    if args.since:
        options["since"] = args.since
    if args.until:
        options["until"] = args.until
    if args.sources:
        wanted = [s.strip() for s in args.sources.split(",") if s.strip()]
        for name in wanted:
            if name not in SOURCES:
                raise UsageError(f"unknown --sources entry {name!r} (expected {', '.join(SOURCES)})")
        if "ids" in wanted and not args.ids:
            raise UsageError("--sources ids needs --ids LOW-HIGH")
        options["sources"] = ",".join(wanted)
    if args.restart:
        options["restart"] = "1"
    return options


def run(args: argparse.Namespace) -> int:
    from crawler.config import check_values
    from crawler.runner import LOCAL_MIRROR_SETTINGS, build_settings, check_job, job_settings, run_crawls

    if args.max_pages is not None and args.max_pages < 0:
        raise UsageError("--max-pages must be 0 (no limit) or more")
    overrides: dict[str, Any] = dict(LOCAL_MIRROR_SETTINGS) if args.local else {}
    from crawler import settings as project

    # The backfill's progress line (rate, ETA) in place of the crawl's; the project's other extensions stay.
    overrides["EXTENSIONS"] = {**project.EXTENSIONS, "crawler.progress.ProgressExtension": None,
                               "crawler.progress.BackfillProgress": 500}
    settings = build_settings(overrides, args.log_level)
    crawl = crawl_job(args)
    check_values(job_settings(settings, crawl), crawl.settings)
    config = check_job(settings, crawl)  # SiteError -> exit 2, before Scrapy starts
    options = check_options(args, config.site)
    check_new_db(config.db)
    with Archive(config.db):  # fails early, with one line, when the DB cannot be opened or written
        pass
    CrawlLock(config.db).acquire().release()  # exit 75 at once when a crawl or backfill holds the archive
    job = BackfillJob(crawl=crawl, options=options)
    run_crawls([job], settings)  # type: ignore[list-item]
    return report_crawls(args, [job], extend=summarize, db=config.db)


def summarize(report: dict[str, Any], job: BackfillJob) -> list[str]:
    """The backfill's own part of the report: each target's state, ids missing, how far back it reached."""
    stats = job.stats or {}
    walks = stats.get("backfill/walks") or []
    counts = {name: int(stats.get(f"backfill/{name}", 0)) for name in
              ("ids_missing", "ids_gone", "sitemap_entries", "listing_done_before", "sitemap_done_before",
               "ids_done_before", "entry_outside_dates")}
    report["backfill"] = {"walks": walks, "oldest_published": stats.get("backfill/oldest_published"),
                          "max_pages_reached": bool(stats.get("spider/max_pages_reached")), **counts}
    lines = ["backfill:"]
    for walk in walks:
        where = {"listing": f"page {walk['position']}", "sitemap": "", "ids": f"next id {walk['position']}"}
        lines.append(f"  {walk['kind']:8} {walk['target']}  {walk['state']}"
                     + (f", {where[walk['kind']]}" if where[walk["kind"]] and walk["state"] != "complete" else "")
                     + (f", {walk['failed_units']} unit(s) with failures" if walk["failed_units"] else ""))
    done_before = counts["listing_done_before"] + counts["sitemap_done_before"] + counts["ids_done_before"]
    if done_before:
        lines.append(f"  {done_before} target(s) finished by an earlier backfill (--restart walks them again)")
    if counts["ids_missing"] or counts["ids_gone"]:
        lines.append(f"  ids never archived that answered 404: {counts['ids_missing']}, 410: {counts['ids_gone']}")
    if report["backfill"]["oldest_published"]:
        lines.append(f"  oldest article reached: {report['backfill']['oldest_published']}")
    unfinished = [w for w in walks if w["state"] == "to continue"]
    if unfinished or report["backfill"]["max_pages_reached"]:
        lines.append("  run the same command again to continue where this run stopped")
    return lines
