"""`newsarchive search`: Arabic-aware full-text search over the archive's key layer."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from archive import search as searches
from crawler.commands import UsageError, add_db, add_json, open_archive, print_json


def add_parser(sub: Any) -> None:
    p = sub.add_parser("search", help="full-text search (Arabic-aware: clitics, hamza, harakat, digits)")
    add_db(p)
    p.add_argument("query", help='words (all must match), "a phrase", OR, NOT/-word')
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N results (default: 20)")
    p.add_argument("--lang", default=None, metavar="EDITION", help="only this edition")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    with open_archive(args.db) as archive:
        results = searches.search(archive.db, args.query, limit=args.limit, edition=args.lang)
    if args.json:
        print_json(results)
        return 0
    for r in results:
        print(f"{r['key']}  {r.get('published_at') or ''}\n  {r['title']}\n  {r['url']}\n  {r.get('snippet', '')}\n")
    print(f"{len(results)} result(s)", file=sys.stderr)
    return 0
