"""`newsarchive crawl --redis URL`: this process is one worker of the site's shared run (no archive here)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from crawler.cluster import runs
from crawler.cluster.keys import client_params, connect, run_key
from crawler.commands import UsageError, print_json

# Defaults of the worker's settings (each can be changed with -s NAME=VALUE).
DEFAULTS: dict[str, Any] = {
    "NEWSARCHIVE_CLUSTER_LEASE": 60.0,          # seconds before a silent worker's requests return to the queue
    "NEWSARCHIVE_CLUSTER_IDLE": 5.0,            # seconds of empty queue, nothing in flight, before the run ends
    "NEWSARCHIVE_CLUSTER_TICK": 0.5,            # seconds between lease renewals and end checks
    "NEWSARCHIVE_CLUSTER_SEED_TIMEOUT": 120.0,  # seconds to wait for `ingest` to seed a new run
    "NEWSARCHIVE_CLUSTER_STREAM_MAX": 20000,    # items waiting in the stream before workers hold new ones
}


def worker_settings(run: str, url: str, site: str) -> dict[str, Any]:
    """scrapy-redis' scheduler, our leased queue and per-run filter; items to the stream, not to an archive."""
    return {
        "SCHEDULER": "crawler.cluster.scheduler.LeasedScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.cluster.queue.LeasedQueue",
        "SCHEDULER_QUEUE_KEY": run_key(run, "requests"),
        "DUPEFILTER_CLASS": "crawler.cluster.dupefilter.RunDupeFilter",
        "SCHEDULER_PERSIST": True,  # a worker leaving never clears the shared queue
        "REDIS_URL": url,
        "REDIS_PARAMS": client_params(),
        "ITEM_PIPELINES": {"pipelines.dedupe.DedupePipeline": 100, "pipelines.clean.CleanPipeline": 200,
                           "crawler.cluster.stream.StreamPipeline": 300},
        "NEWSARCHIVE_CLUSTER_RUN": run,
        "NEWSARCHIVE_CLUSTER_SITE": site,
        # One worker may see only failing listings while the others' answer: the run decides (runs.py).
        "OUTCOMES_FAIL_WITHOUT_ENTRY": False,
    }


def run_fields(config: Any) -> dict[str, str]:
    site = config.site
    return {"site": site.name, "editions": ",".join(config.editions), "base_url": site.base_url or "",
            "site_source": site.source or "", "recheck": config.recheck, "max_pages": str(config.max_pages or 0),
            # The recheck tiers ingest writes each article's next check with (NEWSARCHIVE_RECHECK_TIERS).
            "tiers": json.dumps([list(t) for t in config.tiers])}


def wait_seeded(server: Any, run: str, timeout: float) -> str:
    """The run's state once `ingest` has seeded it (or it ended); `waiting` after the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        state = (server.hget(run_key(run), "state") or b"").decode() or runs.ENDED
        if state != runs.WAITING or time.monotonic() >= deadline:
            return state
        time.sleep(0.2)


def run_worker(args: argparse.Namespace) -> int:
    import redis

    from crawler.cluster.spider import ClusterSpider
    from crawler.commands.crawl import crawl_job
    from crawler.runner import LOCAL_MIRROR_SETTINGS, build_settings, check_job, job_settings, run_crawls

    if args.max_pages is not None and args.max_pages < 0:
        raise UsageError("--max-pages must be 0 (no limit) or more")
    settings = build_settings({**DEFAULTS, **(LOCAL_MIRROR_SETTINGS if args.local else {})}, args.log_level)
    job = crawl_job(args)
    config = check_job(settings, job)
    own = job_settings(settings, job)
    try:
        connect(args.redis, retries=1).ping()  # at once: the retries are for an outage mid-run
        server = connect(args.redis)
    except (redis.RedisError, ValueError) as exc:
        print(f"newsarchive: cannot reach Redis at {args.redis}: {exc}", file=sys.stderr)
        return 1
    from crawler.cli import default_db

    if args.db != default_db():
        print(f"newsarchive: note: a worker writes no archive: --db {args.db} is ignored (`ingest` writes it)",
              file=sys.stderr)
    fields = run_fields(config)
    run, created = runs.claim(server, fields)
    if not created and (why := runs.mismatch(runs.meta(server, run), fields)):
        raise UsageError(why)
    print(f"newsarchive: {'started' if created else 'joined'} run {run}", file=sys.stderr)
    state = wait_seeded(server, run, own.getfloat("NEWSARCHIVE_CLUSTER_SEED_TIMEOUT"))
    if state == runs.WAITING:
        runs.cancel(server, run, fields["site"])
        print(f"newsarchive: no `newsarchive ingest` seeded run {run} within "
              f"{own.getfloat('NEWSARCHIVE_CLUSTER_SEED_TIMEOUT'):g} s: start one on the archive "
              f"(`newsarchive ingest --db ARCHIVE --redis {args.redis}`)", file=sys.stderr)
        return 1
    if state in (runs.ENDED, runs.CANCELLED):
        print(f"newsarchive: run {run} has {state}: nothing to do", file=sys.stderr)
        return 0
    for name, value in worker_settings(run, args.redis, fields["site"]).items():
        settings.set(name, value, priority="cmdline")
    job.spider_cls = ClusterSpider  # type: ignore[attr-defined]
    run_crawls([job], settings)
    return report(args, run, job.stats, server)


def report(args: argparse.Namespace, run: str, stats: dict[str, Any], server: Any) -> int:
    reason = stats.get("finish_reason", "unknown")
    mine = {k: v for k, v in stats.items() if k.startswith(("cluster/", "outcomes/", "downloader/response_count",
                                                           "item_scraped_count", "item_dropped_count"))}
    meta = runs.meta(server, run)
    ok, failed = int(meta.get("discovery_ok") or 0), int(meta.get("discovery_failed") or 0)
    down = meta.get("state") == runs.ENDED and runs.entry_pages_failed(ok, failed)
    data = {"run": run, "finish_reason": reason, "stats": mine, "run_state": meta.get("state"),
            "run_discovery": {"ok": ok, "failed": failed}, "run_failed": "entry_pages_failed" if down else None}
    if args.json:
        print_json(data)
    else:
        print(f"run {run}: this worker handled {stats.get('cluster/done', 0)} request(s) and sent "
              f"{stats.get('cluster/items_sent', 0)} item(s) to the stream ({reason}; run {data['run_state']})")
    if down:
        # As a plain crawl: exit 1, so a scheduler sees that the run archived nothing because of the site.
        print(f"newsarchive: run {run}: no discovery page (home page, listing, feed, sitemap) answered: {failed} "
              "failed; the site looks down or blocked (the crawl is recorded as failed: entry_pages_failed)",
              file=sys.stderr)
        return 1
    return 0 if reason == "finished" else 130 if reason == "shutdown" else 1
