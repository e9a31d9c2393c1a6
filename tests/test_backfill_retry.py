"""A backfill whose listing had a failed article keeps its cursor before that page; the next one retries it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from tests.conftest import run_cli
from tests.fault_server import FaultServer, article_html, page

PAGES = 4           # listing pages of 5 articles each, newest first: page p holds 5p..5p-4 (ids 20..1)
BROKEN = 12         # on page 2 (ids 15..11): answers 404 on the first backfill, exists on the second


def listing(p: int) -> str:
    cards = "".join(f'<article><a href="/ar/story/{n}/x">{n}</a></article>' for n in range(25 - 5 * p, 20 - 5 * p, -1))
    return f"<html><body><main>{cards}</main></body></html>"


def routes(broken: bool) -> dict[str, Any]:
    r: dict[str, Any] = {"/robots.txt": page("User-agent: *\n", content_type="text/plain"),
                         "/ar": page("<html><body>home</body></html>"), "/ar/latest": page(listing(1))}
    for p in range(2, PAGES + 1):
        r[f"/ar/latest?page={p}"] = page(listing(p))
    for n in range(1, 5 * PAGES + 1):
        r[f"/ar/story/{n}/x"] = page(article_html(n))
    if broken:
        r[f"/ar/story/{BROKEN}/x"] = page("<html><body>not found</body></html>", status=404)
    return r


def backfill(db: str, base_url: str) -> dict[str, Any]:
    proc = run_cli("backfill", "--local", "--json", "--db", db, "--base-url", base_url, "--sources", "listings")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_a_failed_article_is_retried_by_the_next_backfill_from_its_page(tmp_path: Path):
    db = str(tmp_path / "archive.db")
    with FaultServer(routes(broken=True)) as srv:
        first = backfill(db, srv.base_url)
        srv.routes.update(routes(broken=False))
        before = len(srv.targets)
        second = backfill(db, srv.base_url)
        asked = srv.targets[before:]
    assert (first["crawl"]["new_articles"], first["crawl"]["failed"]) == (19, 1)
    assert [(w["state"], w["position"], w["failed_units"]) for w in first["backfill"]["walks"]] == [
        ("to continue", 1, 1)]
    # Resumed at page 1 (the last complete one, walked again), then page 2 on: only the article that
    # failed is fetched again. Past the last page this server answers page 1 again (as sites do): two such
    # pages with nothing new to the listing end the walk.
    assert sorted(t for t in asked if t.startswith("/ar/story/")) == [f"/ar/story/{BROKEN}/x"]
    assert sorted(t for t in asked if t.startswith("/ar/latest")) == sorted(
        ["/ar/latest"] + [f"/ar/latest?page={p}" for p in range(2, PAGES + 3)])
    assert (second["crawl"]["new_articles"], second["crawl"]["failed"]) == (1, 0)
    assert [w["state"] for w in second["backfill"]["walks"]] == ["complete"]
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (5 * PAGES,)
        assert conn.execute("SELECT position, done FROM backfill_progress").fetchall() == [(PAGES + 2, 1)]
    finally:
        conn.close()
