"""`python -m benchmarks.run --n 2000 [--json out.json] [--quick]`: every performance figure, with its baseline."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import cluster, measure, report, scale, searchbench
from benchmarks.measure import PROFILE, cli, run_process
from benchmarks.server import BenchServer, measure_rate
from benchmarks.sitegen import Site

# A local mirror: no AutoThrottle, no delay, high concurrency. Never on a real site (the polite
# defaults in crawler/settings.py are for that). CONCURRENT_ITEMS: Scrapy starts that many asyncio
# tasks for every response's output (default 100, for pages that yield one item); 8 is plenty here.
MIRROR_SETTINGS = ["AUTOTHROTTLE_ENABLED=0", "DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS=64",
                   "CONCURRENT_REQUESTS_PER_DOMAIN=64", "CONCURRENT_ITEMS=8"]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def crawl(base_url: str, db: str, *extra: str) -> tuple[dict[str, Any], measure.Finished]:
    args = ["crawl", "--site", PROFILE, "--base-url", base_url, "--db", db, "--json", "--log-level", "WARNING"]
    for setting in MIRROR_SETTINGS:
        args += ["-s", setting]
    done = run_process(cli(*args, *extra))
    if done.returncode != 0:
        raise RuntimeError(f"crawl failed ({done.returncode}): {done.stderr[-2000:]}")
    result = json.loads(done.stdout)
    return (result[-1] if isinstance(result, list) else result), done


def recheck_all_args() -> list[str]:
    """`--recheck all` once the crawl command has it (the edit-tracking change); nothing before."""
    help_text = run_process(cli("crawl", "--help")).stdout
    return ["--recheck", "all"] if "--recheck" in help_text else []


def versions(db: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM versions").fetchone()[0])
    finally:
        conn.close()


def extraction(n: int, sample: int) -> dict[str, Any]:
    from benchmarks.sitegen import sample_pages

    pages = sample_pages(n, count=sample)
    # Extraction + cleaning is what reextract runs on a stored page; a crawl also runs the challenge
    # check on the raw text first (timed on its own, and together as the crawl's per-page path).
    fns = {"ours": measure.our_path(challenge_check=False), "crawl_path": measure.our_path(),
           "parse": measure.lxml_parse()}
    traf_fn = measure.trafilatura_extract()
    if traf_fn:
        fns["trafilatura"] = traf_fn
    ms = measure.interleaved(fns, pages)
    ours, crawl_path, parse, traf = ms["ours"], ms["crawl_path"], ms["parse"], ms.get("trafilatura")
    return {"pages": len(pages), "mean_page_kb": sum(map(len, pages)) / len(pages) / 1024, "ours_ms": ours,
            "with_challenge_check_ms": crawl_path, "lxml_parse_ms": parse, "trafilatura_ms": traf,
            "ratio_vs_parse": ours / parse, "speedup_vs_trafilatura": traf / ours if traf else None}


def crawl_figures(site: Site, work: Path, recheck: list[str]) -> dict[str, Any]:
    """First crawl, no-op baseline, rerun of the unchanged site, then a crawl after 2% of articles changed."""
    out: dict[str, Any] = {}
    db = str(work / "crawl.db")
    with BenchServer(site.n, seed=site.seed, prewarm=True) as srv:
        rate = measure_rate(srv.base_url, [site.path(i) for i in range(min(site.n, 4000))])
        srv.reset()
        log(f"server {rate:,.0f} pages/s; first crawl of {site.n} articles")
        first, done = crawl(srv.base_url, db)
        c, stats = first["crawl"], first["scrapy_stats"]
        elapsed = float(stats["elapsed_time_seconds"])
        out["crawl"] = {"pages_archived": c["new_articles"], "failed": c["failed"], "elapsed_s": elapsed,
                        "wall_s": done.wall_s, "rate_pages_s": c["new_articles"] / elapsed,
                        "settings": MIRROR_SETTINGS, "responses": stats.get("response_received_count")}
        out["memory"] = {"n": site.n, "peak_rss_mb": done.peak_rss_mb}
        out["archive"] = measure.archive_sizes(db)
        log("no-op spider over the same site")
        noop = run_process([sys.executable, "-m", "benchmarks.noop", "--site", PROFILE, "--base-url", srv.base_url,
                            "--db", str(work / "noop.db"), *[a for s in MIRROR_SETTINGS for a in ("-s", s)]])
        if noop.returncode != 0:
            raise RuntimeError(f"no-op crawl failed: {noop.stderr[-2000:]}")
        nstats = json.loads(noop.stdout)
        noop_rate = nstats.get("noop/articles", 0) / float(nstats["elapsed_time_seconds"])
        out["crawl"].update(noop_rate_pages_s=noop_rate, noop_elapsed_s=nstats["elapsed_time_seconds"],
                            ratio_vs_noop=out["crawl"]["rate_pages_s"] / noop_rate)
        out["server"] = {"rate_pages_s": rate, "headroom_vs_noop": rate / noop_rate}

        log("rerun of the unchanged site " + " ".join(recheck))
        before = versions(db)
        srv.reset()
        second, done2 = crawl(srv.base_url, db, *recheck)
        s2 = srv.stats()
        e2 = float(second["scrapy_stats"]["elapsed_time_seconds"])
        out["rerun"] = {"elapsed_s": e2, "wall_s": done2.wall_s, "fraction_of_first": e2 / elapsed,
                        "wall_fraction_of_first": done2.wall_s / done.wall_s, "article_fetches": s2["articles"],
                        "answered_304": s2["article_304"], "conditional_requests": s2["conditional"],
                        "fraction_304": s2["article_304"] / max(1, s2["articles"]),
                        "versions_added": versions(db) - before, "recheck_args": recheck}

        log(f"{len(site.edited)} articles edited; crawl again")
        srv.set_edited(True)
        srv.reset()
        third, _ = crawl(srv.base_url, db, *recheck)
        s3 = srv.stats()
        expected = set(site.edited_keys())
        found = {row["key"] for row in third.get("version") or []}
        out["edits"] = {"edited": len(expected), "found": len(found & expected),
                        "missed": sorted(expected - found), "spurious": sorted(found - expected),
                        "exact": found == expected, "answered_304": s3["article_304"],
                        "article_fetches": s3["articles"]}
        srv.set_edited(False)
    out["reextract"] = reextract_figures(db, work)
    return out


def reextract_figures(db: str, work: Path) -> dict[str, Any]:
    """What `newsarchive reextract` runs (crawler.reextract.reextract), per page, against trafilatura."""
    try:
        from crawler.reextract import reextract
    except ImportError:
        return {}
    copy = str(work / "reextract.db")
    shutil.copy(db, copy)
    started = time.perf_counter()
    result = reextract(copy)
    elapsed = time.perf_counter() - started
    pages = int(result.get("pages") or 0)
    out: dict[str, Any] = {"pages": pages, "ms_per_page": elapsed / max(1, pages) * 1000,
                           "changed": result.get("changed")}
    traf = measure.trafilatura_extract()
    if traf and pages:
        import zlib

        raw = [zlib.compress(p) for p in measure.stored_pages(copy, 300)]
        out["trafilatura_ms_per_page"] = measure.per_page_ms(lambda b: traf(zlib.decompress(b)), raw, rounds=2)
        out["speedup_vs_trafilatura"] = out["trafilatura_ms_per_page"] / out["ms_per_page"]
    return out


def memory_n2(n2: int, work: Path) -> dict[str, Any]:
    site = Site(n2)
    with BenchServer(n2, prewarm=True) as srv:
        log(f"memory: first crawl of {n2} articles")
        result, done = crawl(srv.base_url, str(work / f"mem-{n2}.db"))
    return {"n2": n2, "peak_rss_mb_n2": done.peak_rss_mb, "pages_archived_n2": result["crawl"]["new_articles"],
            "edited_n2": len(site.edited)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="articles on the generated site (default 2000)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON here")
    parser.add_argument("--quick", action="store_true", help="CI smoke size: small samples, small search "
                        "archive, memory compared at 2N instead of 10N")
    parser.add_argument("--mem-n", type=int, help="the larger N for the memory comparison (default 10N; "
                        "--quick: 2N; 0 skips it)")
    parser.add_argument("--sample", type=int, help="pages for the extraction figure (default 300; --quick 40)")
    parser.add_argument("--search-versions", type=int, help="versions in the search archive (default 100000; "
                        "--quick 2000)")
    parser.add_argument("--keep", metavar="DIR", help="keep the databases in DIR")
    args = parser.parse_args(argv)
    if args.n < 50:
        parser.error("--n must be at least 50")
    mem_n = args.mem_n if args.mem_n is not None else args.n * (2 if args.quick else 10)
    sample = args.sample or (40 if args.quick else 300)
    search_n = args.search_versions or (2000 if args.quick else 100_000)
    work = Path(args.keep or tempfile.mkdtemp(prefix="newsarchive-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {
        "command": "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "n": args.n, "quick": args.quick,
    }
    try:
        log(f"extraction: {sample} pages")
        figures["extraction"] = extraction(args.n, sample)
        figures.update(crawl_figures(Site(args.n), work, recheck_all_args()))
        if mem_n:
            figures["memory"].update(memory_n2(mem_n, work))
            figures["memory"]["ratio"] = figures["memory"]["peak_rss_mb_n2"] / figures["memory"]["peak_rss_mb"]
        log("archive write rate")
        rate = searchbench.write_rate(Site(args.n), min(args.n, 200 if args.quick else 1000), str(work / "write.db"))
        figures["archive"].update(write_per_s=rate["per_s"], write_ms_per_item=rate["ms_per_item"],
                                  write_items=rate["items"])
        log("scale: crawl rate against the no-op spider (per --workers count), the batched writer alone")
        figures["scale"] = scale.scale_figures(min(args.n, 1000), os.cpu_count() or 1, work / "scale")
        if not args.quick and shutil.which("redis-server") and importlib.util.find_spec("scrapy_redis"):
            log("cluster: 2 Redis workers and ingest against a plain crawl and the no-op spider")
            (work / "cluster").mkdir(exist_ok=True)
            figures["cluster"] = cluster.figures(min(args.n, 1000), 2, work / "cluster")
        log(f"search archive of {search_n} versions (bulk path)")
        built = searchbench.build_search_archive(str(work / "search.db"), search_n)
        figures["search"] = {**built, **searchbench.search_latency(str(work / "search.db"),
                                                                   rounds=2 if args.quick else 5)}
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    figures["goals"] = report.judge(figures)
    print(report.table(figures))
    if "scale" in figures:
        print(scale.table(figures["scale"]))
    if "cluster" in figures:
        print(cluster.table(figures["cluster"]))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
