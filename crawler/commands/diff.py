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
    p = sub.add_parser("diff", help="word-level diff between two versions of an article",
                       description="Versions are numbered from 1; a negative number counts back from the latest "
                       "(-1 is the latest, -2 the one before).")
    add_db(p)
    p.add_argument("article", metavar="KEY|URL", help="an article key, its id, or any URL of it (a mirror's too)")
    p.add_argument("--from", dest="from_version", type=int, default=None, metavar="N",
                   help="older version (default: the one before --to)")
    p.add_argument("--to", dest="to_version", type=int, default=None, metavar="M",
                   help="newer version (default: the latest)")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto", help="colour output")
    add_json(p)
    p.set_defaults(run=run)


def version_number(value: int | None, option: str, count: int) -> int | None:
    """A version number as given (1..count), or counted back from the latest (-1 is the latest)."""
    if value is None:
        return None
    if value == 0:
        raise UsageError(f"{option} 0: versions are numbered from 1 (or -1 for the latest)")
    number = value if value > 0 else count + 1 + value
    if not 1 <= number <= count:
        raise UsageError(f"{option} {value}: the article has {count} version(s)")
    return number


def run(args: argparse.Namespace) -> int:
    with open_archive(args.db) as archive:
        key = resolve(archive, args.article)
        article = histories.history(archive.db, key)["article"]
        count = int(article["version_count"] or 0)
        to_v = version_number(args.to_version, "--to", count) or count
        from_v = version_number(args.from_version, "--from", count) or (to_v - 1)
        if from_v < 1:
            raise UsageError(f"{key} has only {count} version(s): nothing to diff")
        if from_v >= to_v:
            raise UsageError(f"--from must be an older version than --to: cannot diff {from_v} -> {to_v}")
        old = histories.get_version(archive.db, key, from_v)
        new = histories.get_version(archive.db, key, to_v)
        if old is None or new is None:
            raise UsageError(f"{key} has {count} version(s); cannot diff {from_v} -> {to_v}")
        result = diffs.diff_versions(old, new)
    if args.json:
        print_json({"key": key, "from": from_v, "to": to_v, "diff": result})
        return 0
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    print(f"{key}: version {from_v} -> {to_v}")
    print(diffs.format_diff(result, color=color))
    return 0
