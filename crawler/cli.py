"""The `newsarchive` command line: a thin shell over the crawl runner and the archive's functions."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from archive.errors import ArchiveError, QueryError
from archive.lock import ArchiveLocked
from crawler.commands import UsageError
from crawler.site.errors import SiteError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: another crawl holds the archive; try again later

# One module per command under crawler/commands/, each with add_parser(sub) and run(args).
COMMANDS = ["crawl", "demo", "export", "search", "history", "diff", "edits", "reextract", "watch", "stats", "dedupe", "serve", "report",
            "site", "extract"]


def default_db() -> str:
    """The archive of every command when --db is not given: $NEWSARCHIVE_DB, else the setting's default."""
    from crawler.settings import NEWSARCHIVE_DB

    return os.environ.get("NEWSARCHIVE_DB") or NEWSARCHIVE_DB


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsarchive",
        description="Crawl Kurdistan24-style news sites into a versioned SQLite archive, and query it.",
        epilog="Exit codes: 0 done, 1 failed at run time, 2 usage or setup error, 75 another crawl holds the "
        "archive, 130 interrupted.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"crawler.commands.{name}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
