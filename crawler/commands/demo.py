"""`newsarchive demo`: serve the bundled demo site, crawl it on day 1 and day 2, show what changed."""

from __future__ import annotations

import argparse
import shlex
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from crawler.commands import DEMO_DB, UsageError, add_json
from crawler.commands.crawl import report_crawls
from crawler.commands.validate import check_new_db, log_level


def add_parser(sub: Any) -> None:
    p = sub.add_parser("demo", help="serve the bundled demo site, crawl it twice (day 1, day 2), "
                       "and show what the second crawl found",
                       description=f"Runs offline on 127.0.0.1. Writes ./{DEMO_DB} (recreated each run; an "
                       "archive holding crawls of any other site is never overwritten), then prints commands "
                       "to try on it.")
    p.add_argument("--db", default=DEMO_DB, metavar="PATH", help=f"archive to (re)create (default: ./{DEMO_DB})")
    p.add_argument("--log-level", type=log_level, default="WARNING", metavar="LEVEL",
                   help="Scrapy log level: DEBUG, INFO, WARNING (default), ERROR or CRITICAL")
    add_json(p)
    p.set_defaults(run=run)


def check_replaceable(db: Path) -> None:
    """Refuse to delete an archive that holds anything but demo crawls (a mistyped --db must lose nothing)."""
    if not db.exists():
        return
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            others = conn.execute("SELECT count(*) FROM crawls WHERE coalesce(base_url, '') "
                                  "NOT LIKE 'http://127.0.0.1:%'").fetchone()[0]
    except sqlite3.Error:
        others = None  # not an archive at all (or not ours): never delete it either
    if others != 0:
        raise UsageError(f"{db} is not a demo archive (it holds other crawls or data): not overwriting it; "
                         "pass another --db")


def run(args: argparse.Namespace) -> int:
    from crawler.demo.server import DemoServer
    from crawler.runner import LOCAL_MIRROR_SETTINGS, CrawlJob, build_settings, run_crawls

    db = Path(check_new_db(args.db))
    check_replaceable(db)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with DemoServer(day=1) as server:
        if not args.json:
            print(f"demo site on {server.base_url} (day 1); archive {db}")
        day1 = CrawlJob(db=str(db), base_url=server.base_url, lang="ar,ckb")
        # "The next day" comes seconds later here, so no article would be due yet: recheck them all.
        day2 = CrawlJob(db=str(db), base_url=server.base_url, lang="ar,ckb", recheck="all",
                        before=lambda: server.set_day(2))
        done = run_crawls([day1, day2], build_settings(LOCAL_MIRROR_SETTINGS, args.log_level))
    labels = ["day 1: first crawl", "day 2: the next day's crawl"][:len(done)]
    code = report_crawls(args, done, labels)
    if code == 0 and not args.json:
        print(next_steps(str(db), done[-1].stats.get("store/crawl_id")))
    return code


def next_steps(db: str, crawl_id: Any) -> str:
    """Three commands to try on the demo archive, on an article the second crawl saw edited."""
    from archive import runs
    from archive.store import Archive

    with Archive(db) as archive:
        edited = runs.crawl_report(archive.db, crawl_id)["version"] if crawl_id else []
    flag = "" if db == "newsarchive.db" else f" --db {shlex.quote(db)}"
    lines = ["", f"Try on this archive ({db}):", f"  newsarchive edits{flag}"]
    if edited:
        key, title = edited[0]["key"], edited[0]["title"] or ""
        lines.append(f"  newsarchive diff {key}{flag}")
        words = " ".join(title.split()[:2])
        if words:
            lines.append(f"  newsarchive search {shlex.quote(words)}{flag}")
    else:
        lines.append(f"  newsarchive stats{flag}")
    lines.append(f"Or `export NEWSARCHIVE_DB={shlex.quote(db)}` and leave out --db (the README's examples too).")
    return "\n".join(lines)
