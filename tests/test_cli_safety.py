"""Command-line input is data: search strings, keys and URLs never become SQL or FTS syntax, files stay in their folder."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archive.store import Archive
from crawler.cli import main
from tests.conftest import crawl_json, run_cli
from tests.fault_server import FaultServer, article_html, page

HOSTILE_KEYS = ["kurdistan24:ar:../../../../escape", "kurdistan24:..:..", "kurdistan24:ar:a/b\\c", "../x:/etc:passwd",
                "kurdistan24:ar:1' OR '1'='1", 'kurdistan24:ar:"; DROP TABLE articles; --', "kurdistan24:ar:.hidden"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("cli") / "archive.db")
    routes: dict[str, Any] = {"/robots.txt": page("", content_type="text/plain"),
                              "/ar": page("".join(f'<article><a href="/ar/story/{n}/x">{n}</a></article>'
                                                  for n in (1, 2, 3)))}
    routes.update({f"/ar/story/{n}/x": page(article_html(n)) for n in (1, 2, 3)})
    routes["/ar/latest"] = routes["/ar"]  # the profile's listing
    with FaultServer(routes) as srv:
        crawl_json("--db", db, "--base-url", srv.base_url)
    # Articles whose identity came from hostile data (a profile regex is data too).
    with Archive(db) as a:
        crawl = a.start_crawl("kurdistan24", ["ar"], None)
        for n, k in enumerate(HOSTILE_KEYS):
            a.record_article(crawl, {
                "key": k, "site": "kurdistan24", "edition": "ar", "article_id": str(n), "url": f"https://x/{n}",
                "title": f"عنوان غريب {n}", "body": [f"نص المقال الغريب رقم {n} للاختبار."],
                "raw_html": f"<html><body>page {n}</body></html>".encode(), "fetched_at": "2026-01-01T00:00:00+00:00",
                "extractor_version": "1"})
        a.finish_crawl(crawl)
    return db


def counts(db: str) -> tuple[int, int, str]:
    conn = sqlite3.connect(db)
    try:
        return (conn.execute("SELECT count(*) FROM articles").fetchone()[0],
                conn.execute("SELECT count(*) FROM versions").fetchone()[0],
                conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def one_line_error(proc: Any) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("newsarchive: ")
    return str(proc.stderr)


QUERIES_NO_MATCH = ["'; DELETE FROM versions; --", "x; DROP TABLE articles; --", "title_key: x",
                    "{title_key body_key}: x", "^abc", "a AND b", "x) OR (1=1", "😀 zz", "articles_fts MATCH 'x'",
                    "a*b", "1=1", "\u202e\u0000zz"]
QUERIES_REFUSED = ['"; DROP TABLE articles; --', '"unbalanced', "*", "OR", "NOT", "a OR", "-", "()", '"', "AND x",
                   "'", "", "%", "_", "\\", "' OR 1=1 --", "NEAR(", "NEAR(a b)", "x:y:z", "body:x"]


def search(archive: str, query: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The real command in this process (parser, command, archive): a subprocess each would cost seconds.
    Text output (--json writes to the stdout bound at import, which capsys does not see)."""
    code = main(["search", "--db", archive, query])
    out, err = capsys.readouterr()
    return code, out, err


def test_sql_and_fts_syntax_is_searched_as_text(archive: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = counts(archive)
    for query in QUERIES_NO_MATCH:
        assert search(archive, query, capsys) == (0, "", "0 result(s)\n"), query
    code, out, err = search(archive, "الخبر", capsys)
    assert (code, err) == (0, "3 result(s)\n")
    assert sorted(re.findall(r"kurdistan24:ar:\d+", out)) == [
        "kurdistan24:ar:1", "kurdistan24:ar:2", "kurdistan24:ar:3"]
    assert counts(archive) == before


def test_malformed_queries_get_one_line(archive: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = counts(archive)
    for query in QUERIES_REFUSED:
        code, out, err = search(archive, query, capsys)
        assert (code, out, err.count("\n"), err.startswith("newsarchive: ")) == (2, "", 1, True), (query, err)
        assert "sqlite" not in err.lower() and "fts5" not in err.lower(), err
    assert counts(archive) == before
    # And once through a real process: exit status and stderr exactly as a user sees them.
    one_line_error(run_cli("search", "--db", archive, '"; DROP TABLE articles; --'))


def test_quotes_and_operators_inside_real_searches(archive: str) -> None:
    proc = run_cli("search", "--db", archive, "--json", '"الخبر رقم 2"')
    assert [r["key"] for r in json.loads(proc.stdout)] == ["kurdistan24:ar:2"]
    proc = run_cli("search", "--db", archive, "--json", "--lang", "ar' OR '1'='1", "الخبر")
    assert "no edition \"ar' OR '1'='1\" in this archive (it has: ar)" in one_line_error(proc)


def test_hostile_keys_are_looked_up_as_values(archive: str, capsys: pytest.CaptureFixture[str]) -> None:
    for key in HOSTILE_KEYS:
        assert main(["history", "--db", archive, key]) == 0, key
        out = capsys.readouterr().out
        assert key in out and "عنوان غريب" in out, (key, out)
    proc = run_cli("history", "--db", archive, "--json", HOSTILE_KEYS[-2])
    assert [v["version"] for v in json.loads(proc.stdout)["versions"]] == [1]


UNKNOWN = ["kurdistan24:ar:1' OR '1'='1'--", 'kurdistan24:ar:1" OR "1"="1', "%", "kurdistan24:ar:%", "kurdistan24:ar:_",
           "https://www.kurdistan24.net/ar/story/1'--/x", "x' UNION SELECT * FROM versions --"]


def test_unknown_keys_and_urls_with_quotes(archive: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = counts(archive)
    for key in UNKNOWN:
        for command in ("history", "diff"):
            code = main([command, "--db", archive, key])
            err = capsys.readouterr().err
            assert (code, err.count("\n"), err.startswith("newsarchive: ")) == (2, 1, True), (command, key, err)
    assert counts(archive) == before
    one_line_error(run_cli("history", "--db", archive, UNKNOWN[0]))


def test_page_export_keeps_files_from_data_inside_the_folder(archive: str, tmp_path: Path) -> None:
    folder = tmp_path / "out" / "pages"
    proc = run_cli("export", "--db", archive, "--format", "pages", "-o", str(folder), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["files"] == 3 + len(HOSTILE_KEYS)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written and all(p.resolve().is_relative_to(folder.resolve()) for p in written)
    assert not any(part.startswith(".") or part == ".." for p in written for part in p.relative_to(folder).parts)
    index = [json.loads(line) for line in (folder / "index.jsonl").read_text("utf-8").splitlines()]
    assert sorted(r["key"] for r in index) == sorted([f"kurdistan24:ar:{n}" for n in (1, 2, 3)] + HOSTILE_KEYS)


def test_export_writes_exactly_the_path_given(archive: str, tmp_path: Path) -> None:
    # -o is the user's own choice (like any shell redirection): written as given, quotes and spaces included.
    target = tmp_path / "my exports" / "it's \"all\" here.jsonl"
    target.parent.mkdir()
    proc = run_cli("export", "--db", archive, "--format", "jsonl", "-o", str(target))
    assert proc.returncode == 0, proc.stderr
    assert len(target.read_text("utf-8").splitlines()) == 3 + len(HOSTILE_KEYS)
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]
