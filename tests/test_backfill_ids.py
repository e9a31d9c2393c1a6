"""Backfill over an id range: missing ids, 410s and redirects to other articles, on a loopback site."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from tests.conftest import run_cli
from tests.fault_server import FaultServer, article_html, page, redirect

LOW, HIGH = 500, 530
ARTICLES = {530, 528, 525, 520, 515, 510, 505, 500, 540}   # 540 lies outside the range
GONE = {527, 512}                                        # 410: deleted before we ever archived them
REDIRECTS = {522: 525, 518: 540, 503: 540}               # to other articles (540 reached twice)
MISSING = set(range(LOW, HIGH + 1)) - ARTICLES - GONE - set(REDIRECTS)


def routes() -> dict[str, Any]:
    r: dict[str, Any] = {"/robots.txt": page("User-agent: *\nDisallow: /private/\n", content_type="text/plain")}
    for n in ARTICLES:
        r[f"/ar/story/{n}"] = page(article_html(n))
    for n in GONE:
        r[f"/ar/story/{n}"] = page("<html><body>gone</body></html>", status=410)
    for n, target in REDIRECTS.items():
        r[f"/ar/story/{n}"] = redirect(f"/ar/story/{target}", status=301)
    return r


def backfill(db: str, base_url: str, *extra: str) -> tuple[int, dict[str, Any], str]:
    proc = run_cli("backfill", "--local", "--json", "--db", db, "--base-url", base_url, "--sources", "ids",
                   "--ids", f"{LOW}-{HIGH}", *extra)
    return proc.returncode, (json.loads(proc.stdout) if proc.stdout.strip() else {}), proc.stderr


def fetch_rows(db: str) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return [(k, o) for k, o in conn.execute("SELECT article_key, outcome FROM fetches ORDER BY id")]
    finally:
        conn.close()


def test_id_range_counts_missing_ids_and_archives_redirect_targets_once(tmp_path: Path):
    db = str(tmp_path / "archive.db")
    with FaultServer(routes()) as srv:
        # One request at a time, so the order the server sees is the order of the walk.
        code, report, stderr = backfill(db, srv.base_url, "-s", "CONCURRENT_REQUESTS=1",
                                        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
        asked = [t for t in srv.targets if t.startswith("/ar/story/")]
    assert code == 0, stderr[-2000:]
    # Every id of the range asked once, newest first; the redirects' targets once per redirect.
    expected = Counter(f"/ar/story/{n}" for n in range(LOW, HIGH + 1)) + Counter(
        f"/ar/story/{target}" for target in REDIRECTS.values())
    assert Counter(asked) == expected
    walked = [int(t.rsplit("/", 1)[1]) for t in asked if t not in ("/ar/story/525", "/ar/story/540")]
    assert sorted(walked, reverse=True) == [n for n in range(HIGH, LOW - 1, -1) if n not in (525, 540)]
    # Newest first: the requests released together when robots.txt arrives may swap places within the
    # walk's window of ids in flight (8 here), never more.
    assert max(later - earlier for i, earlier in enumerate(walked) for later in walked[i + 1:]) < 8
    rows = fetch_rows(db)
    new = sorted(k for k, o in rows if o == "new")
    assert new == sorted(f"kurdistan24:ar:{n}" for n in ARTICLES)
    assert sorted(k for k, o in rows if o == "redirected") == sorted(f"kurdistan24:ar:{n}" for n in REDIRECTS)
    # Missing ids and 410s of articles never archived are counted, not recorded as failures.
    assert [o for _, o in rows if o not in ("new", "redirected")] == []
    b = report["backfill"]
    assert (b["ids_missing"], b["ids_gone"]) == (len(MISSING), len(GONE))
    assert report["crawl"]["failed"] == 0 and report["crawl"]["new_articles"] == len(ARTICLES)
    assert [w["state"] for w in b["walks"]] == ["complete"]
    conn = sqlite3.connect(db)
    try:
        versions = dict(conn.execute("SELECT article_key, count(*) FROM versions GROUP BY article_key"))
        cursor = conn.execute("SELECT kind, target, position, done FROM backfill_progress").fetchall()
    finally:
        conn.close()
    assert versions == {f"kurdistan24:ar:{n}": 1 for n in ARTICLES}
    assert cursor == [("ids", f"ar:{LOW}-{HIGH}:newest-first", LOW - 1, 1)]


def test_finished_range_is_not_walked_again_and_a_deleted_article_is_recorded_gone(tmp_path: Path):
    db = str(tmp_path / "archive.db")
    with FaultServer(routes()) as srv:
        assert backfill(db, srv.base_url)[0] == 0
        before = len(srv.targets)
        code, report, _ = backfill(db, srv.base_url)
        assert code == 0 and report["backfill"]["ids_done_before"] == 1
        assert [t for t in srv.targets[before:] if t.startswith("/ar/story/")] == []
        # The publisher deletes an archived article: a backfill walked again from the start (--restart,
        # --recheck all) records it gone; a missing id stays a count.
        srv.routes["/ar/story/520"] = page("<html><body>gone</body></html>", status=410)
        code, report, stderr = backfill(db, srv.base_url, "--restart", "--recheck", "all")
    assert code == 0, stderr[-2000:]
    assert [r["key"] for r in report["gone"]] == ["kurdistan24:ar:520"]
    assert report["backfill"]["ids_gone"] == len(GONE)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT status FROM articles WHERE key = 'kurdistan24:ar:520'").fetchone() == ("gone",)
    finally:
        conn.close()


def test_usage_errors_exit_2_with_one_line(tmp_path: Path):
    db = str(tmp_path / "archive.db")
    for args, message in (
            (["--ids", "12-x"], "malformed --ids '12-x'"),
            (["--since", "2024-02-30"], "malformed date '2024-02-30'"),
            (["--since", "2024-03-01", "--until", "2024-02-01"], "--since is later than --until"),
            (["--sources", "feeds"], "unknown --sources entry 'feeds'"),
            (["--oldest-first"], "--oldest-first needs --ids")):
        proc = run_cli("backfill", "--db", db, "--base-url", "http://127.0.0.1:9", *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.startswith("newsarchive: ") and message in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
