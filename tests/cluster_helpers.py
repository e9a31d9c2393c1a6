"""Helpers of the cluster tests: worker and ingest processes, and an archive dump without ids or times."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

# Short lease and idle times: a killed worker's requests come back in seconds, a run ends 1 s after its last page.
FAST = ["-s", "NEWSARCHIVE_CLUSTER_IDLE=1", "-s", "NEWSARCHIVE_CLUSTER_LEASE=3", "-s", "NEWSARCHIVE_CLUSTER_TICK=0.2"]


def spawn(*args: str, log: Path | None = None) -> subprocess.Popen[str]:
    err = open(log, "a") if log else subprocess.PIPE  # noqa: SIM115 - closed with the process
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=err)


def worker(url: str, base_url: str, *extra: str, log: Path | None = None) -> subprocess.Popen[str]:
    return spawn("crawl", "--redis", url, "--local", "--json", "--base-url", base_url, "--lang", "ar", *FAST, *extra,
                 log=log)


def ingest(db: str | Path, url: str, log: Path | None = None) -> subprocess.Popen[str]:
    return spawn("ingest", "--db", str(db), "--redis", url, "--json", log=log)


def finish(proc: subprocess.Popen[str], timeout: float = 90) -> tuple[int, str]:
    out, _ = proc.communicate(timeout=timeout)
    return proc.returncode, out


def stop_ingest(proc: subprocess.Popen[str], url: str, runs: int, db: str | Path) -> dict[str, Any]:
    """Once `runs` cluster runs are finished in the archive: SIGTERM, exit 0, its JSON summary."""
    deadline = time.monotonic() + 60
    while finished_runs(db) < runs:
        assert proc.poll() is None, f"ingest exited {proc.returncode}"
        assert time.monotonic() < deadline, "ingest did not finish the runs"
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    code, out = finish(proc, 30)
    assert code == 0, out
    return json.loads(out)


def finished_runs(db: str | Path) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return int(conn.execute("SELECT count(*) FROM cluster_runs WHERE finished = 1").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def dump(db: str | Path) -> dict[str, Any]:
    """What an archive holds, without crawl ids, timestamps or row ids: articles, versions, fetches (events).
    A date read from "2 hours ago" (published_approx) is a time of its fetch, so it is left out too."""
    conn = sqlite3.connect(db)
    q = lambda sql: [tuple(r) for r in conn.execute(sql).fetchall()]  # noqa: E731
    data = {
        "articles": sorted(q("SELECT key, site, edition, article_id, url, canonical_url, status, current_version, "
                             "version_count, duplicate_of, CASE WHEN published_approx THEN NULL ELSE published_at END, "
                             "published_approx, modified_at, etag, last_modified, "
                             "redirected_to FROM articles")),
        "versions": sorted(q("SELECT article_key, version, url, http_status, title, lead, body, author, tags, "
                             "content_hash, raw_size, change, origin, layout FROM versions")),
        "events": sorted(Counter(q("SELECT article_key, url, http_status, outcome, reason, version FROM fetches")).items()),
        "crawls": q("SELECT site, editions, base_url, outcome, new_articles, new_versions, unchanged, gone, failed, "
                    "blocked, suspect, redirected, not_modified, field_counts FROM crawls ORDER BY id"),
    }
    conn.close()
    return data
