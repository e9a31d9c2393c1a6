"""`newsarchive extract`: the fields of saved pages as the archive would store them (how profile authors try a page)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.commands import UsageError

def add_parser(sub: Any) -> None:
    p = sub.add_parser("extract", help="print the fields extracted from saved pages (no archive, no fetching)",
                       description="Each FILE (or - for stdin) goes through the crawl's own path: challenge check, "
                       "the site's layouts, the generic layers, health check, paragraph dedupe and cleaning. "
                       "Exit 1 when a page gives no article (its `error` says why).")
    p.add_argument("files", nargs="+", metavar="FILE", help="saved HTML pages; - reads one page from stdin")
    p.add_argument("--site", default=None, metavar="NAME|generic|PATH.toml",
                   help="site profile (default: NEWSARCHIVE_SITE's default); generic: no profile at all")
    p.add_argument("--url", default=None, help="the URL the page was fetched from (identity, relative links, "
                   "URL generation); default: the site's home page")
    p.add_argument("--fetched-at", default=None, metavar="ISO8601", help="when the page was fetched (relative "
                   "dates, the layout valid then); default: now")
    p.add_argument("--json-lines", action="store_true", help="one JSON object a line (default: indented JSON)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from crawler.process import Page, page_record
    from crawler.settings import NEWSARCHIVE_SITE
    from crawler.site import GENERIC, load_site

    name = args.site or NEWSARCHIVE_SITE
    site = load_site(GENERIC, base_url=args.url or "https://example.invalid/") if name == GENERIC else load_site(name)
    url = args.url or site.site_url + "/"
    fetched_at = _when(args.fetched_at)
    pages = [(f, _read(f)) for f in args.files]  # every file readable, or exit 2 before any output
    failed = 0
    records = []
    for file, body in pages:
        record = {"file": file, **page_record(Page(url=url, status=200, body=body, fetched_at=fetched_at), site)}
        failed += "error" in record
        records.append(record)
        if args.json_lines:
            print(json.dumps(record, ensure_ascii=False), flush=True)
    if not args.json_lines:
        json.dump(records[0] if len(records) == 1 else records, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    return 1 if failed else 0


def _read(file: str) -> bytes:
    if file == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(file).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {file}: {exc.strerror or exc}") from None


def _when(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--fetched-at {value!r}: expected an ISO 8601 date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
