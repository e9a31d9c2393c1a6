"""`newsarchive reextract` after an extractor change: which fields the new extractor gains, changes or loses."""

from __future__ import annotations

import json
import sqlite3

from crawler.extract import EXTRACTOR_VERSION
from tests.conftest import crawl_json, run_cli
from tests.server import FixtureServer, Route
from tests.test_edits import site

PARAS = [
    "أربيل (كوردستان 24)- ناقش برلمان إقليم كوردستان اليوم مشروع قانون الموازنة العامة للعام المقبل في جلسة مطولة.",
    "وقال رئيس اللجنة المالية إن المشروع يتضمن زيادة في مخصصات قطاعي التعليم والصحة مقارنة بالعام الماضي.",
]
# A layout the profile's selectors do not know: lead, byline and date only the generic layer finds.
PAGE = ("<html lang='ar'><head><meta charset='utf-8'><title>البرلمان يناقش الموازنة</title></head><body>"
        "<div class='story'><h1 class='story-title'>البرلمان يناقش الموازنة</h1>"
        "<p class='story-standfirst'>النواب يطالبون بزيادة مخصصات التعليم في العام المقبل</p>"
        "<div class='story-byline'>بقلم: كاروان علي</div><span class='story-date'>07 أكتوبر 2020 - 12:09 م</span>"
        "<div class='story-body'>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</div></div></body></html>").encode()


def test_reextract_reports_what_the_new_extractor_changes(db_path):
    with FixtureServer(site(Route(PAGE))) as srv:
        crawl_json("--db", db_path, "--base-url", srv.base_url)
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT lead, author, published_at FROM versions").fetchall() == [
        ("النواب يطالبون بزيادة مخصصات التعليم في العام المقبل", "كاروان علي", "2020-10-07T12:09:00+03:00")]
    conn.close()
    as_extractor_1(db_path)
    text = run_cli("reextract", "--db", db_path)
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines() == [
        f"re-extracted 1 pages with extractor {EXTRACTOR_VERSION}: 1 changed (new versions marked reextract), "
        "0 unchanged, 0 no longer extract (kept as they were)",
        "what differs from the stored versions, in pages (dates are not content: a date alone makes no version):",
        "  title         1 changed",
        "  lead          1 gained",
        "  author        1 gained",
        "  published_at  1 gained"]
    as_extractor_1(db_path)
    proc = run_cli("reextract", "--db", db_path, "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert (result["pages"], result["changed"], result["extractor_version"]) == (1, 1, EXTRACTOR_VERSION)
    assert result["fields"] == {"title": {"gained": 0, "changed": 1, "lost": 0},
                                "lead": {"gained": 1, "changed": 0, "lost": 0},
                                "author": {"gained": 1, "changed": 0, "lost": 0},
                                "published_at": {"gained": 1, "changed": 0, "lost": 0}}
    again = json.loads(run_cli("reextract", "--db", db_path, "--json").stdout)
    assert (again["changed"], again["unchanged"], again["fields"]) == (0, 1, {})


def as_extractor_1(db_path: str) -> None:
    """The archive as the previous extractor left it: no lead, author or date, another title and hash."""
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE versions SET lead = NULL, author = NULL, published_at = NULL, extractor_version = '1', "
                     "content_hash = 'extractor-1', title = 'عنوان قديم'")
    conn.close()
