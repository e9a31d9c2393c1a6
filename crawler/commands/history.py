"""`newsarchive history`: an article's versions and events, by key or by any of its URLs."""

from __future__ import annotations

import argparse
from typing import Any

from archive import history as histories
from archive.store import Archive
from crawler.commands import UsageError, add_db, add_json, open_archive, print_json


def add_parser(sub: Any) -> None:
    p = sub.add_parser("history", help="an article's versions and events (fetches, deletions, blocks)")
    add_db(p)
    p.add_argument("article", metavar="KEY|URL", help="an article key (kurdistan24:ar:100001) or any URL of it")
    add_json(p)
    p.set_defaults(run=run)


def resolve(archive: Archive, ref: str) -> str:
    key = histories.resolve(archive.db, ref)
    if key is None:
        raise UsageError(f"no article {ref!r} in the archive")
    return key


def run(args: argparse.Namespace) -> int:
    with open_archive(args.db) as archive:
        data = histories.history(archive.db, resolve(archive, args.article))
    if args.json:
        print_json(data)
    else:
        print(histories.format_history(data))
    return 0
