"""`newsarchive ingest`: the cluster's one archive writer (docs/cluster.md)."""

from __future__ import annotations

import argparse
import signal
import sqlite3
import sys
from typing import Any

from crawler.commands import add_db, add_json, print_json


def add_parser(sub: Any) -> None:
    p = sub.add_parser("ingest", help="write a cluster's crawled items into the archive (the one writer)",
                       description="Read the items `newsarchive crawl --redis` workers put in Redis, write them "
                       "into the archive in batches (one transaction each), and acknowledge them only after the "
                       "commit; seed each new run's rechecks from the archive. Runs until SIGTERM or Ctrl-C, then "
                       "commits and acknowledges what it read and exits 0.")
    add_db(p)
    p.add_argument("--redis", required=True, metavar="redis://HOST:PORT/DB", help="the cluster's Redis")
    p.add_argument("--batch", type=int, default=100, metavar="N", help="items per transaction (default 100)")
    p.add_argument("--wal-limit", type=int, default=None, metavar="BYTES",
                   help="truncate the archive's write-ahead log once it passes BYTES, after a batch, so readers "
                   "beside ingest cannot make it grow without end (default: NEWSARCHIVE_WAL_LIMIT, 16 MiB; 0 = off)")
    p.add_argument("--log-level", default="INFO", metavar="LEVEL", help="log level (default INFO)")
    add_json(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import logging

    from crawler.cluster import require

    require()
    import redis

    from crawler.cluster.ingest import Ingest
    from crawler.commands import UsageError

    if args.batch < 1:
        raise UsageError("--batch must be 1 or more")
    if args.wal_limit is not None and args.wal_limit < 0:
        raise UsageError("--wal-limit must be 0 (off) or more")
    level = getattr(logging, str(args.log_level).upper(), None)
    if not isinstance(level, int):
        raise UsageError(f"--log-level: unknown level {args.log_level!r}")
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop: list[int] = []

    def on_signal(signum: int, frame: Any) -> None:
        stop.append(signum)  # the loop finishes the batch in hand (commit, then acknowledge) and returns

    from crawler.cluster.keys import connect

    try:
        connect(args.redis, retries=1).ping()  # at once, before the lock: not after an outage's retries
    except (redis.RedisError, ValueError) as exc:
        print(f"newsarchive: cannot reach Redis at {args.redis}: {exc}", file=sys.stderr)
        return 1
    from crawler import settings as defaults

    wal_limit = defaults.NEWSARCHIVE_WAL_LIMIT if args.wal_limit is None else args.wal_limit
    ingest = Ingest(args.db, args.redis, batch=args.batch, wal_limit=wal_limit)
    old = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        ingest.server.ping()
        print(f"newsarchive: ingest writing {args.db} from {args.redis}", file=sys.stderr)
        ingest.run(lambda: bool(stop))
    except redis.RedisError as exc:
        print(f"newsarchive: Redis at {args.redis}: {exc} (nothing unacknowledged is lost: run ingest again)",
              file=sys.stderr)
        return 1
    except sqlite3.Error as exc:  # disk full, I/O error: the batch was rolled back and never acknowledged
        print(f"newsarchive: archive {args.db} cannot be written ({str(exc).splitlines()[0]}): stopped; "
              "nothing unacknowledged is lost, run ingest again once fixed", file=sys.stderr)
        return 1
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        ingest.close()
    summary = {"written": ingest.written, "runs_finished": ingest.runs_finished, "runs_seeded": ingest.seeded,
               # articles whose write work a worker did (archive/prepare.py), and those ingest computed
               "prepared_ahead": ingest.counts["store/prepared_ahead"],
               "prepared_here": ingest.counts["store/prepared_here"],
               # times the WAL was emptied past --wal-limit, and times a reader's snapshot postponed that
               "wal_truncated": ingest.counts["walguard/truncated"], "wal_postponed": ingest.counts["walguard/busy"]}
    if args.json:
        print_json(summary)
    else:
        print(f"ingest: {ingest.written} item(s) written, {ingest.seeded} run(s) seeded, "
              f"{ingest.runs_finished} finished")
    return 0
