"""`newsarchive site`: check a site profile (every problem, by key) and list the bundled sites."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from crawler.commands import add_json, print_json


def add_parser(sub: Any) -> None:
    p = sub.add_parser("site", help="check a site profile, list the bundled sites",
                       description="Site profiles are TOML files (docs/sites.md). `site check` loads one the way a "
                       "crawl does and lists every problem by key; `site list` shows the bundled profiles.")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser("check", help="validate a profile: exit 0 when valid, 2 with every problem, one a line",
                               description="Unknown keys, wrong types, selectors and regexes that do not compile, "
                               "missing parts and layouts without fixture pages are problems.")
    check.add_argument("path", metavar="PATH.toml|NAME", help="a profile file, or a bundled site's name")
    add_json(check)
    check.set_defaults(run=run_check)
    fixture = actions.add_parser("fixture", help="file a saved page as a layout's fixture with its expected JSON",
                                 description="Copies PAGE into SITE/fixtures/LAYOUT/ beside the profile and writes "
                                 "its .expected.json from what extraction gives now. Review that file by eye: it is "
                                 "the contract `tests/test_sites.py` holds the layout to.")
    fixture.add_argument("site", metavar="PATH.toml|NAME", help="a profile file, or a bundled site's name")
    fixture.add_argument("page", metavar="PAGE.html", help="the saved page")
    fixture.add_argument("--url", required=True, help="the URL the page was fetched from")
    fixture.add_argument("--layout", default=None, help="the layout it shows (default: the current one)")
    fixture.add_argument("--fetched-at", default=None, metavar="ISO8601", help="when it was fetched (default: now)")
    fixture.add_argument("--name", default=None, help="file name in the fixture folder (default: PAGE's)")
    fixture.set_defaults(run=run_fixture)
    listing = actions.add_parser("list", help="the bundled site profiles", description="One line per bundled site: "
                                 "name, title, editions, layouts, and whether it was checked against the live site.")
    add_json(listing)
    listing.set_defaults(run=run_list)


def run_check(args: argparse.Namespace) -> int:
    from crawler.site import SiteError, read_site, site_file
    from crawler.site.fixtures import fixture_problems

    try:
        path = site_file(args.path)
    except SiteError as exc:
        problems, site = exc.problems, None
    else:
        site, problems = read_site(path)
        if site is not None:
            problems = fixture_problems(site)
    if args.json:
        print_json({"path": args.path, "valid": not problems, "problems": problems,
                    "site": site.name if site else None, "layouts": [lay.name for lay in site.layouts] if site else []})
    elif problems:
        for line in problems:
            print(line, file=sys.stderr)
    else:
        assert site is not None
        print(f"{path}: valid: site {site.name}, editions {', '.join(site.editions)}, "
              f"layouts {', '.join(lay.name for lay in site.layouts)}")
    return 2 if problems else 0


def run_fixture(args: argparse.Namespace) -> int:
    import shutil
    from datetime import UTC, datetime

    from crawler.commands import UsageError
    from crawler.site import load_site
    from crawler.site.fixtures import fixture_dir, write_expected

    site = load_site(args.site)
    layouts = [lay.name for lay in site.layouts]
    layout = args.layout or layouts[0]
    if layout not in layouts:
        raise UsageError(f"unknown layout {layout!r} for site {site.name} (known: {', '.join(layouts)})")
    page = Path(args.page)
    if not page.is_file():
        raise UsageError(f"cannot read {page}")
    when = args.fetched_at or datetime.now(UTC).isoformat(timespec="seconds")
    try:
        datetime.fromisoformat(when)
    except ValueError:
        raise UsageError(f"--fetched-at {when!r}: expected an ISO 8601 date-time") from None
    folder = fixture_dir(site, layout)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (args.name or page.name)
    target = target.with_suffix(".html")
    if target.resolve() != page.resolve():
        shutil.copyfile(page, target)
    expected = write_expected(target, site, args.url, when)
    print(f"{expected}: review it; the page was read by layout {json.loads(expected.read_text('utf-8'))['expected'].get('layout')}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from crawler.site import available_sites, load_site

    sites = []
    for name in available_sites():
        site = load_site(name)
        sites.append({"name": site.name, "title": site.title, "url": site.site_url, "editions": list(site.editions),
                      "default_editions": list(site.default_editions), "layouts": [lay.name for lay in site.layouts],
                      "verified": site.verified, "path": str(Path(site.source))})
    if args.json:
        print_json(sites)
    else:
        for s in sites:
            note = "" if s["verified"] else "  (unverified against the live site)"
            print(f"{s['name']:<14} {s['url']:<32} editions {','.join(s['editions'])}; layouts "
                  f"{','.join(s['layouts'])}{note}")
        print(f"{'generic':<14} {'(any site, --base-url)':<32} no profile: generic discovery and extraction")
    return 0
