"""What each `newsarchive` command does, once its arguments are parsed (see cli.py for the options)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from archive import diff as diffs
from archive import export as exports
from archive import history as histories
from archive import runs
from archive import search as searches
from archive import stats as archive_stats
from archive.store import Archive
from crawler.profile import ProfileError, load_profile


class UsageError(Exception):
    """A setup problem the user can fix (unknown site, bad URL, unwritable DB): exit 2, one line."""


def _print_json(data: Any, out: TextIO = sys.stdout) -> None:
    json.dump(data, out, ensure_ascii=False, indent=2, default=str)
    out.write("\n")


def _open(db: str, must_exist: bool = True) -> Archive:
    if must_exist and not Path(db).is_file():
        raise UsageError(f"no archive at {db} (crawl first, or pass --db PATH)")
    return Archive(db)


# --- crawl ---------------------------------------------------------------------------------------
def crawl(args: argparse.Namespace) -> int:
    from crawler.runner import LOCAL_MIRROR_SETTINGS, CrawlJob, build_settings, run_crawls

    profile = load_profile(args.site, base_url=args.base_url)  # ProfileError -> exit 2
    editions = profile.check_editions((args.lang or ",".join(profile.default_editions)).split(","))
    if args.max_pages < 0:
        raise UsageError("--max-pages must be 0 (no limit) or more")
    with Archive(args.db):  # fails early, with one line, when the DB cannot be opened or written
        pass
    overrides: dict[str, Any] = dict(LOCAL_MIRROR_SETTINGS) if args.local else {}
    overrides.update(dict(args.settings))
    job = CrawlJob(db=args.db, site=args.site, lang=",".join(editions), base_url=args.base_url,
                   max_pages=args.max_pages, recheck=not args.no_recheck)
    run_crawls([job], build_settings(overrides, args.log_level))
    return _report_crawls(args, [job])


def _report_crawls(args: argparse.Namespace, jobs: list[Any], labels: list[str] | None = None) -> int:
    reports = []
    with Archive(args.db) as archive:
        for job in jobs:
            crawl_id = job.stats.get("store/crawl_id")
            if crawl_id is None:
                print(f"newsarchive: the crawl did not start: {job.stats.get('finish_reason', 'unknown error')}",
                      file=sys.stderr)
                return 1
            report = runs.crawl_report(archive.db, crawl_id)
            report["scrapy_stats"] = {k: v for k, v in job.stats.items() if isinstance(v, (int, float, str))}
            reports.append(report)
    if args.json:
        _print_json(reports if len(reports) > 1 else reports[0])
    else:
        color = sys.stdout.isatty()
        for n, report in enumerate(reports):
            if labels:
                print(f"\n== {labels[n]} ==")
            print(runs.format_report(report, color=color))
    interrupted = any(r["crawl"]["outcome"] == "interrupted" for r in reports)
    return 130 if interrupted else 0


# --- demo ----------------------------------------------------------------------------------------
def demo(args: argparse.Namespace) -> int:
    from crawler.demo.server import DemoServer
    from crawler.runner import LOCAL_MIRROR_SETTINGS, CrawlJob, build_settings, run_crawls

    db = Path(args.db)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with DemoServer(day=1) as server:
        if not args.json:
            print(f"demo site on {server.base_url} (day 1); archive {db}")
        day1 = CrawlJob(db=str(db), base_url=server.base_url, lang="ar,ckb")
        day2 = CrawlJob(db=str(db), base_url=server.base_url, lang="ar,ckb", before=lambda: server.set_day(2))
        run_crawls([day1, day2], build_settings(LOCAL_MIRROR_SETTINGS, args.log_level))
    return _report_crawls(args, [day1, day2], ["day 1: first crawl", "day 2: the next day's crawl"])


# --- read side -----------------------------------------------------------------------------------
def export(args: argparse.Namespace) -> int:
    with _open(args.db) as archive:
        records = exports.export_records(archive.db, all_versions=args.all_versions)
        out: TextIO
        if args.output == "-":
            out = sys.stdout
            count = _write(args.format, records, out)
        else:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                count = _write(args.format, records, out)
            print(f"{count} records written to {args.output}", file=sys.stderr)
    return 0


def _write(fmt: str, records: Any, out: TextIO) -> int:
    writer = exports.write_jsonl if fmt == "jsonl" else exports.write_csv
    return int(writer(records, out) or 0)


def search(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    with _open(args.db) as archive:
        results = searches.search(archive.db, args.query, limit=args.limit, edition=args.lang)
    if args.json:
        _print_json(results)
        return 0
    for r in results:
        print(f"{r['key']}  {r.get('published_at') or ''}\n  {r['title']}\n  {r['url']}\n  {r.get('snippet', '')}\n")
    print(f"{len(results)} result(s)", file=sys.stderr)
    return 0


def _resolve(archive: Archive, ref: str) -> str:
    key = histories.resolve(archive.db, ref)
    if key is None:
        raise UsageError(f"no article {ref!r} in the archive")
    return key


def history(args: argparse.Namespace) -> int:
    with _open(args.db) as archive:
        data = histories.history(archive.db, _resolve(archive, args.article))
    if args.json:
        _print_json(data)
    else:
        print(histories.format_history(data))
    return 0


def diff(args: argparse.Namespace) -> int:
    with _open(args.db) as archive:
        key = _resolve(archive, args.article)
        article = histories.history(archive.db, key)["article"]
        to_v = args.to_version or article["current_version"]
        from_v = args.from_version or (to_v - 1)
        old = histories.get_version(archive.db, key, from_v)
        new = histories.get_version(archive.db, key, to_v)
        if old is None or new is None or from_v >= to_v:
            have = article["version_count"]
            raise UsageError(f"{key} has {have} version(s); cannot diff {from_v} -> {to_v}")
        result = diffs.diff_versions(old, new)
    if args.json:
        _print_json({"key": key, "from": from_v, "to": to_v, "diff": result})
        return 0
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    print(f"{key}: version {from_v} -> {to_v}")
    print(diffs.format_diff(result, color=color))
    return 0


def stats(args: argparse.Namespace) -> int:
    with _open(args.db) as archive:
        data = archive_stats.stats(archive.db)
    if args.json:
        _print_json(data)
    else:
        print(archive_stats.format_stats(data))
    return 0


__all__ = ["ProfileError", "UsageError", "crawl", "demo", "diff", "export", "history", "search", "stats"]
