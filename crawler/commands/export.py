"""`newsarchive export`: article versions as JSON Lines or CSV."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from archive import export as exports
from crawler.commands import add_db, open_archive


def add_parser(sub: Any) -> None:
    p = sub.add_parser("export", help="export article versions as JSON Lines or CSV")
    add_db(p)
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="output format (default: jsonl)")
    p.add_argument("--all-versions", action="store_true", help="every version, not only the latest of each article")
    p.add_argument("-o", "--output", default="-", metavar="FILE", help="output file (default: standard output)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_archive(args.db) as archive:
        records = exports.export_records(archive.db, all_versions=args.all_versions)
        if args.output == "-":
            write(args.format, records, sys.stdout)
        else:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                count = write(args.format, records, out)
            print(f"{count} records written to {args.output}", file=sys.stderr)
    return 0


def write(fmt: str, records: Any, out: TextIO) -> int:
    writer = exports.write_jsonl if fmt == "jsonl" else exports.write_csv
    return int(writer(records, out) or 0)
