"""Redis key names and the connection every cluster component uses (one place, one prefix)."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

PREFIX = "newsarchive"
STREAM = f"{PREFIX}:items"          # extracted items and run ends, read by `ingest` (consumer group GROUP)
GROUP = "ingest"
SEED_REQUESTS = f"{PREFIX}:seed"    # run ids waiting for `ingest` to seed their rechecks
RUNS = f"{PREFIX}:runs"             # every run id, scored by its start time (for `cluster status`)
# A worker that cannot reach Redis for this long stops at once (exit code below) without releasing its
# leases: its requests go back to the queue after the lease timeout, handled by the other workers.
REDIS_LOST_EXIT = 3
logger = logging.getLogger(__name__)


def current_run(site: str) -> str:
    """The id of the run of `site` that workers join (absent: the next worker starts a new one)."""
    return f"{PREFIX}:site:{site}:run"


def run_key(run: str, part: str = "") -> str:
    """The run's hash (`part` empty) or one of its structures: requests, dupefilter, leases, ..."""
    return f"{PREFIX}:run:{run}" + (f":{part}" if part else "")


def client_params(retries: int = 12) -> dict[str, Any]:
    """redis-py options: a command is retried through a short outage (a Redis restart, ~20 s) before raising.
    Also given to scrapy-redis as REDIS_PARAMS, so the queue's own client retries the same way."""
    import redis
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    return {"retry": Retry(ExponentialBackoff(cap=2.0, base=0.1), retries=retries),
            "retry_on_error": [redis.ConnectionError, redis.TimeoutError],
            "socket_connect_timeout": 5, "socket_timeout": 30, "health_check_interval": 10}


def connect(url: str, retries: int = 12) -> Any:
    import redis

    return redis.Redis.from_url(url, **client_params(retries))


def redis_lost(exc: BaseException, what: str) -> None:
    """Stop this worker at once: Redis stayed unreachable through every retry. Nothing is released, so
    what this worker held is handed to the others when its leases run out; nothing is lost."""
    logger.critical("Redis unreachable while %s (%s): this worker stops now; its requests return to the queue "
                    "after the lease timeout", what, exc)
    print(f"newsarchive: Redis unreachable while {what} ({exc}): worker stopped", file=sys.stderr)
    sys.stderr.flush()
    os._exit(REDIS_LOST_EXIT)
