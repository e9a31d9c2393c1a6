"""`newsarchive report`: a self-contained HTML report of the archive (charts, most-edited articles, diffs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archive.report import write_report
from crawler.commands import UsageError, add_db, add_json, open_archive, print_json


def add_parser(sub: Any) -> None:
    p = sub.add_parser("report", help="write a self-contained HTML report (charts, most-edited articles, diffs)",
                       description="One HTML file that opens offline in any browser, right to left: articles and "
                       "edits per day, time from publication to first edit, crawl health, the most edited "
                       "articles and their diffs.")
    add_db(p)
    p.add_argument("-o", "--output", default="report.html", metavar="FILE", help="output file (default: report.html)")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_archive(args.db) as archive:
        try:
            data = write_report(archive.db, args.output, source=Path(args.db).name)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    if args.json:
        print_json({"output": args.output, "summary": data["summary"],
                    "most_edited": [r["key"] for r in data["most_edited"]]})
    else:
        print(f"report written to {args.output}", file=sys.stderr)
    return 0
