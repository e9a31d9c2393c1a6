"""SIGKILL of a worker, of ingest, or of Redis (or SIGTERM of a worker) at random moments: nothing lost, no version twice."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cluster_helpers import finish, ingest, stop_ingest, worker
from tests.fault_server import Exchange, FaultServer, article_html, page
from tests.redis_server import RedisServer

N_ARTICLES = 120
SEED = int(os.environ.get("NEWSARCHIVE_CRASH_SEED", "20261205"))  # another seed: other kill moments
# Slow pages and few connections: the crawl lasts a few seconds, so the kill lands in the middle of it.
SLOW = ["-s", "CONCURRENT_REQUESTS=4", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4"]


def slow(body: str, delay: float = 0.08) -> Any:
    answer = page(body)

    def behaviour(ex: Exchange) -> None:
        time.sleep(delay)
        answer(ex)
    return behaviour


def routes() -> dict[str, Any]:
    site: dict[str, Any] = {"/robots.txt": page("User-agent: *\n", content_type="text/plain")}
    for n in range(1, N_ARTICLES + 1):
        site[f"/ar/story/{n}/x"] = slow(article_html(n))
    site["/ar"] = page("".join(f'<article><a href="/ar/story/{n}/x">{n}</a></article>' for n in range(1, N_ARTICLES + 1)))
    site["/ar/latest"] = site["/ar"]
    return site


@pytest.fixture
def redis_srv(tmp_path: Path) -> Iterator[RedisServer]:
    srv = RedisServer(tmp_path / "redis").start()
    yield srv
    srv.stop()


def archived(db: Path) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    q = lambda sql: conn.execute(sql).fetchall()  # noqa: E731
    data = {
        "articles": {k: (status, count) for k, status, count in q("SELECT key, status, version_count FROM articles")},
        "versions": q("SELECT count(*), count(DISTINCT article_key) FROM versions")[0],
        "new_fetches": q("SELECT count(*) FROM fetches WHERE outcome = 'new'")[0][0],
        "crawls": q("SELECT outcome FROM crawls"),
        "field_articles": [json.loads(c or "{}").get("articles") for (c,) in q("SELECT field_counts FROM crawls")],
        "titles_right": q("SELECT count(*) FROM versions v JOIN articles a ON a.key = v.article_key "
                          "WHERE v.title LIKE '% ' || a.article_id || ' %'")[0][0],
    }
    conn.close()
    return data


@pytest.mark.parametrize("victim", ["worker", "worker_sigterm", "ingest", "redis"])
def test_sigkill_at_a_random_moment_loses_nothing(tmp_path, redis_srv, victim):
    rng = random.Random(f"{SEED}-{victim}")
    db, logs = tmp_path / "archive.db", tmp_path / "logs"
    logs.mkdir()
    with FaultServer(routes()) as srv:
        writer = ingest(db, redis_srv.url, log=logs / "ingest.log")
        workers = [worker(redis_srv.url, srv.base_url, *SLOW, log=logs / f"w{n}.log") for n in (1, 2)]
        # Two kills, each once the server has seen a random number of requests: in the middle of the crawl.
        for n, at in enumerate(sorted(rng.sample(range(15, N_ARTICLES - 15), 2))):
            deadline = time.monotonic() + 60
            while len(srv.hits) < at:
                assert time.monotonic() < deadline, f"the crawl did not get to {at} requests"
                time.sleep(0.005)
            if victim in ("worker", "worker_sigterm"):
                workers[n].send_signal(signal.SIGKILL if victim == "worker" else signal.SIGTERM)
                # SIGTERM: it finishes the pages in hand, hands its other leases back at once, exits 130.
                assert workers[n].wait(60) == (-9 if victim == "worker" else 130)
                # Its leased requests come back after the lease (3 s); a new worker joins the same run.
                workers[n] = worker(redis_srv.url, srv.base_url, *SLOW, log=logs / f"w{n + 3}.log")
            elif victim == "ingest":
                writer.send_signal(signal.SIGKILL)
                writer.wait()
                time.sleep(rng.uniform(0, 0.5))
                writer = ingest(db, redis_srv.url, log=logs / f"ingest{n + 2}.log")
            else:
                redis_srv.kill()
                time.sleep(rng.uniform(0, 0.5))
                redis_srv.start()  # same dir and port: the append-only file brings back every acknowledged write
        reports = []
        for proc in workers:
            code, out = finish(proc)
            assert code == 0, "\n".join(p.read_text()[-1500:] for p in sorted(logs.glob("w*.log")))
            reports.append(json.loads(out))
        summary = stop_ingest(writer, redis_srv.url, 1, db)
    assert len({r["run"] for r in reports}) == 1
    got = archived(db)
    assert got["articles"] == {f"kurdistan24:ar:{n}": ("live", 1) for n in range(1, N_ARTICLES + 1)}
    assert got["versions"] == (N_ARTICLES, N_ARTICLES)  # no article twice, no version twice
    assert (got["new_fetches"], got["titles_right"], got["crawls"]) == (N_ARTICLES, N_ARTICLES, [("completed",)])
    assert summary["runs_finished"] == 1
    if victim == "ingest":  # each article item counted once in the crawl's field shares, across the restarts
        assert got["field_articles"] == [N_ARTICLES]
    if victim == "worker":  # the killed workers held leases: the others took their requests over
        assert sum(r["stats"].get("cluster/reclaimed", 0) for r in reports) > 0
    if victim == "worker_sigterm":  # the stopped workers handed back what they held: no lease ran out
        assert sum(r["stats"].get("cluster/reclaimed", 0) for r in reports) == 0
