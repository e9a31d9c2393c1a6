"""The `newsarchive` command line: a thin shell over the crawl runner and the archive's functions."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from archive.errors import ArchiveError, QueryError
from crawler.profile import ProfileError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_DB = "newsarchive.db"


def default_db() -> str:
    return os.environ.get("NEWSARCHIVE_DB") or DEFAULT_DB


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=None, metavar="PATH",
                   help="SQLite archive (default: $NEWSARCHIVE_DB or ./newsarchive.db)")


def _add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON for scripts instead of text")


def _setting(value: str) -> tuple[str, str]:
    name, sep, val = value.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return name, val


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsarchive",
        description="Crawl Kurdistan24-style news sites into a versioned SQLite archive, and query it.",
        epilog="Exit codes: 0 done, 1 failed at run time, 2 usage or setup error.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("crawl", help="crawl a site into the archive and print what changed",
                       description="Discover new articles, recheck archived ones, and record new versions, "
                       "deletions, failures and blocks. Per-page failures are counted, not fatal (exit 0).")
    _add_db(p)
    p.add_argument("--site", default="kurdistan24", help="site profile name or path to a profile TOML "
                   "(default: kurdistan24)")
    p.add_argument("--lang", default=None, metavar="ar[,ckb,...]", help="editions to crawl (default: the "
                   "profile's default, ar)")
    p.add_argument("--base-url", default=None, metavar="URL", help="crawl a mirror or local copy: every link "
                   "to the site's own hosts is mapped onto this URL")
    p.add_argument("--max-pages", type=int, default=0, metavar="N", help="schedule at most N requests (0: no limit)")
    p.add_argument("--no-recheck", action="store_true", help="only discover; do not recheck archived articles")
    p.add_argument("-s", dest="settings", action="append", type=_setting, default=[], metavar="NAME=VALUE",
                   help="a Scrapy setting, as `scrapy crawl -s` (repeatable), e.g. -s AUTOTHROTTLE_ENABLED=0")
    p.add_argument("--local", action="store_true", help="settings for a local mirror: no AutoThrottle, "
                   "no delay, 32 concurrent requests (never use on a real site)")
    p.add_argument("--log-level", default="WARNING", help="Scrapy log level (default: WARNING)")
    _add_json(p)
    p.set_defaults(func="crawl")

    p = sub.add_parser("demo", help="serve the bundled demo site, crawl it twice (day 1, day 2), "
                       "and show what the second crawl found",
                       description="Runs offline on 127.0.0.1. Writes ./newsarchive-demo.db (recreated each run).")
    p.add_argument("--db", default="newsarchive-demo.db", metavar="PATH",
                   help="archive to (re)create (default: ./newsarchive-demo.db)")
    p.add_argument("--log-level", default="WARNING", help="Scrapy log level (default: WARNING)")
    _add_json(p)
    p.set_defaults(func="demo")

    p = sub.add_parser("export", help="export article versions as JSON Lines or CSV")
    _add_db(p)
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="output format (default: jsonl)")
    p.add_argument("--all-versions", action="store_true", help="every version, not only the latest of each article")
    p.add_argument("-o", "--output", default="-", metavar="FILE", help="output file (default: standard output)")
    p.set_defaults(func="export")

    p = sub.add_parser("search", help="full-text search (Arabic-aware: clitics, hamza, harakat, digits)")
    _add_db(p)
    p.add_argument("query", help='words (all must match), "a phrase", OR, NOT/-word')
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N results (default: 20)")
    p.add_argument("--lang", default=None, metavar="EDITION", help="only this edition")
    _add_json(p)
    p.set_defaults(func="search")

    p = sub.add_parser("history", help="an article's versions and events (fetches, deletions, blocks)")
    _add_db(p)
    p.add_argument("article", metavar="KEY|URL", help="an article key (kurdistan24:ar:100001) or any URL of it")
    _add_json(p)
    p.set_defaults(func="history")

    p = sub.add_parser("diff", help="word-level diff between two versions of an article")
    _add_db(p)
    p.add_argument("article", metavar="KEY|URL", help="an article key or any URL of it")
    p.add_argument("--from", dest="from_version", type=int, default=None, metavar="N",
                   help="older version (default: the one before --to)")
    p.add_argument("--to", dest="to_version", type=int, default=None, metavar="M",
                   help="newer version (default: the latest)")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto", help="colour output")
    _add_json(p)
    p.set_defaults(func="diff")

    p = sub.add_parser("stats", help="what the archive holds")
    _add_db(p)
    _add_json(p)
    p.set_defaults(func="stats")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "db", None) is None and hasattr(args, "db"):
        args.db = default_db()
    # Imported here so that `--help` answers without loading Scrapy.
    from crawler import commands

    try:
        return int(getattr(commands, args.func)(args))
    except (ArchiveError, QueryError, ProfileError, commands.UsageError) as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("newsarchive: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
