"""The command line's contract: every command has --help, errors are one line with honest exit codes."""

from __future__ import annotations

import pytest

from crawler.cli import COMMANDS
from crawler.site import available_sites
from tests.conftest import run_cli
from tests.server import FixtureServer, Route
from tests.test_edits import page, site


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    proc = run_cli(command, "--help")
    assert proc.returncode == 0
    assert proc.stdout.startswith(f"usage: newsarchive {command}")


@pytest.mark.parametrize(("args", "code", "message"), [
    (["crawl", "--site", "nosuch"], 2, f"newsarchive: unknown site 'nosuch' (known: {', '.join(available_sites())}, "
                                       "generic; or a path to a profile .toml)\n"),
    (["crawl", "--lang", "ar,zz"], 2, "newsarchive: unknown edition 'zz' for site kurdistan24 "
                                      "(known: ar, ckb, en, fa, kmr, tr)\n"),
    (["crawl", "--base-url", "127.0.0.1:80"], 2, "newsarchive: malformed --base-url '127.0.0.1:80': "
                                                 "expected http(s)://host[:port][/path]\n"),
    (["crawl", "--max-pages", "-1"], 2, "newsarchive: --max-pages must be 0 (no limit) or more\n"),
    (["stats", "--db", "/nonexistent/x.db"], 2, "newsarchive: no archive at /nonexistent/x.db "
                                                "(crawl first, or pass --db PATH)\n"),
])
def test_setup_errors_are_one_line(tmp_path, args, code, message):
    if args[0] == "crawl":
        args = [*args, "--db", str(tmp_path / "a.db")]
    proc = run_cli(*args)
    assert (proc.returncode, proc.stderr) == (code, message)


def test_unwritable_database_is_a_setup_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run_cli("crawl", "--db", str(blocker / "a.db"))
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"newsarchive: cannot open archive {blocker / 'a.db'}: ")
    assert proc.stderr.count("\n") == 1


def test_progress_lines_in_a_pipe(db_path):
    with FixtureServer(site(Route(page(), delay=1.0))) as srv:
        proc = run_cli("crawl", "--db", db_path, "--base-url", srv.base_url, "--local",
                       "-s", "NEWSARCHIVE_PROGRESS_INTERVAL=0.3")
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("progress: pages ")]
    assert lines, proc.stderr
    assert " | new 0 edited 0 unchanged 0 failed 0 blocked 0 gone 0 | " in lines[0]
    assert "1 new, 0 edited (new versions), 0 unchanged" in proc.stdout


def test_unreachable_site_is_a_runtime_failure(db_path):
    proc = run_cli("crawl", "--db", db_path, "--base-url", "http://127.0.0.1:9", "--local", "-s", "RETRY_TIMES=0")
    assert proc.returncode == 1
    assert "newsarchive: robots.txt could not be fetched (see the log): nothing was crawled from that host\n" \
        in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "0 new, 0 edited (new versions), 0 unchanged" in proc.stdout


def test_scrapy_project_lists_the_spiders():
    import subprocess
    import sys

    from tests.conftest import ROOT

    proc = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == sorted([*available_sites(), "backfill", "news"])
