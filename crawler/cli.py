"""The `newsarchive` command line: a thin shell over the crawl runner and the archive's functions."""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from archive.errors import ArchiveError, QueryError
from archive.lock import ArchiveLocked
from crawler.commands import UsageError
from crawler.site.errors import SiteError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: another crawl holds the archive; try again later

# One module per command under crawler/commands/, each with add_parser(sub) and run(args).
COMMANDS = ["crawl", "backfill", "demo", "export", "search", "history", "diff", "edits", "reextract", "watch", "stats",
            "dedupe", "serve", "report", "migrate", "site", "extract", "ingest", "cluster"]


def default_db() -> str:
    """The archive of every command when --db is not given: $NEWSARCHIVE_DB, else the setting's default."""
    from crawler.settings import NEWSARCHIVE_DB

    return os.environ.get("NEWSARCHIVE_DB") or NEWSARCHIVE_DB


class Parser(argparse.ArgumentParser):
    """A usage mistake is one line and exit 2, like every other error (subcommands' parsers inherit this)."""

    def error(self, message: str) -> NoReturn:
        typo = re.match(r"argument COMMAND: invalid choice: '([^']*)'", message)
        if typo:
            close = difflib.get_close_matches(typo.group(1), COMMANDS, n=1)
            message = f"unknown command '{typo.group(1)}'" + (f"; did you mean '{close[0]}'?" if close else "")
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def version_text() -> str:
    """`newsarchive 0.1.0`, and what a bug report needs: the Python, Scrapy and SQLite versions."""
    import platform
    import sqlite3
    from importlib import metadata

    def installed(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return (f"newsarchive {installed('newsarchive')} (Python {platform.python_version()}, "
            f"Scrapy {installed('scrapy')}, SQLite {sqlite3.sqlite_version})")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="newsarchive",
        description="Crawl Kurdistan24-style news sites into a versioned SQLite archive, and query it.",
        epilog="Exit codes: 0 done, 1 failed at run time, 2 usage or setup error, 75 another crawl holds the "
        "archive, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=version_text())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"crawler.commands.{name}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()  # imports every command: a second or so in which Ctrl-C is likely
    except KeyboardInterrupt:
        print("newsarchive: interrupted", file=sys.stderr)
        return 130
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        parser.print_help(sys.stderr)  # what `git` does: the list of commands, not "COMMAND is required"
        return EXIT_USAGE
    args = parser.parse_args(argv)
    if hasattr(args, "db") and args.db is None:
        args.db = default_db()
    try:
        return int(args.run(args))
    except ArchiveLocked as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except (ArchiveError, QueryError, SiteError, UsageError) as exc:
        print(f"newsarchive: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("newsarchive: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
