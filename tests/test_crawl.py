"""End to end: real Scrapy crawls of the bundled demo site on 127.0.0.1, day 1 then day 2, into a real SQLite file."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from crawler.demo.server import DemoServer
from tests.conftest import REFERENCE, REFERENCE_SHA256, crawl_json, run_cli

MANIFEST = json.loads((Path(__file__).parent.parent / "crawler/demo/site/manifest.json").read_text("utf-8"))
ARTICLES = {a["key"]: a for a in MANIFEST["articles"]}
CHANGES = MANIFEST["day2_changes"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = str(tmp_path_factory.mktemp("crawl") / "archive.db")
    with DemoServer(day=1) as srv:
        day1 = crawl_json("--db", db, "--base-url", srv.base_url, "--lang", "ar,ckb")
        day1_requests = list(srv.requests)
        srv.set_day(2)
        day2 = crawl_json("--db", db, "--base-url", srv.base_url, "--lang", "ar,ckb", "--recheck", "all")
        before = srv._not_modified
        rerun = crawl_json("--db", db, "--base-url", srv.base_url, "--lang", "ar,ckb", "--recheck", "all")
        rerun_304 = srv._not_modified - before
        mark = len(srv.requests)
        due_only = crawl_json("--db", db, "--base-url", srv.base_url, "--lang", "ar,ckb")
        due_requests = srv.requests[mark:]
        requests = list(srv.requests)
    return {"db": db, "day1": day1, "day2": day2, "rerun": rerun, "requests": requests,
            "day1_requests": day1_requests, "rerun_304": rerun_304, "due_only": due_only,
            "due_requests": due_requests}


def rows(db: str, sql: str, *params: Any) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def keys(report: dict[str, Any], outcome: str) -> list[str]:
    return sorted(r["key"] for r in report[outcome])


def test_day1_counts(crawled):
    c = crawled["day1"]["crawl"]
    assert c["outcome"] == "completed"
    assert c["new_articles"] == MANIFEST["totals"]["day1"]["articles"] == 21
    assert (c["new_versions"], c["unchanged"], c["gone"]) == (0, 0, 0)
    assert keys(crawled["day1"], "blocked") == ["kurdistan24:ar:100099"]
    assert keys(crawled["day1"], "failed") == ["kurdistan24:ar:100097", "kurdistan24:ar:100098"]


def test_special_pages_are_never_versions(crawled):
    specials = {s["key"]: s for s in MANIFEST["special"]}
    for key in specials:
        assert rows(crawled["db"], "SELECT 1 FROM versions WHERE article_key = ?", key) == []
    blocked = crawled["day1"]["blocked"][0]
    assert blocked["reason"] == 'challenge page: "Just a moment..."'
    reasons = {r["key"]: r["reason"] for r in crawled["day1"]["failed"]}
    assert reasons == {"kurdistan24:ar:100097": "empty body", "kurdistan24:ar:100098": "HTTP 404 (never archived)"}


def test_reference_article_exactly(crawled):
    lines = REFERENCE.read_text("utf-8").split("\n")
    title, lead, caption, caption2 = lines[0], lines[2], lines[3], lines[4]
    assert caption == caption2
    body = [line for line in lines[6:] if line.strip()]
    (v,) = rows(crawled["db"], "SELECT * FROM versions WHERE article_key = 'kurdistan24:ar:100001'")
    assert v["title"] == title
    assert v["lead"] == lead
    assert v["body"].split("\n\n") == body
    assert caption not in v["body"]
    images = json.loads(v["images"])
    assert [img["caption"] for img in images] == [caption]
    assert images[0]["url"].endswith(".jpg")
    assert (v["dateline_place"], v["dateline_agency"]) == ("أربيل", "كوردستان 24")
    assert v["published_at"] == "2021-11-26T14:30:00+03:00"


def test_reference_copy_is_byte_exact():
    assert hashlib.sha256(REFERENCE.read_bytes()).hexdigest() == REFERENCE_SHA256


def test_every_article_as_the_manifest_says(crawled):
    stored = {r["article_key"]: r for r in rows(
        crawled["db"], "SELECT * FROM versions WHERE version = 1")}
    day1 = {k: a for k, a in ARTICLES.items() if a.get("day1")}
    assert sorted(stored) == sorted(ARTICLES)
    for key, art in day1.items():
        v = stored[key]
        assert v["title"] == art["title"], key
        assert len(v["body"].split("\n\n")) == art["body_paragraphs"], key
        if art.get("dateline"):
            assert (v["dateline_place"], v["dateline_agency"]) == (art["dateline"]["place"], art["dateline"]["agency"]), key
        dropped = sorted(d["reason"] for d in json.loads(v["dropped"] or "[]"))
        assert dropped == sorted(d["reason"] for d in art.get("dropped", [])), key


def test_each_identity_fetched_once_per_crawl(crawled):
    per_crawl = rows(crawled["db"], "SELECT crawl_id, article_key, COUNT(*) AS n FROM fetches "
                                    "GROUP BY crawl_id, article_key HAVING n > 1")
    assert [tuple(r) for r in per_crawl] == []
    variants = {v["key"] for v in MANIFEST["url_variants"]}
    article_paths = Counter(p.split("?")[0] for p in crawled["day1_requests"] if "/story/" in p)
    assert all(n == 1 for n in article_paths.values()), article_paths
    assert variants <= set(ARTICLES)


def test_robots_disallowed_paths_never_fetched(crawled):
    for path in crawled["requests"]:
        assert not path.startswith(tuple(MANIFEST["robots"]["disallow"])), path
    assert crawled["requests"].count("/robots.txt") == 4  # once per crawl


def test_day2_finds_the_edit_the_new_article_and_the_deletion(crawled):
    report = crawled["day2"]
    assert keys(report, "new") == CHANGES["new"] == ["kurdistan24:ar:100021"]
    assert keys(report, "version") == CHANGES["edited"] == ["kurdistan24:ar:100003"]
    assert keys(report, "gone") == CHANGES["deleted"] == ["kurdistan24:ar:100015"]
    edit = report["version"][0]
    assert edit["diff"]["title"]["changed"] is True
    assert (edit["diff"]["body"]["added"], edit["diff"]["body"]["changed"], edit["diff"]["body"]["removed"]) == (1, 1, 0)
    c = report["crawl"]
    assert (c["new_articles"], c["new_versions"], c["gone"], c["unchanged"]) == (1, 1, 1, 19)


def test_display_noise_is_not_an_edit(crawled):
    (noise,) = CHANGES["noise_only"]
    (a,) = rows(crawled["db"], "SELECT version_count FROM articles WHERE key = ?", noise)
    assert a["version_count"] == 1


def test_deleted_article_keeps_its_version_and_shows_gone(crawled):
    (gone,) = CHANGES["deleted"]
    (a,) = rows(crawled["db"], "SELECT status, version_count, gone_at FROM articles WHERE key = ?", gone)
    assert (a["status"], a["version_count"]) == ("gone", 1)
    assert a["gone_at"]


def test_rerun_on_unchanged_pages_adds_nothing(crawled):
    c = crawled["rerun"]["crawl"]
    assert (c["new_articles"], c["new_versions"]) == (0, 0)
    # --recheck all: the 21 live articles answer 304; the gone one is rechecked and still gone.
    assert (c["unchanged"], c["not_modified"], c["gone"]) == (22, 21, 0)
    assert crawled["rerun_304"] == 21
    (n,) = rows(crawled["db"], "SELECT COUNT(*) FROM versions")
    assert n[0] == 21 + 1 + 1  # day 1, the edit, the new article


def test_default_recheck_fetches_only_due_articles(crawled):
    # Minutes after the last check nothing archived is due: only the entry pages and listings are
    # fetched, and the articles found there are skipped as known and not due.
    c = crawled["due_only"]["crawl"]
    assert (c["new_articles"], c["new_versions"], c["unchanged"]) == (0, 0, 0)
    assert [p for p in crawled["due_requests"] if "/story/" in p and "100097" not in p
            and "100098" not in p and "100099" not in p] == []
    assert crawled["due_only"]["scrapy_stats"]["recheck/not_due"] > 0


def test_cli_reads_the_archive(crawled):
    db = crawled["db"]
    proc = run_cli("search", "--db", db, "--json", "التحالف")
    assert proc.returncode == 0, proc.stderr
    assert "kurdistan24:ar:100001" in [r["key"] for r in json.loads(proc.stdout)]
    proc = run_cli("export", "--db", db, "--format", "jsonl")
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(records) == 22
    ref = next(r for r in records if r["key"] == "kurdistan24:ar:100001")
    assert sorted(ref) == sorted(["key", "url", "edition", "version", "title", "lead", "body", "author", "section",
                                  "tags", "images", "published_at", "modified_at", "first_seen_at", "fetched_at",
                                  "content_hash", "duplicate_of", "status"])
    proc = run_cli("diff", "--db", db, "kurdistan24:ar:100003", "--color", "never")
    assert proc.returncode == 0, proc.stderr
    assert "[-الأسبوع-] {+الشهر+}" in proc.stdout
    proc = run_cli("history", "--db", db, "--json", ARTICLES["kurdistan24:ar:100003"]["url"] + "?utm_source=x")
    assert [v["version"] for v in json.loads(proc.stdout)["versions"]] == [1, 2]


def test_demo_command(tmp_path):
    proc = run_cli("demo", "--db", str(tmp_path / "demo.db"), timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "== day 2: the next day's crawl ==" in out
    assert "new:     kurdistan24:ar:100021" in out
    assert "edited:  kurdistan24:ar:100003" in out
    assert "gone:    kurdistan24:ar:100015" in out
    assert out.count("\n  fields:  title 100%, lead ") == 2  # extraction health, one line per crawl
    assert "title: مطار أربيل الدولي يستأنف رحلاته إلى أوروبا [-الأسبوع-] {+الشهر+} المقبل" in out


def test_crawl_reports_extraction_health(crawled):
    """Per field, the article pages that yielded it, as stored: day 1's new versions are those pages."""
    found = crawled["day1"]["health"]
    assert found["articles"] == 21 and found["warnings"] == [] and found["usual"] is None
    stored = rows(crawled["db"], "SELECT * FROM versions WHERE crawl_id = 1")
    assert len(stored) == 21
    for field in ("title", "lead", "author", "section", "published_at", "modified_at"):
        assert found["fields"][field]["found"] == sum(1 for v in stored if v[field]), field
    for field in ("tags", "images"):
        assert found["fields"][field]["found"] == sum(1 for v in stored if json.loads(v[field])), field
    assert found["fields"]["captions"]["found"] == sum(
        1 for v in stored if any(i["caption"] for i in json.loads(v["images"])))
    assert 0 < found["fields"]["author"]["found"] < 21  # the demo site has pages with and without a byline
    counted = rows(crawled["db"], "SELECT field_counts FROM crawls WHERE id = 1")[0]["field_counts"]
    assert json.loads(counted)["articles"] == 21
