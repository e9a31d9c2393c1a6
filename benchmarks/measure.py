"""Measuring helpers: subprocesses with their own peak RSS, and per-page timings of the extraction paths."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROFILE = str(Path(__file__).resolve().parent / "kurdistan24-bench.toml")
CONTENT_TYPE = "text/html; charset=utf-8"


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str
    wall_s: float
    peak_rss_mb: float
    cpu_s: float = 0.0  # user + system of the child and of every descendant it waited for


def run_process(cmd: Sequence[str], timeout: float = 3600) -> Finished:
    """Run `cmd` (cwd = the repository) and report its own peak RSS (wait4: this child only, not the server)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=ROOT, env=env, stdout=out, stderr=err, text=True)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.kill(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: tell Popen
        out.seek(0)
        err.seek(0)
        # ru_maxrss is in KiB on Linux.
        return Finished(proc.returncode, out.read(), err.read(), wall, usage.ru_maxrss / 1024,
                        usage.ru_utime + usage.ru_stime)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", *args]


def per_page_ms(fn: Callable[[bytes], Any], pages: Sequence[bytes], rounds: int = 2) -> float:
    """Mean milliseconds per page over all pages; the best of `rounds` passes (after one warm-up page)."""
    fn(pages[0])
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for page in pages:
            fn(page)
        best = min(best, time.perf_counter() - started)
    return best / len(pages) * 1000


def interleaved(fns: dict[str, Callable[[bytes], Any]], pages: Sequence[bytes], rounds: int = 3) -> dict[str, float]:
    """per_page_ms of several functions, their passes interleaved so that a busy moment of a shared
    machine does not land on one of them only; the best pass of each."""
    best = {name: float("inf") for name in fns}
    for fn in fns.values():
        fn(pages[0])
    for _ in range(rounds):
        for name, fn in fns.items():
            started = time.perf_counter()
            for page in pages:
                fn(page)
            best[name] = min(best[name], time.perf_counter() - started)
    return {name: t / len(pages) * 1000 for name, t in best.items()}


def our_path(challenge_check: bool = True) -> Callable[[bytes], Any]:
    """What a crawl does with one fetched article page: challenge check, extraction, health, dedupe, cleaning.

    Without the challenge check it is what `newsarchive reextract` does with a stored page.
    """
    from crawler.extract import extract_article
    from crawler.extract.block import check_health, detect_block
    from crawler.site import load_site
    from pipelines.clean import Boilerplate, clean_article
    from pipelines.dedupe import dedupe_paragraphs

    profile = load_site(PROFILE)
    boilerplate = Boilerplate(profile.boilerplate)
    markers = list(profile.block_markers)
    fetched_at = datetime.now(UTC)

    def run(body: bytes) -> Any:
        if challenge_check:
            text = body.decode("utf-8", "replace")  # Scrapy's response.text for a utf-8 page
            if detect_block(200, text, markers):
                return None
        fields = extract_article(body, url="https://www.kurdistan24.net/ar/story/1/x", content_type=CONTENT_TYPE,
                                 selectors=profile.selectors, tz=profile.timezone, fetched_at=fetched_at)
        if check_health(fields):
            return None
        captions = [img["caption"] for img in fields["images"] if img.get("caption")]
        fields["body"], fields["dropped"] = dedupe_paragraphs(fields["body"], captions)
        return clean_article(fields, boilerplate)

    return run


def lxml_parse() -> Callable[[bytes], Any]:
    import lxml.html

    return lxml.html.document_fromstring


def trafilatura_extract() -> Callable[[bytes], Any] | None:
    try:
        import trafilatura
    except ImportError:
        return None
    return trafilatura.extract  # type: ignore[no-any-return]


def stored_pages(db_path: str, limit: int) -> list[bytes]:
    """Raw HTML of the archive's current versions (decompressed), for re-extraction baselines."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT v.raw_html FROM versions v JOIN articles a ON a.key = v.article_key "
                            "AND a.current_version = v.version WHERE v.raw_html IS NOT NULL ORDER BY v.id LIMIT ?",
                            [limit]).fetchall()
    finally:
        conn.close()
    return [zlib.decompress(r[0]) for r in rows]


def archive_sizes(db_path: str) -> dict[str, float]:
    """Bytes per stored version: compressed raw HTML, raw HTML as fetched, and the whole database file."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        n, compressed, raw = conn.execute(
            "SELECT count(*), sum(length(raw_html)), sum(raw_size) FROM versions").fetchone()
    finally:
        conn.close()
    n = n or 1
    return {"versions": n, "raw_html_compressed_bytes": (compressed or 0) / n, "raw_html_bytes": (raw or 0) / n,
            "db_bytes": os.path.getsize(db_path) / n}
