"""A run: one crawl of one site shared by every worker; who starts it, how it is seeded, when it ends."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Any

from crawler.cluster.keys import RUNS, SEED_REQUESTS, STREAM, current_run, run_key

# States of a run's hash: `waiting` (asked `ingest` for its rechecks), `seeding` (seeded; the worker holding
# the seeder lease queues the entry pages and rechecks), `running`, `ended` (queue empty, nothing in flight).
WAITING, SEEDING, RUNNING, ENDED, CANCELLED = "waiting", "seeding", "running", "ended", "cancelled"
# What a joining worker must share with the run it joins.
SAME = ("editions", "base_url", "recheck", "max_pages", "tiers")
PARTS = ("requests", "dupefilter", "leases", "leased", "leased_score", "known", "due", "listed", "seeder",
         "scheduled", "bounds_listings", "bounds_files")
KEEP_SECONDS = 7 * 24 * 3600  # a run's hash (its counts, for `cluster status`) outlives it by a week

CLAIM = """
local current = redis.call('GET', KEYS[1])
if current then return {0, current} end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], unpack(ARGV, 3))
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
redis.call('LPUSH', KEYS[4], ARGV[1])
return {1, ARGV[1]}
"""
# The run ends once: running, the queue empty and no lease held. The end mark goes into the stream after
# every item (each was added before its request's lease was released), the run's sets are dropped.
# The end mark carries the run's discovery counts (home pages, listings, feeds, sitemaps answered or
# failed, added by each worker before it releases their leases): ingest fails a crawl none of them answered.
END = """
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return 0 end
if redis.call('ZCARD', KEYS[2]) > 0 or redis.call('ZCARD', KEYS[3]) > 0 then return 0 end
local now = redis.call('TIME')
redis.call('HSET', KEYS[1], 'state', 'ended', 'ended_at', now[1])
redis.call('XADD', KEYS[4], '*', 'run', ARGV[1], 'kind', 'end',
          'discovery_ok', redis.call('HGET', KEYS[1], 'discovery_ok') or '0',
          'discovery_failed', redis.call('HGET', KEYS[1], 'discovery_failed') or '0')
if redis.call('GET', KEYS[5]) == ARGV[1] then redis.call('DEL', KEYS[5]) end
for i = 6, #KEYS do redis.call('DEL', KEYS[i]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""
CANCEL = """
if redis.call('HGET', KEYS[1], 'state') ~= 'waiting' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'cancelled')
redis.call('LREM', KEYS[2], 0, ARGV[1])
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""


def decoded(raw: dict[bytes, bytes]) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in raw.items()}


def meta(server: Any, run: str) -> dict[str, str]:
    return decoded(server.hgetall(run_key(run)))


def claim(server: Any, fields: dict[str, str]) -> tuple[str, bool]:
    """(run id, True) for a new run of fields["site"], queued for seeding; (the running one's id, False)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    run = f"{fields['site']}-{stamp}-{secrets.token_hex(3)}"
    fields = {**fields, "run": run, "state": WAITING, "created": str(int(time.time()))}
    flat = [x for pair in fields.items() for x in pair]
    created, found = server.eval(CLAIM, 4, current_run(fields["site"]), run_key(run), RUNS, SEED_REQUESTS,
                                 run, time.time(), *flat)
    return found.decode() if isinstance(found, bytes) else found, bool(created)


def mismatch(run_meta: dict[str, str], fields: dict[str, str]) -> str | None:
    """Why this worker cannot join the run (different editions, mirror or recheck mode), or None."""
    for name in SAME:
        if run_meta.get(name, "") != fields.get(name, ""):
            return (f"run {run_meta.get('run', '?')} of site {fields['site']} has {name}={run_meta.get(name, '')!r}, "
                    f"this worker {fields.get(name, '')!r}: run it with the same options, or after that run ends")
    return None


def end(server: Any, run: str, site: str) -> bool:
    """End the run if it is done (idempotent: only one caller ever gets True)."""
    keys = [run_key(run), run_key(run, "requests"), run_key(run, "leases"), STREAM, current_run(site),
            *(run_key(run, p) for p in PARTS)]
    return bool(server.eval(END, len(keys), *keys, run, KEEP_SECONDS))


def cancel(server: Any, run: str, site: str) -> bool:
    """Withdraw a run nobody seeded (no `ingest` answered); True when it was still waiting."""
    return bool(server.eval(CANCEL, 3, run_key(run), SEED_REQUESTS, current_run(site), run, KEEP_SECONDS))


def entry_pages_failed(ok: int, failed: int) -> bool:
    """No discovery page of the whole run answered and some failed: the site looked down or blocked (a plain
    crawl's OutcomeLedger check, made for the run instead of for each worker)."""
    return failed > 0 and ok == 0
