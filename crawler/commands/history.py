"""`newsarchive history`: an article's versions and events, by key or by any of its URLs."""

from __future__ import annotations

import argparse
from typing import Any

from archive import history as histories
from archive.store import Archive
from crawler.commands import UsageError, add_db, add_json, open_archive, print_json
from crawler.commands.siteinfo import url_identity


def add_parser(sub: Any) -> None:
    p = sub.add_parser("history", help="an article's versions and events (fetches, deletions, blocks)",
                       description="KEY|URL: an article key, its numeric id, or any URL of it: the real site's "
                       "under any URL generation, slug or edition alias, or a local mirror's (--base-url) URL. "
                       "A page that was fetched but never archived (only ever blocked or failed) shows its "
                       "fetches.")
    add_db(p)
    p.add_argument("article", metavar="KEY|URL", help="an article key (kurdistan24:ar:100001) or any URL of it")
    add_json(p)
    p.set_defaults(run=run)


def url_to_key(archive: Archive) -> Any:
    """The site model's URL -> identity function for the sites in this archive, mirrors included."""
    sites = [r[0] for r in archive.db.execute("SELECT DISTINCT site FROM articles UNION SELECT DISTINCT site "
                                              "FROM crawls WHERE site IS NOT NULL AND site != ''")]

    mirrors = [r[0] for r in archive.db.execute("SELECT DISTINCT base_url FROM crawls WHERE base_url IS NOT NULL")]

    def lookup(url: str) -> str | None:
        keys = url_identity(url, sites, mirrors)
        for key in keys:
            if archive.db.execute("SELECT 1 FROM articles WHERE key = ? UNION ALL SELECT 1 FROM fetches "
                                  "WHERE article_key = ? LIMIT 1", [key, key]).fetchone():
                return key
        return keys[0] if keys else None

    return lookup


def resolve(archive: Archive, ref: str) -> str:
    """The archived article `ref` names; UsageError (exit 2) when there is none."""
    key = histories.resolve(archive.db, ref, url_to_key(archive))
    if key is None:
        fetched = histories.resolve_fetched(archive.db, ref, url_to_key(archive))
        if fetched is not None:
            raise UsageError(f"{fetched} was fetched but never archived: no versions (`newsarchive history {fetched}` "
                             "shows its fetches)")
        raise UsageError(f"no article {ref!r} in the archive")
    return key


def run(args: argparse.Namespace) -> int:
    if not args.article.strip():
        raise UsageError("history needs an article key (kurdistan24:ar:100001), id or URL")
    with open_archive(args.db) as archive:
        lookup = url_to_key(archive)
        key = histories.resolve(archive.db, args.article, lookup)
        if key is not None:
            data = histories.history(archive.db, key)
        else:
            fetched = histories.resolve_fetched(archive.db, args.article, lookup)
            if fetched is None:
                raise UsageError(f"no article {args.article!r} in the archive (nor any fetch of it)")
            data = histories.fetch_history(archive.db, fetched)
    if args.json:
        print_json(data)
    else:
        print(histories.format_history(data))
    return 0
