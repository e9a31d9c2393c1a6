"""The archive against hostile use: aliases of its file, readers without write access, store errors, full disks,
killed exports, formula cells, and a served archive under attack. Real files, real CLI, real servers."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from archive.schema import SCHEMA_VERSION
from archive.atomicfile import atomic_open
from archive.connect import open_readonly
from archive.errors import ArchiveError
from archive.lock import ArchiveLocked, CrawlLock
from archive.store import Archive
from tests.conftest import ROOT, run_cli, serve_process, until_answering
from tests.fault_server import Exchange, FaultServer, page
from tests.test_archive_safety import big_article, big_site

BODY = ["أربيل (كوردستان 24)- وصل وفد من الحكومة الاتحادية إلى أربيل اليوم لبحث ملف الرواتب.",
        "وقال المتحدث إن الاجتماع كان إيجابياً."]


def item(n: int, title: str = "وفد يصل إلى أربيل", body: list[str] = BODY, **extra: Any) -> dict[str, Any]:
    return {"key": f"kurdistan24:ar:{n}", "url": f"https://www.kurdistan24.net/ar/story/{n}/x", "title": title,
            "body": body, "published_at": "2024-01-15T10:00:00+03:00", "fetched_at": "2024-01-15T08:00:00+00:00",
            "raw_html": b"<html/>", **extra}


def make_archive(path: Path, n: int = 2) -> Path:
    with Archive(path) as a:
        crawl = a.start_crawl("kurdistan24", ["ar"], None)
        for i in range(1, n + 1):
            a.record_article(crawl, item(i, title=f"وفد يصل إلى أربيل {i}"))
        a.record_article(crawl, item(1, title="وفد حكومي يصل إلى أربيل 1"))  # an edit: version 2
        a.finish_crawl(crawl)
    return path


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def stderr_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return proc.stderr.splitlines()


# --- 3. one writer per real file ---------------------------------------------------------------------------
def test_a_second_writer_through_a_hard_link_or_symlink_is_refused(tmp_path: Path):
    db = make_archive(tmp_path / "a.db")
    hard = tmp_path / "other-name.db"
    os.link(db, hard)
    (tmp_path / "sub").mkdir()
    soft = tmp_path / "sub" / "link.db"
    soft.symlink_to(db)
    with CrawlLock(db):
        for alias in (hard, soft, Path(os.path.relpath(db))):
            with pytest.raises(ArchiveLocked):
                CrawlLock(alias).acquire()
        for alias in (hard, soft):
            links = "; the file has 2 names (hard links)"  # the symlink's target is the hard-linked file
            proc = run_cli("crawl", "--db", str(alias), "--base-url", "http://127.0.0.1:9", "--local")
            assert proc.returncode == 75, proc.stderr[-2000:]
            assert proc.stderr == (f"newsarchive: another crawl is writing to {alias} (pid {os.getpid()}{links}); "
                                   "try again when it has finished\n")
    with CrawlLock(hard):  # released: any name takes it again
        pass


def test_sqlite_files_follow_the_real_path_of_a_symlinked_archive(tmp_path: Path):
    db = make_archive(tmp_path / "real.db")
    link = tmp_path / "link.db"
    link.symlink_to(db)
    with Archive(link) as archive:
        archive.db.execute("CREATE TABLE IF NOT EXISTS probe (x)")
        assert Path(f"{db}-wal").exists() and not Path(f"{link}-wal").exists()


# --- 10. reading commands never write ----------------------------------------------------------------------
READERS = [
    ("search", "أربيل"), ("stats",), ("history", "kurdistan24:ar:1"), ("export", "--format", "jsonl"),
    ("edits",), ("diff", "kurdistan24:ar:1"), ("report", "-o", "{tmp}/report.html"),
]


def test_reading_commands_leave_the_archive_byte_identical(tmp_path: Path):
    db = make_archive(tmp_path / "a.db")
    # A rollback-journal archive (as copied by a backup tool): a reader used to switch it to WAL.
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    before = fingerprint(db)
    for command in READERS:
        args = [a.replace("{tmp}", str(tmp_path)) for a in command]
        proc = run_cli(args[0], "--db", str(db), *args[1:])
        assert proc.returncode == 0, (args, proc.stderr[-2000:])
        assert fingerprint(db) == before, args
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("a.db")) == ["a.db"], args
    ro = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert ro.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    ro.close()


def test_a_reader_opens_mode_ro_and_cannot_write(tmp_path: Path):
    db = make_archive(tmp_path / "a.db")
    with Archive(db, readonly=True) as archive:
        assert archive.db.execute("PRAGMA query_only").fetchone()[0] == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly|query_only"):
            archive.db.execute("DELETE FROM articles")


def test_an_old_or_foreign_file_is_not_migrated_by_a_reader(tmp_path: Path):
    old = make_archive(tmp_path / "old.db")
    conn = sqlite3.connect(old)
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()
    before = fingerprint(old)
    proc = run_cli("search", "--db", str(old), "أربيل")
    assert proc.returncode == 2
    assert proc.stderr == (f"newsarchive: archive {old} has schema 0, this newsarchive reads {SCHEMA_VERSION}: run a crawl (or "
                           "`newsarchive migrate`) to upgrade it (reading commands never write)\n")
    assert fingerprint(old) == before
    assert run_cli("migrate", "--db", str(old)).returncode == 0
    assert run_cli("search", "--db", str(old), "أربيل").returncode == 0

    foreign = tmp_path / "notes.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    before = fingerprint(foreign)
    for command in ("search", "stats", "export"):
        proc = run_cli(command, "--db", str(foreign), *(["x"] if command == "search" else []))
        assert (proc.returncode, proc.stderr) == (2, f"newsarchive: {foreign} is not a newsarchive archive "
                                                     "(no articles table)\n")
    assert fingerprint(foreign) == before
    names = [n for (n,) in sqlite3.connect(foreign).execute("SELECT name FROM sqlite_master")]
    assert names == ["notes"]  # not the 31 objects of an archive


def test_an_analyst_without_write_access_can_search(tmp_path: Path):
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to an unprivileged user (root itself ignores file permissions)")
    folder = Path(tempfile.mkdtemp(prefix="newsarchive-ro-", dir="/tmp"))
    try:
        db = make_archive(folder / "a.db")  # WAL mode, closed: no -wal or -shm left
        assert sorted(p.name for p in folder.iterdir()) == ["a.db"]
        db.chmod(0o444)
        folder.chmod(0o555)
        before = fingerprint(db)

        # The interpreter lives under /root here, which nobody cannot enter: fork this process (modules
        # already imported) instead of starting a new one, and drop to nobody in the child.
        from archive.search import search
        from crawler.cli import build_parser, main
        from crawler.commands import open_archive

        build_parser()  # imports every command module while still root
        with contextlib.redirect_stdout(io.StringIO()):  # and their imports
            main(["search", "--json", "--db", str(make_archive(tmp_path / "warm.db")), "أربيل"])
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns to pytest
            code = 99
            try:
                os.setgid(65534)
                os.setuid(65534)
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                    status = [main([*args, "--db", str(db)]) for args in (["stats"], ["export"], ["search", "x"])]
                with open_archive(str(db)) as archive, open(write_end, "w", encoding="utf-8") as out:
                    json.dump({"status": status, "keys": [r["key"] for r in search(archive.db, "أربيل")]}, out)
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            output = pipe.read().decode("utf-8")
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, output[-2000:]
        assert json.loads(output) == {"status": [0, 0, 0], "keys": ["kurdistan24:ar:2", "kurdistan24:ar:1"]}
        assert fingerprint(db) == before
        assert sorted(p.name for p in folder.iterdir()) == ["a.db"]
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


# --- 5. store errors are counted and fail the crawl --------------------------------------------------------
def test_an_item_the_archive_refuses_is_counted_and_fails_the_crawl(tmp_path: Path):
    db = tmp_path / "a.db"
    Archive(db).close()
    conn = sqlite3.connect(db)  # the archive refuses article 2 (as a constraint would)
    conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON versions WHEN NEW.article_key = 'kurdistan24:ar:2' "
                 "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END")
    conn.commit()
    conn.close()
    with FaultServer(big_site(4, 40)) as srv:
        proc = run_cli("crawl", "--local", "--json", "--db", str(db), "--base-url", srv.base_url,
                       "--log-level", "INFO", timeout=120)
    assert proc.returncode == 1, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["crawl"]["outcome"] == "failed: store_error"
    assert report["crawl"]["new_articles"] == 3
    assert report["scrapy_stats"]["store/error"] == 1
    errors = [line for line in stderr_lines(proc) if " ERROR: " in line]
    assert len(errors) == 1 and errors[0].endswith(
        "ERROR: not stored https://www.kurdistan24.net/ar/story/2/x: IntegrityError: refused by a test trigger")
    # Log lines stay short: the page (about 40 paragraphs, 25 KB) is never logged.
    assert max(len(line) for line in stderr_lines(proc)) < 2000
    assert "Traceback" not in proc.stderr


def test_a_writer_lock_held_past_the_retries_stops_the_crawl_visibly(tmp_path: Path):
    db = tmp_path / "a.db"
    Archive(db).close()
    held = threading.Event()

    def hold_lock() -> None:
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(17)  # past 3 tries of 5 s; released before the crawl's outcome has to be written
        conn.execute("COMMIT")
        conn.close()

    def article_then_lock(n: int) -> Any:
        answer = page(big_article(n, 20))

        def behaviour(ex: Exchange) -> None:
            if not held.is_set():
                threading.Thread(target=hold_lock, daemon=True).start()
                held.wait(5)
            answer(ex)
        return behaviour

    routes = big_site(3, 20)
    routes["/ar/story/3/x"] = article_then_lock(3)
    with FaultServer(routes) as srv:
        started = time.monotonic()
        proc = run_cli("crawl", "--local", "--json", "--db", str(db), "--base-url", srv.base_url,
                       "-s", "CONCURRENT_REQUESTS=1", timeout=120)
    assert proc.returncode == 1, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["crawl"]["outcome"] == "failed: store_error"
    stats = report["scrapy_stats"]
    assert stats["store/error"] == 1 and stats["store/busy_retry"] == 2
    errors = [line for line in stderr_lines(proc) if " ERROR: " in line]
    assert len(errors) == 1, proc.stderr[-3000:]
    assert re.search(rf"ERROR: archive {re.escape(str(db))} cannot be written \(OperationalError: database is "
                     r"locked\): crawl stopped after https://www\.kurdistan24\.net/ar/story/\d/x; everything stored "
                     "before is intact$", errors[0]), errors[0]
    assert 15 < time.monotonic() - started < 60


# --- 6. a full disk always ends failed: disk_full, exit 1 -------------------------------------------------
def check_disk_full(proc: subprocess.CompletedProcess[str], db: Path) -> tuple[int, int]:
    assert proc.returncode == 1, proc.stderr[-2000:]
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        outcomes = [o for (o,) in conn.execute("SELECT outcome FROM crawls")]
        stored = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert "Traceback" not in proc.stderr
    assert not Path(f"{db}-reserve").exists()
    if not outcomes:  # full before the crawl could even be recorded
        assert proc.stderr.endswith("newsarchive: the crawl did not start: disk_full\n"), proc.stderr[-2000:]
    else:
        assert outcomes == ["failed: disk_full"], proc.stderr[-2000:]
    return len(outcomes), stored


@pytest.mark.parametrize("pages", [20, 40, 70, 110])
def test_full_at_any_size_limit_is_failed_disk_full(tmp_path: Path, pages: int):
    db = tmp_path / "a.db"
    with FaultServer(big_site(20, 12)) as srv:
        proc = run_cli("crawl", "--local", "--json", "--db", str(db), "--base-url", srv.base_url,
                       "-s", f"NEWSARCHIVE_MAX_PAGE_COUNT={pages}", timeout=120)
    crawls, stored = check_disk_full(proc, db)
    # 20 is below what the empty archive takes (SQLite then caps at its current size): full at once.
    assert crawls == 1 and stored < 20


def test_full_disk_on_a_real_filesystem_is_failed_disk_full(tmp_path: Path):
    """A tmpfs of a few sizes: the fill point lands anywhere, the crawl's own last write included (that one
    left the crawl `running` with exit 0 before: 1 of 9 sizes)."""
    mount = tmp_path / "small"
    mount.mkdir()
    probe = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root in a mount namespace)")
    subprocess.run(["umount", str(mount)], check=True)
    seen = []
    with FaultServer(big_site(40, 12)) as srv:
        for size in ("200k", "900k", "2m", "2100k"):
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], check=True)
            try:
                db = mount / "a.db"
                proc = run_cli("crawl", "--local", "--json", "--db", str(db), "--base-url", srv.base_url, timeout=120)
                seen.append(check_disk_full(proc, db))
            finally:
                subprocess.run(["umount", str(mount)], check=True)
    assert seen[0] == (0, 0)  # 200k: full before the crawl's row
    assert all(crawls == 1 and stored > 0 for crawls, stored in seen[1:]), seen


# --- 12. exports --------------------------------------------------------------------------------------------
def test_a_killed_export_leaves_the_earlier_file_whole(tmp_path: Path):
    db = make_archive(tmp_path / "a.db", n=3)
    out = tmp_path / "out.jsonl"
    assert run_cli("export", "--db", str(db), "-o", str(out)).returncode == 0
    good = out.read_bytes()
    assert len(good.splitlines()) == 3
    # An export killed (SIGKILL) after writing its first record.
    script = ("import os, signal, sys; import archive.export as e; real = e.write_jsonl\n"
              "def dying(records, fp):\n"
              "    fp.write('{\"partial\": 1}\\n'); fp.flush(); os.kill(os.getpid(), signal.SIGKILL)\n"
              "e.write_jsonl = dying\n"
              "from crawler.cli import main; sys.exit(main(sys.argv[1:]))")
    proc = subprocess.run([sys.executable, "-c", script, "export", "--db", str(db), "-o", str(out)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert out.read_bytes() == good
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.jsonl.") and p.name.endswith(".part")]
    assert len(leftovers) == 1  # the hidden partial file: never under the name a reader opens


def test_atomic_open_keeps_the_old_file_on_error(tmp_path: Path):
    target = tmp_path / "x.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    with pytest.raises(RuntimeError), atomic_open(target, "w") as out:
        out.write("new, half")
        raise RuntimeError("stopped")
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["x.csv"]
    with atomic_open(target, "w") as out:
        out.write("new\n")
    assert target.read_text() == "new\n" and target.stat().st_mode & 0o777 == 0o640
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    with atomic_open(link, "w") as out:
        out.write("through the link\n")
    assert link.is_symlink() and target.read_text() == "through the link\n"


FORMULAS = {"title": "=HYPERLINK(\"http://evil.example/\",\"انقر\")", "author": "@SUM(1+1)", "section": "+cmd|' /C calc'!A0",
            "lead": "-2+3", "tags": ["=1+1"]}


def test_csv_formula_cells_are_neutralised_with_and_without_bom(tmp_path: Path):
    db = tmp_path / "a.db"
    with Archive(db) as a:
        crawl = a.start_crawl("kurdistan24", ["ar"], None)
        a.record_article(crawl, item(1, title=FORMULAS["title"], author=FORMULAS["author"],
                                     section=FORMULAS["section"], lead=FORMULAS["lead"], tags=FORMULAS["tags"],
                                     body=["=SUM(A1) في أول الفقرة"]))
        a.finish_crawl(crawl)
    for extra, prefix in (([], ""), (["--bom"], "\ufeff")):
        proc = run_cli("export", "--db", str(db), "--format", "csv", *extra)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(prefix + "key,")
        row = next(csv.DictReader(io.StringIO(proc.stdout.removeprefix(prefix))))
        assert row["title"] == "'" + FORMULAS["title"]
        assert row["author"] == "'@SUM(1+1)"
        assert row["section"] == "'+cmd|' /C calc'!A0"
        assert row["lead"] == "'-2+3"
        assert row["body"] == "'=SUM(A1) في أول الفقرة"
        assert row["tags"] == '["=1+1"]'  # JSON text starts with [: nothing to run
        assert row["key"] == "kurdistan24:ar:1"
    kept = run_cli("export", "--db", str(db), "--format", "csv", "--keep-formulas")
    assert next(csv.DictReader(io.StringIO(kept.stdout)))["title"] == FORMULAS["title"]
    jsonl = run_cli("export", "--db", str(db))
    assert json.loads(jsonl.stdout)["title"] == FORMULAS["title"]  # JSON Lines keeps the text exactly


def test_export_into_a_closed_pipe_exits_0_quietly(tmp_path: Path):
    db = tmp_path / "a.db"
    with Archive(db) as a:
        crawl = a.start_crawl("kurdistan24", ["ar"], None)
        for n in range(1, 201):
            a.record_article(crawl, item(n, title=f"خبر {n}", body=[f"فقرة طويلة {n} " * 60]))
        a.finish_crawl(crawl)
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "export", "--db", str(db)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert json.loads(proc.stdout.readline())["key"] == "kurdistan24:ar:1"
    proc.stdout.close()  # as `| head -1` does
    assert proc.wait(timeout=60) == 0
    assert proc.stderr.read() == b""


# --- 11 and issue 14: serve -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(url: str, host: str | None = None, method: str = "GET") -> tuple[int, str]:
    req = urllib.request.Request(url, method=method, data=b"q=x" if method == "POST" else None)
    if host:
        req.add_header("Host", host)
    try:
        with urllib.request.urlopen(req, timeout=20) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def serve_dirs() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("newsarchive-serve-*")}


def test_serve_refuses_rebinding_posts_dangerous_functions_and_huge_values(tmp_path: Path):
    pytest.importorskip("datasette")
    db = make_archive(tmp_path / "newsarchive.db")
    before, dirs_before = fingerprint(db), serve_dirs()
    port = free_port()
    proc = serve_process(db, port)
    base = f"http://127.0.0.1:{port}/newsarchive"

    def sql(query: str) -> tuple[int, str]:
        return request(f"{base}.json?_shape=array&sql={urllib.parse.quote(query)}")

    try:
        status, _ = until_answering(proc, lambda: request(f"{base}.json"))
        assert status == 200
        assert request(f"{base}.json", host=f"localhost:{port}")[0] == 200
        # DNS rebinding: the attacker's name in Host, the request reaching 127.0.0.1.
        status, text = request(f"{base}/articles.json", host=f"evil.example:{port}")
        assert status == 421 and "is not served here" in text
        assert request(f"{base}.json", host=f"127.0.0.1:{port + 1}")[0] == 421
        # A POST (to the canned search too) is refused, not a 500.
        status, text = request(f"{base}/search?q=x", method="POST")
        assert status == 405 and "read-only" in text
        status, text = sql("SELECT count(*) AS n FROM versions")
        assert (status, json.loads(text)) == (200, [{"n": 3}])
        for denied in ("SELECT hex(fts3_tokenizer('simple'))", "SELECT load_extension('/tmp/x')",
                       "SELECT readfile('/etc/passwd')", "SELECT hex(randomblob(300000000))",
                       "SELECT length(zeroblob(300000000))"):
            status, text = sql(denied)
            # readfile() exists only where the sqlite3 shell's functions are loaded: absent or denied.
            expected = "no such function" if "readfile" in denied else "not authorized"
            assert status == 400 and expected in text, (denied, status, text[:300])
        status, text = sql("SELECT length(replace(printf('%.*c', 1000000, 'x'), 'x', 'xxxxxxxxxxxxxxx'))")
        assert status == 400 and "string or blob too big" in text
        status, text = sql("ATTACH DATABASE '/tmp/x.db' AS x")
        assert status == 400
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    assert serve_dirs() - dirs_before == set()  # its metadata folder is gone after SIGTERM
    assert fingerprint(db) == before  # serve wrote nothing (no views made, no checkpoint)


def test_serve_on_a_busy_port_and_metadata_to_an_unwritable_path(tmp_path: Path):
    pytest.importorskip("datasette")
    db = make_archive(tmp_path / "newsarchive.db")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = run_cli("serve", "--db", str(db), "--port", str(port))
    assert proc.returncode == 2
    assert proc.stderr == (f"newsarchive: port {port} on 127.0.0.1 is in use (another server?): choose one with "
                           "--port N\n")
    proc = run_cli("serve", "--db", str(db), "--metadata", str(tmp_path / "no" / "such" / "meta.json"))
    assert proc.returncode == 2
    assert proc.stderr == f"newsarchive: cannot write {tmp_path}/no/such/meta.json: No such file or directory\n"
    out = tmp_path / "meta.json"
    assert run_cli("serve", "--db", str(db), "--metadata", str(out)).returncode == 0
    assert json.loads(out.read_text("utf-8"))["plugins"]["newsarchive"] == {
        "allowed_hosts": ["127.0.0.1", "localhost", "[::1]"], "read_only": True}


def test_readonly_open_refuses_a_missing_file_without_creating_it(tmp_path: Path):
    missing = tmp_path / "nothing.db"
    with pytest.raises(ArchiveError, match="no archive at"):
        open_readonly(missing)
    assert not missing.exists()


# --- 13. the WAL guard and a reader that never lets go ------------------------------------------------------
def test_wal_guard_waits_once_for_a_pinning_reader_then_backs_off_without_waiting(tmp_path: Path):
    from pipelines.walguard import WalGuard

    path = str(tmp_path / "wal.db")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("CREATE TABLE t (x BLOB)")
    limit = 64 * 1024
    guard = WalGuard(writer, path, limit=limit)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchone()
    waits, steps = [], []
    for _ in range(40):
        writer.execute("INSERT INTO t VALUES (randomblob(40000))")
        before, started = guard.next_at, time.monotonic()
        guard.after_write()
        if guard.next_at != before:
            waits.append(time.monotonic() - started)
            steps.append(guard.next_at - Path(path + "-wal").stat().st_size)
    # 1.6 MB written past a 64 KiB limit: attempts at doubling distances, not one per 64 KiB (25 waits of 1 s).
    assert steps == [limit, 2 * limit, 4 * limit, 8 * limit, 16 * limit]
    assert waits[0] > 0.9 and all(w < 0.3 for w in waits[1:]), waits
    reader.execute("COMMIT")
    writer.execute("INSERT INTO t VALUES (randomblob(40000))")
    guard.next_at = 0
    guard.after_write()
    assert (Path(path + "-wal").stat().st_size, guard.failures) == (0, 0)
    reader.close()
    writer.close()
