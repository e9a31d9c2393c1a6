"""`newsarchive search`: Arabic-aware full-text search over the archive's key layer."""

from __future__ import annotations

import argparse
import sys
from typing import Any
from urllib.parse import unquote

from archive import search as searches
from crawler.commands import UsageError, add_db, add_json, open_archive, print_json


def add_parser(sub: Any) -> None:
    p = sub.add_parser("search", help="full-text search (Arabic-aware: clitics, hamza, harakat, digits)",
                       description="Search the current version of every article. Exit 2 with a one-line "
                       "message for a malformed query.")
    add_db(p)
    p.add_argument("query", help='words (all must match), "a phrase", OR, NOT/-word, title:word (titles only)')
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N results (default: 20)")
    p.add_argument("--lang", "--edition", dest="lang", default=None, metavar="EDITION", help="only this edition")
    p.add_argument("--title-only", action="store_true", help="match every word in titles only")
    p.add_argument("--since", default=None, metavar="YYYY-MM-DD",
                   help="published on or after this day (first seen, when no date was published)")
    p.add_argument("--until", default=None, metavar="YYYY-MM-DD", help="published on or before this day")
    p.add_argument("--no-duplicates", action="store_true", help="hide copies of earlier articles (duplicate_of)")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    with open_archive(args.db) as archive:
        results = searches.search(archive.db, args.query, limit=args.limit, edition=args.lang,
                                  title_only=args.title_only, since=args.since, until=args.until,
                                  no_duplicates=args.no_duplicates)
    if args.json:
        print_json(results)
        return 0
    for r in results:
        status = "" if r.get("status", "live") == "live" else f"  [{r['status']}]"
        print(f"{r['key']}  {r.get('published_at') or ''}{status}\n  {r['title']}\n  {unquote(r['url'] or '')}\n"
              f"  {r.get('snippet', '')}\n")
    print(f"{len(results)} result(s)", file=sys.stderr)
    return 0
