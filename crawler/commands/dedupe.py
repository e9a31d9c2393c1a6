"""`newsarchive dedupe`: recompute near-duplicate marks (duplicate_of) over the whole archive."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from typing import Any

from archive import neardup
from archive.lock import CrawlLock
from crawler.commands import add_db, add_json, open_archive, print_json


def add_parser(sub: Any) -> None:
    p = sub.add_parser("dedupe", help="mark near-duplicate articles (syndicated copies, republished stories)",
                       description="MinHash of 5-word shingles of each article's body, LSH candidates, then "
                       "Jaccard or containment >= 0.8 sets duplicate_of to the earlier article. Nothing is "
                       "deleted; search and export hide duplicates with --no-duplicates. Refused (exit 75) while a crawl "
                       "writes to the archive.")
    add_db(p)
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    open_archive(args.db).close()  # a clear error for a missing archive, before the lock would create the file
    with CrawlLock(args.db), open_archive(args.db, write=True) as archive:
        try:
            near = neardup.rebuild(archive.db)
        except sqlite3.OperationalError as exc:  # a crawl holds the write lock longer than busy_timeout
            print(f"newsarchive: cannot update {args.db}: {exc}; nothing was changed", file=sys.stderr)
            return 1
        pairs = archive.db.execute("SELECT key, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL "
                                   "ORDER BY duplicate_of, key").fetchall()
    if args.json:
        print_json({"near_duplicates": near, "duplicates": [{"key": k, "duplicate_of": d} for k, d in pairs]})
        return 0
    for art_key, original in pairs:
        print(f"{art_key}  duplicate of  {original}")
    print(f"{len(pairs)} article(s) marked as duplicates ({near} by near-duplicate text)")
    return 0
