"""`newsarchive stats`: what the archive holds."""

from __future__ import annotations

import argparse
from typing import Any

from archive import stats as archive_stats
from crawler.commands import add_db, add_json, open_archive, print_json


def add_parser(sub: Any) -> None:
    p = sub.add_parser("stats", help="what the archive holds")
    add_db(p)
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_archive(args.db) as archive:
        data = archive_stats.stats(archive.db)
    if args.json:
        print_json(data)
    else:
        print(archive_stats.format_stats(data))
    return 0
