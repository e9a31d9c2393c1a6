"""`newsarchive demo`: serve the bundled demo site, crawl it on day 1 and day 2, show what changed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crawler.commands import add_json
from crawler.commands.crawl import report_crawls


def add_parser(sub: Any) -> None:
    p = sub.add_parser("demo", help="serve the bundled demo site, crawl it twice (day 1, day 2), "
                       "and show what the second crawl found",
                       description="Runs offline on 127.0.0.1. Writes ./newsarchive-demo.db (recreated each run).")
    p.add_argument("--db", default="newsarchive-demo.db", metavar="PATH",
                   help="archive to (re)create (default: ./newsarchive-demo.db)")
    p.add_argument("--log-level", default="WARNING", help="Scrapy log level (default: WARNING)")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from crawler.demo.server import DemoServer
    from crawler.runner import LOCAL_MIRROR_SETTINGS, CrawlJob, build_settings, run_crawls

    db = Path(args.db)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with DemoServer(day=1) as server:
        if not args.json:
            print(f"demo site on {server.base_url} (day 1); archive {db}")
        day1 = CrawlJob(db=str(db), base_url=server.base_url, lang="ar,ckb")
        # "The next day" comes seconds later here, so no article would be due yet: recheck them all.
        day2 = CrawlJob(db=str(db), base_url=server.base_url, lang="ar,ckb", recheck="all",
                        before=lambda: server.set_day(2))
        run_crawls([day1, day2], build_settings(LOCAL_MIRROR_SETTINGS, args.log_level))
    return report_crawls(args, [day1, day2], ["day 1: first crawl", "day 2: the next day's crawl"])
