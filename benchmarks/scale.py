"""Crawl throughput against the no-op spider with 0, 1 and N workers, and the batched writer's versions/s.

`python -m benchmarks.scale --n 1000 [--workers N] [--json PATH]` (also part of `python -m benchmarks.run`).
`python -m benchmarks.scale --writer-only --n 1000 [--baseline-ref REF] [--runs 3]`: the writer alone, against
REF's writer in the same run (benchmarks/writerbench.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.measure import PROFILE, cli, run_process
from benchmarks.server import BenchServer
from benchmarks.sitegen import Site

MIRROR_SETTINGS = ["AUTOTHROTTLE_ENABLED=0", "DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS=64",
                   "CONCURRENT_REQUESTS_PER_DOMAIN=64", "CONCURRENT_ITEMS=8"]


def _settings() -> list[str]:
    return [a for s in MIRROR_SETTINGS for a in ("-s", s)]


def has_workers() -> bool:
    return "--workers" in run_process(cli("crawl", "--help")).stdout


def crawl_rate(base_url: str, db: str, workers: int | None) -> dict[str, Any]:
    args = ["crawl", "--site", PROFILE, "--base-url", base_url, "--db", db, "--json", "--log-level", "WARNING"]
    if workers is not None:
        args += ["--workers", str(workers)]
    done = run_process(cli(*args, *_settings()))
    if done.returncode != 0:
        raise RuntimeError(f"crawl failed ({done.returncode}): {done.stderr[-2000:]}")
    result = json.loads(done.stdout)
    result = result[-1] if isinstance(result, list) else result
    stats = result["scrapy_stats"]
    elapsed = float(stats["elapsed_time_seconds"])
    archived = int(result["crawl"]["new_articles"])
    # CPU of the whole crawl: its process, the archive writer, the fork server and the extraction workers
    # (each waited for by its parent, so counted in wait4's figure). Includes start-up and imports.
    return {"workers": workers, "archived": archived, "elapsed_s": elapsed, "wall_s": done.wall_s,
            "rate_pages_s": archived / elapsed, "peak_rss_mb": done.peak_rss_mb, "cpu_s": done.cpu_s,
            "cpu_ms_per_article": done.cpu_s * 1000 / max(archived, 1),
            "pool_pages": int(stats.get("pool/pages", 0)), "worker_cpu_s": float(stats.get("pool/worker_cpu_s", 0))}


def noop_rate(base_url: str, db: str) -> dict[str, Any]:
    done = run_process([sys.executable, "-m", "benchmarks.noop", "--site", PROFILE, "--base-url", base_url,
                        "--db", db, *_settings()])
    if done.returncode != 0:
        raise RuntimeError(f"no-op crawl failed: {done.stderr[-2000:]}")
    stats = json.loads(done.stdout)
    elapsed = float(stats["elapsed_time_seconds"])
    articles = stats.get("noop/articles", 0)
    return {"articles": articles, "elapsed_s": elapsed, "rate_pages_s": articles / elapsed, "cpu_s": done.cpu_s,
            "cpu_ms_per_article": done.cpu_s * 1000 / max(articles, 1)}


def writer_rate(site: Site, items: int, path: str) -> dict[str, Any]:
    """Versions/s of the batched writer alone (archive.batch), on items made by the crawl's own path,
    against one transaction per article (Archive.record_article) on the same items in the same run."""
    from benchmarks.searchbench import write_rate

    out: dict[str, Any] = {"items": items}
    single = write_rate(site, items, path + ".single")
    out["per_article_tx_per_s"] = single["per_s"]
    if importlib.util.find_spec("archive.batch") is None:  # before the batched writer: the baseline only
        return out
    batched = batch_write_rate(site, items, path)
    out.update(batched_per_s=batched["per_s"], batch_size=batched["batch"],
               speedup=batched["per_s"] / single["per_s"])
    if importlib.util.find_spec("archive.prepare") is not None:
        # As items reach the writer from extraction workers or cluster workers: their write work done ahead.
        ahead = batch_write_rate(site, items, path + ".prepared", ahead=True)
        out.update(prepared_per_s=ahead["per_s"], prepared_speedup=ahead["per_s"] / single["per_s"])
    return out


def batch_write_rate(site: Site, items: int, path: str, batch: int = 100, ahead: bool = False) -> dict[str, Any]:
    """archive.batch.write_batch() versions/s: the writer thread's work for `items` generated articles
    (the crawl's own extraction path made them), `batch` per transaction, nothing else running; with
    `ahead`, each item carries archive.prepare's result (made before the timing, as workers do)."""
    from archive.batch import write_batch
    from archive.store import Archive
    from benchmarks.measure import our_path
    from benchmarks.searchbench import FIRST_ID, HOST

    extract = our_path()
    prepared = []
    for i in range(items):
        body = site.article_page(i)
        prepared.append({
            **extract(body), "kind": "article", "key": f"kurdistan24:ar:{FIRST_ID + i}", "site": "kurdistan24",
            "edition": "ar", "article_id": str(FIRST_ID + i), "url": HOST + site.path(i), "http_status": 200,
            "fetched_at": "2024-01-01T00:00:00+00:00", "raw_html": body, "extractor_version": "bench"})
    if ahead:
        from archive.prepare import prepare

        prepared = [prepare(item) for item in prepared]
    with Archive(path) as archive:
        crawl_id = archive.start_crawl("kurdistan24", ["ar"], None)
        write_batch(archive, crawl_id, prepared[:1])  # loads datasketch/numpy once, outside the timing
        started = time.perf_counter()
        for at in range(1, items, batch):
            write_batch(archive, crawl_id, prepared[at:at + batch])
        elapsed = time.perf_counter() - started
        archive.finish_crawl(crawl_id)
    return {"per_s": (items - 1) / elapsed, "batch": batch, "ms_per_item": elapsed / (items - 1) * 1000}


def scale_figures(n: int, workers: int, work: Path) -> dict[str, Any]:
    site = Site(n)
    work.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"n": n, "cpus": os.cpu_count(), "loadavg": _loadavg()}
    # 0: extraction in the crawl's process (as before --workers); 1 and N: the pool.
    counts: list[int | None] = [None] if not has_workers() else sorted({0, 1, workers})
    with BenchServer(site.n, seed=site.seed, prewarm=True) as srv:
        srv.reset()
        out["noop"] = noop_rate(srv.base_url, str(work / "noop.db"))
        runs = []
        for count in counts:
            srv.reset()
            run = crawl_rate(srv.base_url, str(work / f"crawl-{count}.db"), count)
            run["ratio_vs_noop"] = run["rate_pages_s"] / out["noop"]["rate_pages_s"]
            runs.append(run)
        out["crawls"] = runs
    out["writer"] = writer_rate(site, min(n, 1000), str(work / "writer.db"))
    return out


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def table(fig: dict[str, Any]) -> str:
    noop = fig["noop"]
    lines = [f"scale: {fig['n']} articles, {fig['cpus']} cpus, load {fig.get('loadavg', '?')}; no-op spider "
             f"{noop['rate_pages_s']:.0f} articles/s ({noop['elapsed_s']:.1f} s, "
             f"{noop.get('cpu_ms_per_article', 0):.1f} CPU ms/article)"]
    for run in fig["crawls"]:
        label = f"--workers {run['workers']}" if run["workers"] is not None else "crawl"
        lines.append(f"  {label:<12} {run['archived']} archived, {run['rate_pages_s']:.0f} articles/s "
                     f"({run['elapsed_s']:.1f} s), ratio vs no-op {run['ratio_vs_noop']:.2f}, "
                     f"{run.get('cpu_ms_per_article', 0):.1f} CPU ms/article, peak RSS {run['peak_rss_mb']:.0f} MB")
    w = fig["writer"]
    line = f"  writer alone: {w['per_article_tx_per_s']:.0f} versions/s one transaction per article"
    if "batched_per_s" in w:
        line += f"; {w['batched_per_s']:.0f} versions/s in batches of {w['batch_size']} ({w['speedup']:.1f}x)"
    if "prepared_per_s" in w:
        line += f"; {w['prepared_per_s']:.0f} versions/s in batches, prepared ahead ({w['prepared_speedup']:.1f}x)"
    lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    parser.add_argument("--n", type=int, default=1000, help="articles on the generated site (default 1000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="the N of the N-worker crawl (default: this machine's cores)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON here")
    parser.add_argument("--writer-only", action="store_true",
                        help="only the archive writer: N prepared items through write_batch (no crawl)")
    parser.add_argument("--baseline-ref", metavar="REF",
                        help="with --writer-only: also measure the writer of this git ref (a temporary worktree)")
    parser.add_argument("--runs", type=int, default=3, help="with --writer-only: runs of each (default 3)")
    args = parser.parse_args(argv)
    if args.writer_only:
        if args.n < 2 or args.runs < 1:
            parser.error("--n must be at least 2 and --runs at least 1")
        from benchmarks import writerbench

        return writerbench.main(args.n, args.runs, args.baseline_ref, args.json)
    if args.n < 50 or args.workers < 1:
        parser.error("--n must be at least 50 and --workers at least 1")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsarchive-scale-") as work:
        fig = scale_figures(args.n, args.workers, Path(work))
    fig["bench_wall_s"] = time.perf_counter() - started
    print(table(fig))
    if args.json:
        Path(args.json).write_text(json.dumps(fig, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
