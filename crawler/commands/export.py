"""`newsarchive export`: article versions as JSON Lines, CSV or Parquet; raw pages as WARC or files."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, TextIO

from archive import export as exports
from archive.atomicfile import atomic_open, atomic_path
from archive.filters import Filters
from crawler.commands import UsageError, add_db, add_json, open_archive, print_json
from crawler.commands.validate import check_edition, check_key, parse_date_arg

FORMATS = ["jsonl", "csv", "parquet", "warc", "pages"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser("export", help="export articles as JSON Lines, CSV or Parquet, or raw pages as WARC or files",
                       description="jsonl, csv (UTF-8; --bom for spreadsheets) and parquet (pip install "
                       "'newsarchive[parquet]') hold the text; warc (pip install 'newsarchive[warc]') holds every "
                       "stored page as fetched, for replay tools; pages writes them as files into the folder -o. "
                       "A file -o is written under a temporary name and renamed when complete: a stopped "
                       "export leaves the earlier file as it was. CSV cells starting with = + - @ get a leading ' "
                       "(not run as formulas).")
    add_db(p)
    p.add_argument("--format", choices=FORMATS, default="jsonl", help="output format (default: jsonl)")
    p.add_argument("--all-versions", action="store_true", help="every version, not only the latest of each article "
                   "(warc and pages always export every version)")
    p.add_argument("-o", "--output", default="-", metavar="FILE", help="output file, or folder for pages "
                   "(default: standard output; parquet and pages need -o)")
    p.add_argument("--since", default=None, metavar="YYYY-MM-DD", help="articles published on or after this day")
    p.add_argument("--until", default=None, metavar="YYYY-MM-DD", help="articles published on or before this day")
    p.add_argument("--lang", "--edition", dest="lang", default=None, metavar="EDITION",
                   help="only this edition (ar, ckb, ...)")
    p.add_argument("--key", action="append", default=[], metavar="KEY",
                   help="only this article (repeatable); a trailing * takes a prefix: kurdistan24:ckb:*")
    p.add_argument("--no-duplicates", action="store_true", help="leave out copies of earlier articles")
    p.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 byte order mark (for Excel)")
    p.add_argument("--keep-formulas", action="store_true", help="CSV: write cells starting with = + - @ as they "
                   "are (by default they get a leading ' so a spreadsheet shows them as text, not formulas)")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    since = parse_date_arg(args.since, "--since", time_ok=False)  # the same checks and words as every command
    until = parse_date_arg(args.until, "--until", time_ok=False)
    filters = Filters(since=since, until=until, edition=args.lang, keys=args.key,
                      no_duplicates=args.no_duplicates)
    if args.bom and args.format != "csv":
        raise UsageError("--bom applies to --format csv only")
    if args.keep_formulas and args.format != "csv":
        raise UsageError("--keep-formulas applies to --format csv only")
    if args.json and args.output == "-":
        raise UsageError("--json needs -o: without it the export itself goes to standard output")
    if args.format in ("parquet", "pages") and args.output == "-":
        raise UsageError(f"--format {args.format} needs -o {'FILE' if args.format == 'parquet' else 'FOLDER'}")
    with open_archive(args.db) as archive:
        filters.edition = check_edition(archive.db, args.lang)
        filters.keys = [check_key(archive.db, k, prefix_ok=True) for k in args.key]
        try:
            if args.format in ("warc", "pages"):
                counts = binary(args, archive.db, filters)
            else:
                records = exports.export_records(archive.db, all_versions=args.all_versions, filters=filters)
                counts = {"records": text(args, records)}
        except BrokenPipeError:
            # `export ... | head`: the reader has what it wanted. Point stdout at /dev/null so the
            # interpreter's final flush does not complain either.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    if args.json:
        print_json({"format": args.format, "output": args.output, **counts})
    elif args.output != "-":
        print(", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items())
              + f" written to {args.output}", file=sys.stderr)
    return 0


def text(args: argparse.Namespace, records: Any) -> int:
    if args.format == "parquet":
        from archive.export_parquet import write_parquet

        with atomic_path(args.output) as tmp:
            return write_parquet(records, tmp)
    # utf-8-sig writes the BOM that spreadsheet programs need to read UTF-8 CSV as UTF-8.
    encoding = "utf-8-sig" if args.bom else "utf-8"
    if args.output == "-":
        if args.bom:
            sys.stdout.write("\ufeff")
        return write(args.format, records, sys.stdout, args.keep_formulas)
    # A temporary file renamed over -o at the end: a killed export leaves the earlier file as it was.
    with atomic_open(args.output, "w", encoding=encoding, newline="") as out:
        return write(args.format, records, out, args.keep_formulas)


def binary(args: argparse.Namespace, db: Any, filters: Filters) -> dict[str, int]:
    if args.format == "pages":
        from archive.export_pages import write_pages

        return write_pages(db, args.output, filters, all_versions=True)
    from archive.export_warc import write_warc
    from archive.extras import require

    require("warcio", "warc", "WARC export")  # before -o is created, so a missing extra leaves no empty file
    if args.output == "-":
        return write_warc(db, sys.stdout.buffer, filters)
    with atomic_open(args.output, "wb") as out:
        return write_warc(db, out, filters, filename=args.output.rsplit("/", 1)[-1])


def write(fmt: str, records: Any, out: TextIO, keep_formulas: bool = False) -> int:
    if fmt == "csv":
        return exports.write_csv(records, out, keep_formulas=keep_formulas)
    return exports.write_jsonl(records, out)
