"""`newsarchive edits`: what publishers changed, when, and how much; `--suspect` for held-back extractions."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from typing import Any

from archive.edits import list_edits, list_suspects
from crawler.commands import add_db, add_json, open_archive, print_json
from crawler.commands.validate import check_edition, check_range, parse_date_arg


def add_parser(sub: Any) -> None:
    p = sub.add_parser("edits", help="list edits (new versions) seen in a time window",
                       description="Edits by publishers, oldest first. Re-extractions are not edits and are not "
                       "listed. --suspect lists extractions the false-edit guard held back instead.")
    add_db(p)
    p.add_argument("--since", metavar="DATE", help="seen at or after DATE: YYYY-MM-DD, or a time "
                   "YYYY-MM-DDTHH:MM[+03:00] (UTC when no offset is given)")
    p.add_argument("--until", metavar="DATE", help="seen on or before DAY (the whole day, as export and search "
                   "read it), or before a time")
    p.add_argument("--lang", "--edition", dest="lang", metavar="EDITION", help="only this edition (ar, ckb, ...)")
    p.add_argument("--suspect", action="store_true", help="list held-back (suspect) extractions instead")
    add_json(p)
    p.set_defaults(run=run)


def end_of(until: str | None) -> str | None:
    """The exclusive bound for --until: a day includes all of it (2026-11-01 -> before 2026-11-02)."""
    if until is None or len(until) != 10:
        return until
    return (date.fromisoformat(until) + timedelta(days=1)).isoformat()


def run(args: argparse.Namespace) -> int:
    since, until = parse_date_arg(args.since, "--since"), parse_date_arg(args.until, "--until")
    check_range(since, until)
    until = end_of(until)
    with open_archive(args.db) as archive:
        lang = check_edition(archive.db, args.lang)
        if args.suspect:
            rows = list_suspects(archive.db, since, until)
            if lang:  # a suspect's key names its edition (site:edition:id)
                rows = [r for r in rows if r["key"].split(":")[1:2] == [lang]]
        else:
            rows = list_edits(archive.db, since, until, lang)
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        if args.suspect:
            state = r["resolution"] or "held"
            print(f"{r['fetched_at']}  {r['key']}  [{state}]  {r['reason']}\n    {r['title'] or ''}")
        else:
            kinds = ", ".join(r["kinds"]) or "?"
            print(f"{r['fetched_at']}  {r['key']}  v{r['version']}  {kinds}  "
                  f"+{r['words']['inserted']} -{r['words']['deleted']} words\n    {r['title']}")
    print(f"{len(rows)} {'suspect extraction' if args.suspect else 'edit'}(s)")
    return 0
