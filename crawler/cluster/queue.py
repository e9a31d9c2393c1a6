"""The shared request queue (scrapy-redis' priority queue) with leases: a popped request is held, not lost."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy import Request
from scrapy_redis.queue import PriorityQueue

from crawler.outcomes import TOKEN

# Pop the best requests (one per token given) and lease them in one step (Redis runs a script atomically):
# each moves from the queue to the lease set, scored by its deadline on the server's own clock (no skew
# between machines). Run again with the same tokens (a retry after a reply lost to a Redis restart), it
# answers the same requests.
POP = """
local now = redis.call('TIME')
local deadline = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + tonumber(ARGV[1])
local out = {}
for i = 2, #ARGV do
  local token = ARGV[i]
  local again = redis.call('HGET', KEYS[3], token)
  if again then
    table.insert(out, token)
    table.insert(out, again)
  else
    local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    if #found == 0 then break end
    redis.call('ZREM', KEYS[1], found[1])
    redis.call('ZADD', KEYS[2], deadline, token)
    redis.call('HSET', KEYS[3], token, found[1])
    redis.call('HSET', KEYS[4], token, found[2])
    table.insert(out, token)
    table.insert(out, found[1])
  end
end
return out
"""
# Leases past their deadline (their worker died or lost Redis) go back to the queue with their priority;
# ARGV[1] = '' for every expired lease, or a list of this worker's own tokens to hand back now.
RETURN = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local tokens = ARGV
if #ARGV == 0 then tokens = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ms, 'LIMIT', 0, 500) end
local n = 0
for _, token in ipairs(tokens) do
  local data = redis.call('HGET', KEYS[3], token)
  if data then
    redis.call('ZADD', KEYS[1], tonumber(redis.call('HGET', KEYS[4], token) or '0'), data)
    n = n + 1
  end
  redis.call('ZREM', KEYS[2], token)
  redis.call('HDEL', KEYS[3], token)
  redis.call('HDEL', KEYS[4], token)
end
return n
"""
RENEW = """
local now = redis.call('TIME')
local deadline = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', deadline, ARGV[i]) end
return #ARGV - 1
"""
# The duplicate filter's SADD and the queue's ZADD in one step: a worker killed between the two, or a reply
# lost to a Redis restart and the command retried, must never leave a request "seen" but not queued.
PUSH_NEW = """
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
return 1
"""
LEASE = "cluster_lease"  # request.meta: the lease token of a request popped from the shared queue


class LeasedQueue(PriorityQueue):
    """scrapy-redis' PriorityQueue (a sorted set) whose pop leases the request until `release`.

    Keys (scrapy-redis' SCHEDULER_QUEUE_KEY is `<run>:requests`): `<run>:leases` (token -> deadline),
    `<run>:leased` (token -> request) and `<run>:leased_score` (token -> priority score)."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        base = self.key.rsplit(":", 1)[0]
        self.leases, self.leased, self.scores = f"{base}:leases", f"{base}:leased", f"{base}:leased_score"
        self.lease_ms = 30_000
        self._pop = server.register_script(POP)
        self._return = server.register_script(RETURN)
        self._renew = server.register_script(RENEW)
        self._push_new = server.register_script(PUSH_NEW)
        self._next_token = 0
        self.worker = "w"

    def _encode_request(self, request: Request) -> bytes:
        # The outcome ledger's token is this process's number: the worker that leases the request
        # gives it one of its own (crawler/cluster/scheduler.py), and a lease token is never carried over.
        if TOKEN in request.meta or LEASE in request.meta:
            request = request.replace(meta={k: v for k, v in request.meta.items() if k not in (TOKEN, LEASE)})
        return super()._encode_request(request)

    def push_many(self, batch: list[tuple[Request, str | None]], filter_key: str) -> int:
        """Queue each request (fingerprint None: unfiltered) unless the run's filter has its fingerprint, in
        one round trip (one fsync wait on a Redis with appendfsync always); how many were new."""
        if not batch:
            return 0
        pipe = self.server.pipeline(transaction=False)
        for request, fingerprint in batch:
            data = self._encode_request(request)
            if fingerprint is None:
                pipe.zadd(self.key, {data: -request.priority})
            else:
                self._push_new(keys=[self.key, filter_key], args=[fingerprint, -request.priority, data], client=pipe)
        return sum(1 for r in pipe.execute() if r)

    def pop(self, timeout: int = 0) -> Request | None:
        found = self.pop_many(1)
        return found[0] if found else None

    def pop_many(self, n: int) -> list[Request]:
        """Up to `n` requests, best first, each leased (its token in meta[LEASE])."""
        tokens = []
        for _ in range(n):
            self._next_token += 1
            tokens.append(f"{self.worker}:{self._next_token}")
        out = self._pop(keys=[self.key, self.leases, self.leased, self.scores], args=[self.lease_ms, *tokens])
        requests = []
        for token, data in zip(out[::2], out[1::2]):
            request = self._decode_request(data)
            request.meta[LEASE] = token.decode() if isinstance(token, bytes) else token
            requests.append(request)
        return requests

    def release(self, tokens: Iterable[str]) -> int:
        """The requests are done (their items are in the stream, their links in the queue): drop their leases."""
        tokens = list(tokens)
        if not tokens:
            return 0
        pipe = self.server.pipeline(transaction=True)
        pipe.zrem(self.leases, *tokens).hdel(self.leased, *tokens).hdel(self.scores, *tokens)
        pipe.execute()
        return len(tokens)

    def renew(self, tokens: Iterable[str]) -> None:
        tokens = list(tokens)
        for start in range(0, len(tokens), 500):
            self._renew(keys=[self.leases], args=[self.lease_ms, *tokens[start:start + 500]])

    def give_back(self, tokens: Iterable[str]) -> int:
        """This worker's own leases, back to the queue now (it stops before handling them)."""
        tokens = list(tokens)
        return int(self._return(keys=[self.key, self.leases, self.leased, self.scores], args=tokens)) if tokens else 0

    def reclaim(self) -> int:
        """Every expired lease, whoever held it, back to the queue; how many."""
        return int(self._return(keys=[self.key, self.leases, self.leased, self.scores], args=[]))

    def in_flight(self) -> int:
        return int(self.server.zcard(self.leases))
