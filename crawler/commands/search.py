"""`newsarchive search`: Arabic-aware full-text search (analysed index), newest first or by relevance."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from archive import search as searches
from crawler.commands import UsageError, add_db, add_json, open_archive, print_json

BOLD, RESET = "\x1b[1;33m", "\x1b[0m"
URL_CHARS = 100


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "search", help="full-text search (Arabic-aware: clitics, suffixes, hamza, spellings, Sorani/Arabic names)",
        description="Search the current version of every article. A word also finds its inflected forms "
        "(الحكومة: الحكومات, حكومي, والحكومة), other spellings (كردستان: كوردستان; مسؤول: مسئول; ی/ي, ک/ك, ة/ه) "
        "and the Sorani or Arabic name of a place (هەولێر: أربيل). Exit 2 with a one-line message for a "
        "malformed query or an edition the archive does not have.")
    add_db(p)
    p.add_argument("query", help='words (all must match), "a phrase", OR, NOT/-word, word* (prefix), '
                   "title:word (titles only); NEAR and other field: prefixes are refused")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N results (default: 20)")
    p.add_argument("--sort", choices=searches.SORTS, default="date",
                   help="date: newest publication first (default: exact, and what a reader of news "
                   "expects); rank: matches in the title first, then in the lead, then the rest, newest "
                   "first within each")
    p.add_argument("--lang", "--edition", dest="lang", default=None, metavar="EDITION", help="only this edition (ar, ckb, ...)")
    p.add_argument("--title-only", action="store_true", help="match every word in titles only")
    p.add_argument("--since", default=None, metavar="YYYY-MM-DD",
                   help="published on or after this day (first seen, when no date was published)")
    p.add_argument("--until", default=None, metavar="YYYY-MM-DD", help="published on or before this day")
    p.add_argument("--no-duplicates", action="store_true", help="hide copies of earlier articles (duplicate_of)")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                   help="highlight matched words in bold colour (auto: on a terminal; otherwise [word])")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    with open_archive(args.db) as archive:
        if args.lang is not None:
            searches.check_edition(archive.db, args.lang)
        results = searches.search(archive.db, args.query, limit=args.limit, edition=args.lang,
                                  title_only=args.title_only, since=args.since, until=args.until,
                                  no_duplicates=args.no_duplicates, sort=args.sort)
    if args.json:
        print_json(results)
        return 0
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    before, after = (BOLD, RESET) if color else ("[", "]")
    for r in results:
        print(format_result(r, before, after))
    print(f"{len(results)} result(s)", file=sys.stderr)
    return 0


def format_result(r: dict[str, Any], before: str, after: str) -> str:
    """Four lines and a blank one: title, where and when, the readable URL, the snippet."""
    status = "" if r.get("status", "live") == "live" else f"  [{r['status']}]"
    url = r["url_display"]
    if len(url) > URL_CHARS:
        url = url[:URL_CHARS - 1] + "…"
    title = searches.marked(r["title"] or "", r["title_highlights"], before, after)
    snippet = searches.marked(r["snippet"], r["highlights"], before, after)
    when = (r.get("published_at") or "")[:16].replace("T", " ")
    where = " · ".join(part for part in (r["edition_name"], when, r["key"]) if part)
    return f"{title}\n  {where}{status}\n  {url}\n  {snippet}\n"
