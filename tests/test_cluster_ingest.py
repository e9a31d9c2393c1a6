"""`ingest` restarted mid-run: the run's refused items and field counts, recorded with each batch, still count."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.cluster.cursor import run_errors
from crawler.cluster.ingest import Ingest
from crawler.cluster.keys import STREAM, connect, run_key
from crawler.cluster.stream import encode
from tests.redis_server import RedisServer
from tests.test_writer_equivalence import art

RUN = "kurdistan24-20261205T100000-abcdef"
AT = "2026-12-05T10:00:00+00:00"


@pytest.fixture
def redis_srv(tmp_path: Path) -> Iterator[RedisServer]:
    srv = RedisServer(tmp_path / "redis").start()
    yield srv
    srv.stop()


def ingest_all(db: Path, url: str, entries: list[dict[str, Any]]) -> None:
    """One ingest process's life: what is in the stream now is written, then it stops (as on SIGTERM)."""
    server = connect(url)
    for fields in entries:
        server.xadd(STREAM, fields)
    writer = Ingest(str(db), url, batch=10, block_ms=50)
    try:
        writer.run(lambda: server.xlen(STREAM) == 0)
    finally:
        writer.close()


def item(data: dict[str, Any]) -> dict[str, Any]:
    return {"run": RUN, "kind": data["kind"], "data": encode(data)}


def test_an_ingest_restarted_mid_run_keeps_its_refusals_and_field_counts(tmp_path: Path, redis_srv: RedisServer):
    db = tmp_path / "archive.db"
    server = connect(redis_srv.url)
    server.hset(run_key(RUN), mapping={"site": "kurdistan24", "editions": "ar", "base_url": "", "site_source": "",
                                       "recheck": "due", "state": "running"})
    refused = art(2, AT, author=None, lead=None)
    refused["body"] = 42  # not a list of paragraphs: the archive refuses this item with its own error
    ingest_all(db, redis_srv.url, [item(art(1, AT)), item(refused)])
    conn = sqlite3.connect(db)
    assert run_errors(conn, RUN) == 1
    conn.close()
    # A new ingest (the first one was stopped or killed) writes the rest of the run and its end.
    ingest_all(db, redis_srv.url, [item(art(3, AT, author=None)), {"run": RUN, "kind": "end"}])
    conn = sqlite3.connect(db)
    outcome, counts = conn.execute("SELECT outcome, field_counts FROM crawls").fetchone()
    keys = [k for (k,) in conn.execute("SELECT key FROM articles ORDER BY key")]
    conn.close()
    assert keys == ["kurdistan24:ar:1", "kurdistan24:ar:3"]
    assert outcome == "failed: store_error"  # the refusal happened before the restart
    assert json.loads(counts) == {"articles": 3, "title": 3, "lead": 2, "body": 3, "author": 1, "section": 3,
                                  "tags": 3, "images": 3, "captions": 3, "published_at": 3, "modified_at": 0}


def test_ingest_keeps_the_wal_bounded_while_a_reader_polls(tmp_path: Path, redis_srv: RedisServer):
    """Ingest runs as long as the cluster does, with readers (Datasette, `search`) beside it: the same WAL guard
    as a crawl's writer empties the WAL once it passes the limit, and readers see only whole versions."""
    import random

    from tests.test_archive_safety import WORDS, Reader

    db = tmp_path / "archive.db"
    server = connect(redis_srv.url)
    server.hset(run_key(RUN), mapping={"site": "kurdistan24", "editions": "ar", "base_url": "", "site_source": "",
                                       "recheck": "due", "state": "running"})
    rng = random.Random(7)
    n, limit = 120, 256 * 1024
    for i in range(1, n + 1):  # seeded random words: versions that compression cannot make small
        body = [" ".join(rng.choice(WORDS) for _ in range(80)) + f" {i}-{p}." for p in range(12)]
        server.xadd(STREAM, item(art(i, AT, body=body)))
    server.xadd(STREAM, {"run": RUN, "kind": "end"})
    reader = Reader(str(db))
    reader.start()
    writer = Ingest(str(db), redis_srv.url, batch=10, block_ms=50, wal_limit=limit)
    try:
        writer.run(lambda: server.xlen(STREAM) == 0)
    finally:
        writer.close()
        reader.stop.set()
        reader.join(timeout=30)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM versions").fetchone()[0] == n
    conn.close()
    assert reader.problems == [] and reader.polls > 0
    assert writer.counts["walguard/truncated"] >= 5
    # Ten articles a batch write ~0.5 MB of frames: the WAL stays within the limit and a batch or two
    # (without the guard, 4.7 MB in this test).
    assert reader.max_wal < limit + 1536 * 1024
