"""`newsarchive reextract`: re-run the current extractor on stored pages; changes are re-extractions, not edits."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from archive.lock import CrawlLock
from crawler.commands import add_db, add_json, open_archive, print_json
from crawler.commands.validate import check_key, parse_date_arg


def add_parser(sub: Any) -> None:
    p = sub.add_parser("reextract", help="re-extract stored pages with the current extractor (no fetching)",
                       description="Each article's current version is extracted again from its stored raw HTML. "
                       "A different result becomes a new version marked as a re-extraction: never reported "
                       "as an edit by the publisher. Pages that no longer extract cleanly are left as they were. "
                       "The summary says, per field, on how many pages the new extraction gained, changed or lost "
                       "it compared with the stored version. Refused (exit 75) while a crawl writes to "
                       "the archive.")
    add_db(p)
    p.add_argument("--since", metavar="DATE", help="only versions fetched at or after DATE: YYYY-MM-DD or "
                   "YYYY-MM-DDTHH:MM[+03:00] (UTC when no offset is given)")
    p.add_argument("--key", metavar="KEY", help="only this article")
    p.add_argument("--site", metavar="NAME|PATH", help="the site profile of the stored pages when it is not bundled "
                   "and not where the crawl found it (by default: the profile each crawl recorded)")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from crawler.reextract import reextract

    since = parse_date_arg(args.since, "--since")
    open_archive(args.db).close()  # a clear error for a missing archive, before the lock would create the file
    # The lock a crawl takes: a re-extraction beside a crawl would decide versions from rows the crawl is
    # changing. Refused with exit 75 while one runs.
    with CrawlLock(args.db):
        with open_archive(args.db, write=True) as archive:  # a clear error for an unknown key before any work
            key = check_key(archive.db, args.key) if args.key is not None else None

        def progress(counts: dict[str, int]) -> None:
            print(f"re-extracted {counts['pages']} pages: {counts['changed']} changed", file=sys.stderr)

        result = reextract(args.db, since=since, key=key, site=args.site, progress=None if args.json else progress)
    if args.json:
        print_json(result)
    else:
        print(f"re-extracted {result['pages']} pages with extractor {result['extractor_version']}: "
              f"{result['changed']} changed (new versions marked reextract), {result['unchanged']} unchanged, "
              f"{result['failed']} no longer extract (kept as they were)")
        for line in field_lines(result["fields"]):
            print(line)
    return 0


def field_lines(fields: dict[str, dict[str, int]]) -> list[str]:
    """What the current extractor gives differently from the stored versions, per field."""
    if not fields:
        return []
    lines = ["what differs from the stored versions, in pages (dates are not content: a date alone makes no version):"]
    for name, kinds in fields.items():
        parts = [f"{n} {kind}" for kind, n in kinds.items() if n]
        lines.append(f"  {name:13} {', '.join(parts)}")
    return lines
