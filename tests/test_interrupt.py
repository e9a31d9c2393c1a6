"""Ctrl-C in a real terminal: the whole CLI under a pseudo-terminal, a slow loopback site, SIGINT once and twice.

Once: the pages in hand finish, one "stopping" line, the crawl is recorded `interrupted`, exit 130, no
Twisted traceback. Twice: it stops at once (without waiting for slow pages), still `interrupted`, exit 130.
"""

from __future__ import annotations

import os
import pty
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.server import FixtureServer, Route
from tests.test_edits import page

STOPPING = "stopping: finishing the pages in hand… (Ctrl-C again to stop now)"
FIRST_ID = 1000


class SlowAfter:
    """A fixed page whose delay starts after the shared budget of fast answers is spent (whatever the order)."""

    def __init__(self, body: bytes, delay: float, budget: list[int]) -> None:
        self.body, self.status, self.etag, self.dynamic = body, 200, None, None
        self.headers = {"Content-Type": "text/html; charset=utf-8"}
        self._delay, self._budget = delay, budget

    @property
    def delay(self) -> float:
        if self._budget[0] > 0:
            self._budget[0] -= 1
            return 0.0
        return self._delay


def slow_site(count: int, delay: float, fast: int = 0) -> dict[str, Route]:
    """A home page linking `count` articles; the first `fast` asked answer at once, the others after `delay` s."""
    ids = range(FIRST_ID, FIRST_ID + count)
    cards = "".join(f"<article><h3><a href='/ar/story/{i}/x'>{i}</a></h3></article>" for i in ids)
    home = Route(f"<html><body><nav><a href='/ar/latest'>l</a></nav>{cards}</body></html>".encode())
    routes = {"/robots.txt": Route(b"", 404), "/ar": home, "/ar/latest": home,
              "/ar/rss.xml": Route(b"<rss><channel></channel></rss>", headers={"Content-Type": "application/rss+xml"})}
    budget = [fast]
    for i in ids:
        paras = [f"فقرة أولى من الخبر رقم {i} وفيها ما يكفي من الكلمات لاستخراج النص.", "وفقرة ثانية من نص الخبر."]
        body = page(title=f"خبر رقم {i}", paras=paras)
        routes[f"/ar/story/{i}/x"] = SlowAfter(body, delay, budget) if fast else Route(body, delay=delay)  # type: ignore[assignment]
    return routes


class Terminal:
    """`newsarchive ARGS` with a pseudo-terminal as its stdin, stdout and stderr, as in an interactive shell."""

    def __init__(self, *args: str) -> None:
        master, slave = pty.openpty()
        self.proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, stdin=slave,
                                     stdout=slave, stderr=slave, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                     start_new_session=True)
        os.close(slave)
        self.master = master
        self.output = ""
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:  # EIO: the child closed the terminal
                return
            if not data:
                return
            with self._lock:
                self.output += data.decode("utf-8", "replace")

    def wait_for(self, pattern: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if re.search(pattern, self.output):
                    return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        pytest.fail(f"no {pattern!r} in the output:\n{self.output[-3000:]}")

    def interrupt(self) -> None:
        self.proc.send_signal(signal.SIGINT)

    def finish(self, timeout: float) -> int:
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=5)
        os.close(self.master)
        return code


@pytest.fixture
def terminal() -> Iterator[list[Terminal]]:
    started: list[Terminal] = []
    yield started
    for t in started:
        if t.proc.poll() is None:
            t.proc.kill()
            t.proc.wait()


def crawl_args(db: str, base_url: str) -> list[str]:
    return ["crawl", "--db", db, "--base-url", base_url, "--local", "-s", "CONCURRENT_REQUESTS=2",
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"]


def crawls(db: str) -> list[tuple[str, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT outcome, new_articles FROM crawls ORDER BY id").fetchall()


def assert_clean(output: str) -> None:
    for noise in ("Unhandled error", "CRITICAL", "Traceback", "ReactorNotRunning", "did not start"):
        assert noise not in output, output[-3000:]


def test_ctrl_c_once_stops_gracefully(tmp_path, terminal):
    db = str(tmp_path / "a.db")
    with FixtureServer(slow_site(80, delay=0.4)) as srv:
        t = Terminal(*crawl_args(db, srv.base_url))
        terminal.append(t)
        t.wait_for(r"pages \d+ \| new [1-9]")  # the live progress line is counting
        t.interrupt()
        code = t.finish(timeout=60)
    assert code == 130, t.output[-3000:]
    assert_clean(t.output)
    assert t.output.count(STOPPING) == 1
    after = t.output.split(STOPPING, 1)[1]
    assert "\x1b[Kpages" not in after  # the progress line froze when the stop began
    [(outcome, new)] = crawls(db)
    assert outcome == "interrupted" and 1 <= new < 80
    assert "crawl 1 interrupted in " in after and f": {new} new, " in after


def test_ctrl_c_twice_stops_now(tmp_path, terminal):
    db = str(tmp_path / "a.db")
    # Two pages answer at once, every other one only after 60 s: a graceful stop would wait for them.
    with FixtureServer(slow_site(20, delay=60, fast=2)) as srv:
        t = Terminal(*crawl_args(db, srv.base_url))
        terminal.append(t)
        t.wait_for(r"pages \d+ \| new [1-9]")
        t.interrupt()
        t.wait_for(re.escape(STOPPING))
        started = time.monotonic()
        t.interrupt()
        code = t.finish(timeout=30)
        elapsed = time.monotonic() - started
    assert code == 130, t.output[-3000:]
    assert elapsed < 20, elapsed  # did not wait for the 60 s pages
    assert_clean(t.output)
    assert "stopping now" in t.output.split(STOPPING, 1)[1]
    [(outcome, new)] = crawls(db)
    assert outcome == "interrupted" and new >= 1
    assert "crawl 1 interrupted in " in t.output


def test_sigterm_to_watch_stops_its_crawl_cleanly(tmp_path):
    """`watch` passes one SIGTERM to its crawl: recorded interrupted, no traceback, watch says so and exits 0."""
    db = str(tmp_path / "a.db")
    with FixtureServer(slow_site(80, delay=0.4)) as srv:
        proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "watch", "--every", "1h",
                                 *crawl_args(db, srv.base_url)[1:]], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not (Path(db).exists() and _stored(db)):
                time.sleep(0.1)
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, err[-3000:]
    assert_clean(err)
    assert "watch: stopping after the running crawl (SIGTERM again to stop it now)\n" in err
    assert "stopping: finishing the pages in hand… (send SIGTERM again to stop now)\n" in err
    assert out.splitlines()[-2:][0].endswith("watch: crawl 1 exit 130")
    assert out.splitlines()[-1] == "watch: stopped by SIGTERM after 1 crawl(s)"
    assert [outcome for outcome, _ in crawls(db)] == ["interrupted"]


def _stored(db: str) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.parametrize("delay", [0.0, 0.3, 0.8])
def test_ctrl_c_while_the_crawl_starts_never_hangs(tmp_path, terminal, delay):
    """Ctrl-C as the first crawl opens (Scrapy's own early stop would let that crawl run on and then hang)."""
    t = Terminal("demo", "--db", str(tmp_path / "demo.db"))
    terminal.append(t)
    t.wait_for(r"demo site on http://127\.0\.0\.1:\d+ \(day 1\)")
    time.sleep(delay)
    t.interrupt()
    code = t.finish(timeout=60)
    assert code == 130, t.output[-3000:]
    assert_clean(t.output)
    assert "day 2" not in t.output  # the next crawl never starts
    if "crawl 1 " in t.output:  # it had started: recorded and reported as interrupted
        assert crawls(str(tmp_path / "demo.db"))[0][0] == "interrupted"
        assert "crawl 1 interrupted in " in t.output
    else:
        assert t.output.rstrip().endswith("newsarchive: interrupted")
