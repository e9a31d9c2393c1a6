"""A 2-worker Redis cluster (crawl --redis + ingest) against one plain crawl and the no-op spider, same run.

`python -m benchmarks.cluster --n 1000 [--workers 2] [--json PATH]`: articles/s of each, over the crawl's own
recorded duration (start to outcome; the cluster's includes its 1 s end-of-run idle check), and the CPU seconds
all their processes used per 1,000 articles (a fairer figure on a loaded machine). Needs redis-server.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.measure import PROFILE, ROOT, cli
from benchmarks.scale import _settings, crawl_rate, noop_rate
from benchmarks.server import BenchServer
from benchmarks.sitegen import Site


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def crawl_row(db: Path) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        new, duration = conn.execute("SELECT new_articles, duration_s FROM crawls ORDER BY id DESC").fetchone()
    return {"archived": int(new), "duration_s": float(duration), "rate_pages_s": int(new) / float(duration)}


def start_redis(work: Path, fsync: str = "always") -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (Debian: apt-get install redis-server)")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(work), "--save", "",
                             "--appendonly", "yes", "--appendfsync", fsync], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def cluster_rate(base_url: str, work: Path, workers: int, fsync: str = "always") -> dict[str, Any]:
    """`workers` workers and one ingest on a fresh Redis (appendfsync always: the documented setting)."""
    work = work / f"cluster-{fsync}"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    db = work / "cluster.db"
    cpu = children_cpu()
    started = time.perf_counter()
    redis_proc, url = start_redis(work, fsync)
    ingest = subprocess.Popen(cli("ingest", "--db", str(db), "--redis", url, "--json"), cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    args = ["crawl", "--redis", url, "--site", PROFILE, "--base-url", base_url, "--json", "--log-level", "WARNING",
            "-s", "NEWSARCHIVE_CLUSTER_IDLE=1", *_settings()]
    procs = [subprocess.Popen(cli(*args), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(workers)]
    for proc in procs:
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"worker failed ({proc.returncode}): {err[-2000:]}")
    deadline = time.monotonic() + 300
    while True:  # the run's end is written once ingest has read the whole stream
        try:
            with sqlite3.connect(db) as conn:
                if conn.execute("SELECT count(*) FROM cluster_runs WHERE finished = 1").fetchone()[0]:
                    break
        except sqlite3.OperationalError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("ingest did not finish the run")
        time.sleep(0.05)
    wall = time.perf_counter() - started
    ingest.send_signal(signal.SIGTERM)
    ingest.communicate(timeout=60)
    redis_proc.terminate()
    redis_proc.wait()
    return {**crawl_row(db), "workers": workers, "fsync": fsync, "wall_s": wall, "cpu_s": children_cpu() - cpu}


def figures(n: int, workers: int, work: Path, fsyncs: tuple[str, ...] = ("always",)) -> dict[str, Any]:
    site = Site(n)
    out: dict[str, Any] = {"n": n, "cpus": os.cpu_count(), "loadavg_before": os.getloadavg()}
    with BenchServer(site.n, seed=site.seed, prewarm=True) as srv:
        srv.reset()
        out["noop"] = noop_rate(srv.base_url, str(work / "noop.db"))
        srv.reset()
        cpu = children_cpu()
        crawl_rate(srv.base_url, str(work / "plain.db"), None)
        out["plain"] = {**crawl_row(work / "plain.db"), "cpu_s": children_cpu() - cpu}
        for fsync in fsyncs:
            srv.reset()
            out[f"cluster_{fsync}"] = cluster_rate(srv.base_url, work, workers, fsync)
    for name in ("plain", *(f"cluster_{f}" for f in fsyncs)):
        fig = out[name]
        fig["ratio_vs_noop"] = fig["rate_pages_s"] / out["noop"]["rate_pages_s"]
        fig["cpu_s_per_1000"] = fig["cpu_s"] / max(fig["archived"], 1) * 1000
    out["loadavg_after"] = os.getloadavg()
    return out


def table(fig: dict[str, Any]) -> str:
    p = fig["plain"]
    lines = [
        f"cluster: {fig['n']} articles, {fig['cpus']} cpus, load {fig['loadavg_before'][0]:.1f} -> "
        f"{fig['loadavg_after'][0]:.1f}; no-op spider {fig['noop']['rate_pages_s']:.0f} articles/s",
        f"  plain crawl             {p['archived']} archived, {p['rate_pages_s']:.0f} articles/s "
        f"({p['duration_s']:.1f} s), ratio vs no-op {p['ratio_vs_noop']:.2f}, {p['cpu_s_per_1000']:.1f} CPU s per 1000",
    ]
    for name in sorted(k for k in fig if k.startswith("cluster_")):
        c = fig[name]
        lines.append(f"  redis {c['workers']} workers ({c['fsync']:<8}) {c['archived']} archived, {c['rate_pages_s']:.0f} "
                     f"articles/s ({c['duration_s']:.1f} s), ratio vs no-op {c['ratio_vs_noop']:.2f}, "
                     f"{c['cpu_s_per_1000']:.1f} CPU s per 1000 (workers, ingest, redis-server)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cluster", description=__doc__)
    parser.add_argument("--n", type=int, default=1000, help="articles on the generated site (default 1000)")
    parser.add_argument("--workers", type=int, default=2, help="cluster workers (default 2)")
    parser.add_argument("--fsync", action="append", choices=["always", "everysec"],
                        help="Redis appendfsync of a cluster run (repeatable; default: always, the documented one)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if args.n < 50 or args.workers < 1:
        parser.error("--n must be at least 50 and --workers at least 1")
    with tempfile.TemporaryDirectory(prefix="newsarchive-cluster-") as work:
        fig = figures(args.n, args.workers, Path(work), tuple(args.fsync or ["always"]))
    print(table(fig))
    if args.json:
        Path(args.json).write_text(json.dumps(fig, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
