"""The `newsarchive` commands, one module each; cli.py builds the parser from their `add_parser`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from archive.store import Archive


class UsageError(Exception):
    """A setup problem the user can fix (unknown site, bad URL, unwritable DB): exit 2, one line."""


def add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=None, metavar="PATH",
                   help="SQLite archive (default: $NEWSARCHIVE_DB or ./newsarchive.db)")


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON for scripts instead of text")


def print_json(data: Any, out: TextIO | None = None) -> None:
    out = out or sys.stdout  # looked up now, not at import: a redirected stdout is honoured
    json.dump(data, out, ensure_ascii=False, indent=2, default=str)
    out.write("\n")


DEMO_DB = "newsarchive-demo.db"


def open_archive(db: str, must_exist: bool = True, write: bool = False) -> Archive:
    """The archive for a command: read-only (`mode=ro`, never migrated or changed) unless `write`."""
    if must_exist and not Path(db).is_file():
        if db == "newsarchive.db" and Path(DEMO_DB).is_file():
            # The first thing a new user runs after `newsarchive demo` is a README example without --db.
            raise UsageError(f"no archive at {db} (the demo's is {DEMO_DB}: pass --db {DEMO_DB} "
                             f"or set NEWSARCHIVE_DB={DEMO_DB})")
        raise UsageError(f"no archive at {db} (crawl first, or pass --db PATH)")
    return Archive(db, readonly=not write)
