"""Datasette-ready: views, a metadata description of every column, and `newsarchive serve` over real HTTP."""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from archive import neardup, views
from archive.datasette_config import describe, load_metadata
from archive.store import Archive
from tests.conftest import ROOT, run_cli, serve_process, until_answering

BODY = ["أربيل (كوردستان 24)- وصل وفد من الحكومة الاتحادية إلى أربيل اليوم لبحث ملف الرواتب.",
        "وقال المتحدث إن الاجتماع كان إيجابياً."]


def item(key: str, title: str, fetched: str, body: list[str] = BODY) -> dict[str, Any]:
    return {"key": key, "url": f"https://www.kurdistan24.net/ar/story/{key.rsplit(':', 1)[1]}/x", "title": title,
            "body": body, "published_at": "2024-01-15T10:00:00+03:00", "fetched_at": fetched, "raw_html": b"<html/>"}


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "newsarchive.db"
    with Archive(path) as a:
        first = a.start_crawl("kurdistan24", ["ar"], None)
        a.record_article(first, item("kurdistan24:ar:1", "وفد يصل إلى أربيل", "2024-01-15T08:00:00+00:00"))
        a.record_article(first, item("kurdistan24:ar:2", "جلسة البرلمان", "2024-01-15T08:01:00+00:00",
                                     ["عقد البرلمان جلسة لمناقشة قانون الموازنة العامة للعام المقبل."]))
        a.record_observation(first, {"key": "kurdistan24:ar:7", "url": "https://www.kurdistan24.net/ar/story/7/x",
                                     "outcome": "blocked", "reason": "challenge page",
                                     "fetched_at": "2024-01-15T08:02:00+00:00"})
        a.finish_crawl(first)
        second = a.start_crawl("kurdistan24", ["ar"], None)
        a.record_article(second, item("kurdistan24:ar:1", "وفد حكومي يصل إلى أربيل", "2024-01-16T08:00:00+00:00"))
        a.finish_crawl(second)
    return path


def rows(a: Archive, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in a.db.execute(sql).fetchall()]


def test_views(db_file):
    with Archive(db_file) as a:
        assert views.create_views(a.db) == ["latest_versions", "edits", "timeline", "crawl_runs"]
        assert views.create_views(a.db) == ["latest_versions", "edits", "timeline", "crawl_runs"]  # idempotent
        assert rows(a, "SELECT key, version, version_count, title FROM latest_versions ORDER BY key") == [
            ("kurdistan24:ar:1", 2, 2, "وفد حكومي يصل إلى أربيل"), ("kurdistan24:ar:2", 1, 1, "جلسة البرلمان")]
        assert rows(a, "SELECT key, version, title_before, title_after, hours_after_publication FROM edits") == [
            ("kurdistan24:ar:1", 2, "وفد يصل إلى أربيل", "وفد حكومي يصل إلى أربيل", 25.0)]
        assert rows(a, "SELECT day, fetches, new_articles, edits, blocked, crawls FROM timeline ORDER BY day") == [
            ("2024-01-15", 3, 2, 0, 1, 1), ("2024-01-16", 1, 0, 1, 0, 1)]
        assert rows(a, "SELECT id, new_articles, new_versions, blocked, fetches, failed_or_blocked_pct "
                       "FROM crawl_runs") == [(2, 0, 1, 0, 1, 0.0), (1, 2, 0, 1, 3, 33.3)]
        # The view's search_id column is the FTS rowid, so Datasette's search box can filter it.
        assert rows(a, "SELECT key FROM latest_versions WHERE search_id IN "
                       "(SELECT rowid FROM search_fts WHERE search_fts MATCH '\"موازن\"')") == [
            ("kurdistan24:ar:2",)]


def test_metadata_describes_every_column(db_file):
    with Archive(db_file) as a:
        views.create_views(a.db)
        with a.db.atomic():
            neardup.ensure_tables(a.db)
        names = [n for (n,) in a.db.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'search_fts_%' ORDER BY name")]
        schema = {n: [c[1] for c in a.db.execute(f"PRAGMA table_info([{n}])")] for n in names}
    described = describe()
    missing = {t: [c for c in cols if not described.get(t, {}).get(c)] for t, cols in schema.items()}
    assert {t: c for t, c in missing.items() if c} == {}, "add these to archive/datasette_metadata.json"
    stale = {t: sorted(set(cols) - set(schema.get(t, []))) for t, cols in described.items()}
    assert {t: c for t, c in stale.items() if c} == {}, "described but not in the schema"
    meta = load_metadata("other")
    assert list(meta["databases"]) == ["other"]
    assert "ar_query(:q)" in meta["databases"]["other"]["queries"]["search"]["sql"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read().decode("utf-8") or "null")


def test_serve_over_http(db_file):
    pytest.importorskip("datasette")
    port = free_port()
    proc = serve_process(db_file, port)
    base = f"http://127.0.0.1:{port}/newsarchive"
    try:
        status, data = until_answering(proc, lambda: get(f"{base}/latest_versions.json?_shape=array&_sort=key"))
        assert status == 200
        assert [(r["key"], r["version"]) for r in data] == [("kurdistan24:ar:1", 2), ("kurdistan24:ar:2", 1)]
        status, data = get(f"{base}/edits.json?_shape=array")
        assert [(r["key"], r["title_after"]) for r in data] == [("kurdistan24:ar:1", "وفد حكومي يصل إلى أربيل")]
        q = urllib.parse.quote("بأربيل")
        status, data = get(f"{base}/search.json?_shape=array&q={q}")  # the canned query, via ar_query()
        assert status == 200 and [r["key"] for r in data] == ["kurdistan24:ar:1"]
        # The table search box goes through the same expansion (أربيل with hamza, clitic ب).
        status, data = get(f"{base}/latest_versions.json?_shape=array&_search={q}")
        assert status == 200 and [r["key"] for r in data] == ["kurdistan24:ar:1"]
        status, data = get(f"{base}/articles.json?_shape=array&_search={urllib.parse.quote('الموازنة')}")
        assert [r["key"] for r in data] == ["kurdistan24:ar:2"]
        status, data = get(f"{base}/search.json?q={urllib.parse.quote(chr(34) + 'أربيل')}")
        assert status == 400 and "ar_query: unbalanced quote" in json.dumps(data, ensure_ascii=False)
        status, data = get(f"{base}.json")
        assert status == 200
        # Arbitrary SQL is allowed for analysts, but only reads (and the connections are mode=ro).
        status, data = get(f"{base}.json?_shape=array&sql={urllib.parse.quote('SELECT count(*) AS n FROM versions')}")
        assert data == [{"n": 3}]
        status, data = get(f"{base}.json?sql={urllib.parse.quote('DELETE FROM articles')}")
        assert status == 400
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    with Archive(db_file) as a:
        assert a.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 2


def test_serve_without_datasette(db_file, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "datasette.py").write_text("raise ImportError('simulated: not installed')\n")
    proc = run_cli("serve", "--db", str(db_file), env={"PYTHONPATH": f"{blocker}{os.pathsep}{ROOT}"})
    assert proc.returncode == 2
    assert proc.stderr == "newsarchive: datasette is not installed; pip install 'newsarchive[datasette]'\n"
    out = tmp_path / "meta.json"
    proc = run_cli("serve", "--db", str(db_file), "--metadata", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "latest_versions" in json.loads(out.read_text("utf-8"))["databases"]["newsarchive"]["tables"]
