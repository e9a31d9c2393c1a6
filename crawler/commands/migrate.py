"""`newsarchive migrate`: bring an archive made by an older newsarchive to this one's schema and views."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archive.lock import CrawlLock
from archive.schema import SCHEMA_VERSION
from archive.store import Archive
from crawler.commands import UsageError, add_db, add_json, print_json


def add_parser(sub: Any) -> None:
    p = sub.add_parser("migrate", help="upgrade an archive's schema and views to this newsarchive",
                       description="Reading commands (search, stats, export, serve, ...) open the archive read-only "
                       "and never change it; an archive made by an older newsarchive is upgraded here (or by the "
                       "next crawl). Refused (exit 75) while a crawl writes to it.")
    add_db(p)
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not Path(args.db).is_file():  # checked before the lock, which would create the file
        raise UsageError(f"no archive at {args.db} (crawl first, or pass --db PATH)")
    with CrawlLock(args.db), Archive(args.db) as archive:
        version = archive.db.execute("PRAGMA user_version").fetchone()[0]
    if args.json:
        print_json({"db": args.db, "schema": version})
    else:
        print(f"archive {args.db} is at schema {version} (this newsarchive: {SCHEMA_VERSION})", file=sys.stderr)
    return 0
