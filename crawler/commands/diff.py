"""`newsarchive diff`: a word-level diff between two versions of an article."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from archive import diff as diffs
from archive import history as histories
from crawler.commands import UsageError, add_db, add_json, open_archive, print_json
from crawler.commands.history import resolve


def add_parser(sub: Any) -> None:
    p = sub.add_parser("diff", help="word-level diff between two versions of an article")
    add_db(p)
    p.add_argument("article", metavar="KEY|URL", help="an article key or any URL of it")
    p.add_argument("--from", dest="from_version", type=int, default=None, metavar="N",
                   help="older version (default: the one before --to)")
    p.add_argument("--to", dest="to_version", type=int, default=None, metavar="M",
                   help="newer version (default: the latest)")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto", help="colour output")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_archive(args.db) as archive:
        key = resolve(archive, args.article)
        article = histories.history(archive.db, key)["article"]
        to_v = args.to_version or article["current_version"]
        from_v = args.from_version or (to_v - 1)
        old = histories.get_version(archive.db, key, from_v) if from_v >= 1 else None
        new = histories.get_version(archive.db, key, to_v)
        if old is None or new is None or from_v >= to_v:
            have = article["version_count"]
            raise UsageError(f"{key} has {have} version(s); cannot diff {from_v} -> {to_v}")
        result = diffs.diff_versions(old, new)
    if args.json:
        print_json({"key": key, "from": from_v, "to": to_v, "diff": result})
        return 0
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    print(f"{key}: version {from_v} -> {to_v}")
    print(diffs.format_diff(result, color=color))
    return 0
