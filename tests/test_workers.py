"""Extraction worker processes (--workers): the same items and archive as in-process extraction, a hanging and
a dying worker recorded with their reasons, and no process left behind after a crawl or a SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from archive.prepare import KEY as PREPARED
from crawler.demo.server import DemoServer
from crawler.pool import ExtractPool
from crawler.process import Page, process
from crawler.site import available_sites, load_site
from crawler.site.fixtures import fixtures
from pipelines.ahead import prepare_ahead
from pipelines.clean import Boilerplate
from tests.conftest import ROOT, run_cli
from tests.server import FixtureServer
from tests.test_interrupt import slow_site

POOL_NOW = ["-s", "NEWSARCHIVE_WORKERS_START_AFTER=0"]  # the demo site is smaller than the default threshold


def fixture_pages() -> list[tuple[str, Page]]:
    pages = []
    for name in available_sites():
        for fx in fixtures(load_site(name)):
            doc, body = fx.load()
            inp = doc["input"]
            pages.append((name, Page(url=inp["url"], status=200, body=body, content_type=inp.get("content_type"),
                                     fetched_at=datetime.fromisoformat(inp["fetched_at"]))))
    return pages


def test_pool_items_equal_in_process_items_on_every_fixture_page() -> None:
    pages = fixture_pages()
    assert len(pages) == 5
    pools: dict[str, ExtractPool] = {}
    try:
        for name, page in pages:
            site = load_site(name)
            pool = pools.setdefault(name, ExtractPool(2, name, None, timeout=60).start())
            ident = site.identify(page.url)
            outcome = pool.submit(page, ident).result(timeout=120)
            expected = process(page, site, ident)
            # The worker also prepared the archive write (pipelines/ahead.py), for exactly this item.
            ahead = outcome.item.pop(PREPARED)
            assert ahead == prepare_ahead(dict(expected), Boilerplate(site.boilerplate))[PREPARED]
            assert outcome.item == expected and outcome.crashes == 0
            assert expected["kind"] == "article" and outcome.item["raw_html"] == page.body
            # Byte for byte: the items' JSON (their bytes as latin-1) is identical.
            dump = lambda item: json.dumps(item, sort_keys=True, default=lambda b: b.decode("latin-1"))  # noqa: E731
            assert dump(outcome.item) == dump(expected)
    finally:
        for pool in pools.values():
            pool.close()


# --- whole crawls ------------------------------------------------------------------------------------
def marked_env(mark: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "NEWSARCHIVE_TEST_MARK": mark}


def marked_pids(mark: str) -> set[int]:
    """Live processes (zombies aside) started with this mark in their environment: the crawl's children too."""
    pids = set()
    needle = f"NEWSARCHIVE_TEST_MARK={mark}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0") and \
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                pids.add(int(entry.name))
        except OSError:
            continue
    return pids


def leftover(mark: str, grace: float = 15) -> set[int]:
    """The marked processes still alive `grace` seconds after the crawl (the fork server ends just after it)."""
    deadline = time.monotonic() + grace
    while (left := marked_pids(mark)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def crawl(db: str, base_url: str, *extra: str, mark: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--local", "--json", "--db", db,
                           "--base-url", base_url, "--lang", "ar,ckb", *extra], cwd=ROOT, env=marked_env(mark),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def archive_rows(db: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every article, version and fetch as stored, without what differs between two runs (ids, times)."""
    conn = sqlite3.connect(db)
    try:
        def table(name: str, skip: set[str], order: str) -> list[tuple[Any, ...]]:
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({name})") if r[1] not in skip]
            # A date read from "2 hours ago" (published_approx) is a time of its fetch: two crawls a minute
            # apart store two minutes (the test failed when the runs straddled one).
            picked = ["CASE WHEN published_approx THEN NULL ELSE published_at END" if c == "published_at"
                      and "published_approx" in cols else c for c in cols]
            return conn.execute(f"SELECT {', '.join(picked)} FROM {name} ORDER BY {order}").fetchall()

        times = {"first_seen_at", "last_seen_at", "last_checked_at", "gone_at", "next_check_at", "last_changed_at"}
        return {"articles": table("articles", times | {"search_id"}, "key"),
                "versions": table("versions", {"id", "crawl_id", "fetched_at"}, "article_key, version"),
                "fetches": table("fetches", {"id", "crawl_id", "fetched_at"}, "article_key, url, outcome"),
                "hashes": conn.execute("SELECT article_key, version, content_hash FROM versions "
                                       "ORDER BY article_key, version").fetchall()}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def two_days(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo site's day 1 then day 2 (edits, a deletion), crawled with --workers 0 and with --workers 2."""
    out: dict[str, Any] = {}
    for workers in ("0", "2"):
        db = str(tmp_path_factory.mktemp(f"workers{workers}") / "archive.db")
        mark = uuid.uuid4().hex
        with DemoServer(day=1) as srv:
            day1 = crawl(db, srv.base_url, "--workers", workers, *POOL_NOW, mark=mark)
            srv.set_day(2)
            day2 = crawl(db, srv.base_url, "--workers", workers, *POOL_NOW, "--recheck", "all", mark=mark)
        out[workers] = {"db": db, "day1": day1, "day2": day2, "left": leftover(mark)}
    return out


def test_workers_give_the_same_archive(two_days):
    plain, pooled = archive_rows(two_days["0"]["db"]), archive_rows(two_days["2"]["db"])
    # Day 1's 21 articles and day 2's new one; day 2's edit is a second version; every fetch of both days.
    assert (len(plain["articles"]), len(plain["hashes"]), len(plain["fetches"])) == (22, 23, 49)
    for name in ("articles", "versions", "fetches", "hashes"):
        assert pooled[name] == plain[name], name


def test_workers_extracted_every_article_page(two_days):
    for day in ("day1", "day2"):
        plain, pooled = two_days["0"][day]["scrapy_stats"], two_days["2"][day]["scrapy_stats"]
        assert not any(k.startswith("pool/") for k in plain)
        article_pages = plain["outcomes/recorded"]
        assert (pooled["pool/started"], pooled["pool/workers"]) == (1, 2)
        assert pooled["pool/pages"] == article_pages and "pool/in_process" not in pooled
        assert pooled["outcomes/missing"] == 0 and pooled["pool/worker_cpu_s"] > 0
    # Every article the workers extracted reached the writer prepared (pipelines/ahead.py), and its prepared
    # result held after the crawl's own dedupe and clean pipelines: day 1's 21 new, day 2's new and edited
    # ones and its display-noise page (the other 19 answered 304).
    for day, articles in (("day1", 21), ("day2", 3)):
        plain, pooled = two_days["0"][day]["scrapy_stats"], two_days["2"][day]["scrapy_stats"]
        assert (plain.get("store/prepared_ahead"), plain["store/prepared_here"]) == (None, articles)
        assert (pooled["store/prepared_ahead"], pooled.get("store/prepared_here")) == (articles, None)


def test_no_process_left_after_crawls(two_days):
    assert two_days["0"]["left"] == set() and two_days["2"]["left"] == set()


def test_backfill_with_workers_gives_the_same_archive(tmp_path):
    from benchmarks.server import BenchServer

    archives = {}
    with BenchServer(120, per_page=20, sitemap=True) as srv:
        for workers in ("0", "2"):
            srv.reset()
            db, mark = str(tmp_path / f"w{workers}.db"), uuid.uuid4().hex
            proc = subprocess.run([sys.executable, "-m", "crawler.cli", "backfill", "--local", "--json", "--db", db,
                                   "--base-url", srv.base_url, "--workers", workers], cwd=ROOT,
                                  env=marked_env(mark), capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, proc.stderr[-3000:]
            stats = json.loads(proc.stdout)["scrapy_stats"]
            assert stats.get("pool/pages", 0) == (0 if workers == "0" else 100)  # after the first 20
            assert leftover(mark) == set()
            archives[workers] = archive_rows(db)
    assert len(archives["0"]["hashes"]) == 120
    for name in ("articles", "versions", "fetches"):
        assert archives["2"][name] == archives["0"][name], name


def test_hanging_and_dying_workers_are_recorded_failed(tmp_path):
    flag = tmp_path / "crashed-once"
    faults = {"/story/100003/": "sleep", "/story/100004/": "exit", "/story/100005/": f"exit-once:{flag}"}
    mark = uuid.uuid4().hex
    with DemoServer(day=1) as srv:
        plain = crawl(str(tmp_path / "plain.db"), srv.base_url, "--workers", "0", mark=mark)
        report = crawl(str(tmp_path / "faults.db"), srv.base_url, "--workers", "2", *POOL_NOW,
                       "-s", f"NEWSARCHIVE_WORKER_FAULTS={json.dumps(faults)}", "-s", "NEWSARCHIVE_WORKER_TIMEOUT=3",
                       mark=mark)
    assert leftover(mark) == set()
    failed = {r["key"]: r["reason"] for r in report["failed"]}
    assert failed == {"kurdistan24:ar:100003": "extraction timed out after 3 s (worker killed)",
                      "kurdistan24:ar:100004": "extraction worker died on this page twice (exit code 3)",
                      "kurdistan24:ar:100097": "empty body", "kurdistan24:ar:100098": "HTTP 404 (never archived)"}
    stats = report["scrapy_stats"]
    assert (stats["pool/timeouts"], stats["pool/failed"], stats["pool/crashed"], stats["pool/retried"]) == (1, 2, 3, 1)
    assert stats["outcomes/missing"] == 0
    assert report["crawl"]["new_articles"] == plain["crawl"]["new_articles"] - 2 == 19
    # The page a worker died on once was answered by its replacement: the same version as in-process.
    hashes = {db: dict(sqlite3.connect(tmp_path / db).execute(
        "SELECT article_key, content_hash FROM versions").fetchall()) for db in ("plain.db", "faults.db")}
    assert hashes["faults.db"]["kurdistan24:ar:100005"] == hashes["plain.db"]["kurdistan24:ar:100005"]
    assert {k: v for k, v in hashes["plain.db"].items()
            if k not in ("kurdistan24:ar:100003", "kurdistan24:ar:100004")} == hashes["faults.db"]


def wait_for(predicate: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.fixture
def slow_server() -> Iterator[FixtureServer]:
    with FixtureServer(slow_site(80, delay=0.4)) as srv:
        yield srv


@pytest.mark.parametrize("signals", [1, 2])
def test_sigterm_leaves_no_process_behind(tmp_path, slow_server, signals):
    """Once: the pages in hand finish; twice: it stops at once, though its workers hang on every page (the
    timeout is 10 minutes). Either way, nothing of the pool remains."""
    db, mark = str(tmp_path / "a.db"), uuid.uuid4().hex
    hang = ["-s", 'NEWSARCHIVE_WORKER_FAULTS={"/story/1": "sleep"}', "-s", "NEWSARCHIVE_WORKER_TIMEOUT=600"]
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--db", db, "--base-url",
                             slow_server.base_url, "--local", "--workers", "2", *POOL_NOW, "-s", "CONCURRENT_REQUESTS=4",
                             *(hang if signals == 2 else [])],
                            cwd=ROOT, env=marked_env(mark), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The crawl, the archive writer, the fork server and two workers.
        wait_for(lambda: len(marked_pids(mark)) >= 5, "the pool did not start")
        for _ in range(signals):
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err[-3000:]
    assert "Traceback" not in err
    assert leftover(mark) == set()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT outcome FROM crawls").fetchall() == [("interrupted",)]


def test_sigkill_of_the_crawl_leaves_no_process_behind(tmp_path, slow_server):
    """Killed outright (no handler runs): workers see their pipe close, the fork server its last client go."""
    mark = uuid.uuid4().hex
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--db", str(tmp_path / "a.db"),
                             "--base-url", slow_server.base_url, "--local", "--workers", "2", *POOL_NOW],
                            cwd=ROOT, env=marked_env(mark), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: len(marked_pids(mark)) >= 5, "the pool did not start")
        proc.kill()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert leftover(mark, grace=15) == set()


def test_workers_flag_contract():
    assert "--workers N" in run_cli("crawl", "--help").stdout
    assert "--workers N" in run_cli("backfill", "--help").stdout
    assert "--workers N" in run_cli("watch", "--help").stdout
    bad = run_cli("crawl", "--workers", "-1", "--db", "x.db")
    assert bad.returncode == 2 and "--workers: expected 0 or a positive whole number, got '-1'" in bad.stderr


@pytest.mark.parametrize(("cores", "workers"), [(1, 0), (2, 0), (3, 1), (4, 2), (16, 14)])
def test_default_workers_leave_two_cores_to_the_crawl_and_the_writer(cores: int, workers: int) -> None:
    from crawler.poolext import default_workers

    assert default_workers(cores) == workers
