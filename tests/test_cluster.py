"""The Redis cluster (crawl --redis, ingest): the same archive as one plain crawl; internals Scrapy must keep."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demo.server import DemoServer
from tests.cluster_helpers import dump, finish, ingest, stop_ingest, worker
from tests.conftest import crawl_json, run_cli
from tests.redis_server import RedisServer


@pytest.fixture
def redis_srv(tmp_path: Path) -> Iterator[RedisServer]:
    srv = RedisServer(tmp_path / "redis").start()
    yield srv
    srv.stop()


def cluster_crawl(url: str, base_url: str, *extra: str, workers: int = 2) -> list[dict]:
    """`workers` workers started together; each must exit 0 with its JSON report."""
    procs: list[subprocess.Popen[str]] = []
    for _ in range(workers):
        procs.append(worker(url, base_url, "--lang", "ar,ckb", *extra))
        time.sleep(0.3)
    reports = []
    for proc in procs:
        code, out = finish(proc)
        assert code == 0, out
        reports.append(json.loads(out))
    return reports


def test_two_workers_and_ingest_archive_what_one_crawl_does(tmp_path, redis_srv):
    """Day 1 then day 2 (edits, deletions, 304s from the ETags ingest seeded), plain and clustered."""
    plain, clustered = tmp_path / "plain.db", tmp_path / "cluster.db"
    with DemoServer(day=1) as site:
        base = ["--base-url", site.base_url, "--lang", "ar,ckb"]
        crawl_json("--db", str(plain), *base)
        writer = ingest(clustered, redis_srv.url, log=tmp_path / "ingest.log")
        day1 = cluster_crawl(redis_srv.url, site.base_url)
        site.set_day(2)
        answered_304 = site._not_modified
        crawl_json("--db", str(plain), *base, "--recheck", "all")
        plain_304, answered_304 = site._not_modified - answered_304, site._not_modified
        day2 = cluster_crawl(redis_srv.url, site.base_url, "--recheck", "all")
        cluster_304 = site._not_modified - answered_304
        summary = stop_ingest(writer, redis_srv.url, 2, clustered)
    # Each day one run that both workers joined; it ended once, and every item sent was written.
    for reports in (day1, day2):
        assert len({r["run"] for r in reports}) == 1
        assert [r["run_state"] for r in reports] == ["ended", "ended"]
        assert sum(bool(r["stats"].get("cluster/ended_run")) for r in reports) == 1
        assert sum(r["stats"].get("outcomes/missing", 0) for r in reports) == 0
    sent = sum(r["stats"].get("cluster/items_sent", 0) for r in day1 + day2)
    assert (summary["written"], summary["runs_finished"], summary["runs_seeded"]) == (sent, 2, 2)
    # Every article reached ingest with its write work done by its worker, and that work held.
    prepared = sum(r["stats"].get("cluster/items_prepared", 0) for r in day1 + day2)
    assert (summary["prepared_ahead"], summary["prepared_here"]) == (prepared, 0) and prepared == 21 + 3
    want, got = dump(plain), dump(clustered)
    assert got["crawls"] == want["crawls"]
    assert got["articles"] == want["articles"], [(a, b) for a, b in zip(got["articles"], want["articles"]) if a != b]
    assert got["versions"] == want["versions"]
    assert got["events"] == want["events"]
    # Day 2 sent the ETags ingest seeded from the archive: the demo site answered as many 304s as to one crawl.
    assert cluster_304 == plain_304 > 0


def test_a_worker_without_ingest_gives_up_and_withdraws_its_run(tmp_path, redis_srv):
    proc = run_cli("crawl", "--redis", redis_srv.url, "--base-url", "http://127.0.0.1:9", "--lang", "ar",
                   "-s", "NEWSARCHIVE_CLUSTER_SEED_TIMEOUT=1")
    assert proc.returncode == 1
    assert "no `newsarchive ingest` seeded run kurdistan24-" in proc.stderr
    status = json.loads(run_cli("cluster", "status", "--redis", redis_srv.url, "--json").stdout)
    assert [r["state"] for r in status["runs"]] == ["cancelled"]
    assert status["stream"] == {"length": 0, "pending": 0, "consumers": 0}


def test_commands_need_a_reachable_redis(tmp_path):
    for args in (["cluster", "status"], ["ingest", "--db", str(tmp_path / "a.db")]):
        proc = run_cli(*args, "--redis", "redis://127.0.0.1:9/0")
        assert (proc.returncode, proc.stdout) == (1, ""), proc.stderr
        assert "redis://127.0.0.1:9/0" in proc.stderr


def test_scrapy_keeps_the_engine_internals_the_leases_use():
    """crawler/cluster/scheduler.py reads the engine slot's `inprogress` (a request leaves it only after its
    callback's output went through the item pipelines) and calls its `nextcall` (private in Scrapy)."""
    import inspect

    from scrapy.core import engine

    slot_init = inspect.getsource(engine._Slot.__init__)
    assert "self.inprogress: set[Request] = set()" in slot_init and "self.nextcall" in slot_init
    start = inspect.getsource(engine.ExecutionEngine._start_scheduled_request)
    # The output is handled (scraped, items processed) before the request is removed from `inprogress`.
    assert start.index("_handle_downloader_output") < start.index("_remove_request")
    assert "self._slot.add_request(request)" in inspect.getsource(engine.ExecutionEngine._download)


@pytest.mark.parametrize(("args", "message"), [
    (["--site", "nosuch"], "newsarchive: unknown site 'nosuch' (known: "),
    (["--lang", "ar,zz"], "newsarchive: unknown edition 'zz' for site kurdistan24"),
    (["--max-pages", "-1"], "newsarchive: --max-pages must be 0 (no limit) or more\n"),
])
def test_a_worker_checks_its_options_before_redis(args, message):
    proc = run_cli("crawl", "--redis", "redis://127.0.0.1:9/0", *args)
    assert (proc.returncode, proc.stderr.startswith(message), proc.stderr.count("\n")) == (2, True, 1), proc.stderr


def test_a_worker_with_other_options_cannot_join_the_run(tmp_path, redis_srv):
    import redis as redis_py

    from crawler.cluster import runs

    server = redis_py.Redis.from_url(redis_srv.url)
    run, created = runs.claim(server, {"site": "kurdistan24", "editions": "ar", "base_url": "http://127.0.0.1:9",
                                       "site_source": "", "recheck": "due"})
    proc = run_cli("crawl", "--redis", redis_srv.url, "--base-url", "http://127.0.0.1:9", "--lang", "ckb")
    assert (created, proc.returncode) == (True, 2)
    assert proc.stderr == (f"newsarchive: run {run} of site kurdistan24 has "
                           "editions='ar', this worker 'ckb': run it with the same options, or after that run ends\n")


def test_one_ingest_per_archive_and_status_json(tmp_path, redis_srv):
    db = tmp_path / "a.db"
    first = ingest(db, redis_srv.url)
    try:
        deadline = time.monotonic() + 30
        while not db.exists() or json.loads(run_cli("cluster", "status", "--redis", redis_srv.url, "--json").stdout)[
                "stream"]["consumers"] == 0:
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        second = run_cli("ingest", "--db", str(db), "--redis", redis_srv.url)
        assert second.returncode == 75, second.stderr  # the archive's crawl lock: one writer
        status = json.loads(run_cli("cluster", "status", "--redis", redis_srv.url, "--json").stdout)
        assert status == {"runs": [], "stream": {"length": 0, "pending": 0, "consumers": 1}}
        assert run_cli("cluster", "status", "--redis", redis_srv.url).stdout == (
            "no runs\nstream: 0 item(s) waiting, 0 read by ingest and not yet acknowledged\n")
    finally:
        first.send_signal(signal.SIGTERM)
        code, out = finish(first, 30)
    assert (code, json.loads(out)) == (0, {"written": 0, "runs_finished": 0, "runs_seeded": 0,
                                                "prepared_ahead": 0, "prepared_here": 0,
                                                "wal_truncated": 0, "wal_postponed": 0})
    assert run_cli("ingest", "--db", str(db), "--redis", redis_srv.url, "--batch", "0").returncode == 2


def test_max_pages_counts_the_runs_requests_not_each_workers(redis_srv):
    """`--max-pages 8`: eight requests in the whole run, whichever of its workers makes them."""
    from types import SimpleNamespace

    from scrapy.settings import Settings
    from scrapy.statscollectors import MemoryStatsCollector

    from crawler.cluster.keys import connect
    from crawler.cluster.spider import ClusterSpider

    def spider() -> SimpleNamespace:
        crawler = SimpleNamespace(stats=MemoryStatsCollector(SimpleNamespace(settings=Settings())))
        return SimpleNamespace(config=SimpleNamespace(max_pages=8), server=connect(redis_srv.url), run="r1",
                               crawler=crawler, scheduled=0)

    one, two = spider(), spider()
    allowed = [ClusterSpider._budget_left(s) for _ in range(6) for s in (one, two)]  # type: ignore[arg-type]
    assert allowed == [True] * 8 + [False] * 4
    assert (one.scheduled, two.scheduled) == (4, 4)
    assert one.crawler.stats.get_value("spider/max_pages_reached") == 2


def test_max_pages_in_a_clustered_crawl(tmp_path, redis_srv):
    with DemoServer(day=1) as site:
        writer = ingest(tmp_path / "cluster.db", redis_srv.url, log=tmp_path / "ingest.log")
        reports = cluster_crawl(redis_srv.url, site.base_url, "--max-pages", "8")
        stop_ingest(writer, redis_srv.url, 1, tmp_path / "cluster.db")
    assert sum(r["stats"].get("cluster/handed_off", 0) for r in reports) == 8


def test_a_site_that_answers_nothing_fails_the_run_in_the_archive_and_every_worker(tmp_path, redis_srv):
    """As a plain crawl: no home page, listing or feed answered in the whole run -> `failed: entry_pages_failed`
    in `crawls` and exit 1, never a `completed` crawl of nothing."""
    import sqlite3

    from tests.redis_server import free_port

    db = tmp_path / "cluster.db"
    writer = ingest(db, redis_srv.url, log=tmp_path / "ingest.log")
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there: every request is refused
    procs = [worker(redis_srv.url, down, log=tmp_path / f"w{n}.log") for n in (1, 2)]
    results = [finish(proc) for proc in procs]
    stop_ingest(writer, redis_srv.url, 1, db)
    assert [code for code, _ in results] == [1, 1]
    reports = [json.loads(out) for _, out in results]
    assert [r["run_failed"] for r in reports] == ["entry_pages_failed"] * 2
    assert reports[0]["run_discovery"]["ok"] == 0 and reports[0]["run_discovery"]["failed"] > 0
    assert sqlite3.connect(db).execute("SELECT outcome FROM crawls").fetchall() == [("failed: entry_pages_failed",)]


def test_ingest_writes_the_runs_recheck_tiers(tmp_path, redis_srv):
    """A worker's NEWSARCHIVE_RECHECK_TIERS reach ingest through the run: every next check 60 s after the fetch."""
    import sqlite3
    from datetime import datetime

    db = tmp_path / "cluster.db"
    with DemoServer(day=1) as site:
        writer = ingest(db, redis_srv.url, log=tmp_path / "ingest.log")
        cluster_crawl(redis_srv.url, site.base_url, "-s", "NEWSARCHIVE_RECHECK_TIERS=[[10000000000, 60]]", workers=1)
        stop_ingest(writer, redis_srv.url, 1, db)
    rows = sqlite3.connect(db).execute("SELECT last_checked_at, next_check_at FROM articles").fetchall()
    gaps = {(datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds() for a, b in rows}
    # Both times are stored to the second, from two clock reads: 60 s apart, or 61 across a second's turn.
    assert len(rows) == 21 and gaps <= {60.0, 61.0}


def test_discovery_bounds_count_for_the_run_not_each_worker(redis_srv):
    """NEWSARCHIVE_MAX_LISTINGS=3 and NEWSARCHIVE_SITEMAP_MAX_FILES=2 between two workers' bounds: 3 and 2 in all."""
    from types import SimpleNamespace

    from scrapy.settings import Settings
    from scrapy.statscollectors import MemoryStatsCollector

    from crawler.bounds import DiscoveryBounds
    from crawler.cluster.bounds import RunBounds
    from crawler.cluster.keys import connect

    one, two = (RunBounds.of(DiscoveryBounds(max_listings=3, max_files=2), connect(redis_srv.url), "r1")
                for _ in range(2))
    stats = MemoryStatsCollector(SimpleNamespace(settings=Settings()))
    assert [b.listing_allowed(stats) for _ in range(3) for b in (one, two)] == [True, True, True, False, False, False]
    assert stats.get_value("discovery/cut") == 3 and (one.listings_cut, two.listings_cut) == (1, 2)
    assert [b.take("files", b.max_files) for b in (one, two, one)] == [True, True, False]
    two.give_back("files")  # its request was not made (the page budget ran out): the slot is free again
    assert [one.take("files", one.max_files), two.take("files", two.max_files)] == [True, False]
