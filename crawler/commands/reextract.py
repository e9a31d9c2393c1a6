"""`newsarchive reextract`: re-run the current extractor on stored pages; changes are re-extractions, not edits."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.commands import add_db, add_json, open_archive, print_json


def add_parser(sub: Any) -> None:
    p = sub.add_parser("reextract", help="re-extract stored pages with the current extractor (no fetching)",
                       description="Each article's current version is extracted again from its stored raw HTML. "
                       "A different result becomes a new version marked as a re-extraction: never reported "
                       "as an edit by the publisher. Pages that no longer extract cleanly are left as they were.")
    add_db(p)
    p.add_argument("--since", metavar="DATE", help="only versions fetched at or after DATE (ISO 8601)")
    p.add_argument("--key", metavar="KEY", help="only this article")
    p.add_argument("--site", metavar="NAME|PATH", help="the site profile of the stored pages when it is not bundled "
                   "and not where the crawl found it (by default: the profile each crawl recorded)")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from crawler.reextract import reextract

    with open_archive(args.db):
        pass  # a clear error for a missing archive before any work

    def progress(counts: dict[str, int]) -> None:
        print(f"re-extracted {counts['pages']} pages: {counts['changed']} changed", file=sys.stderr)

    result = reextract(args.db, since=args.since, key=args.key, site=args.site, progress=None if args.json else progress)
    if args.json:
        print_json(result)
    else:
        print(f"re-extracted {result['pages']} pages with extractor {result['extractor_version']}: "
              f"{result['changed']} changed (new versions marked reextract), {result['unchanged']} unchanged, "
              f"{result['failed']} no longer extract (kept as they were)")
    return 0
