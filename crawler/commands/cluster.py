"""`newsarchive cluster status`: a Redis cluster's runs (queued, in flight, done, written) and its stream."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.commands import add_json, print_json


def add_parser(sub: Any) -> None:
    p = sub.add_parser("cluster", help="show a Redis cluster's progress (docs/cluster.md)",
                       description="Inspect the runs of `newsarchive crawl --redis` workers and `newsarchive ingest`.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    s = actions.add_parser("status", help="each recent run: queued, in flight, done, items sent, written",
                           description="Each recent run (newest first): requests queued, in flight (leased by a "
                           "worker), done; items sent to the stream, and written to the archive by ingest.")
    s.add_argument("--redis", required=True, metavar="redis://HOST:PORT/DB", help="the cluster's Redis")
    add_json(s)
    s.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from crawler.cluster import require

    require()
    import redis

    from crawler.cluster.keys import connect
    from crawler.cluster.status import format_status, status

    try:
        server = connect(args.redis, retries=1)  # a status answers now, not after an outage
        server.ping()
        data = status(server)
    except (redis.RedisError, ValueError) as exc:
        print(f"newsarchive: cannot reach Redis at {args.redis}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print_json(data)
    else:
        print("\n".join(format_status(data)))
    return 0
