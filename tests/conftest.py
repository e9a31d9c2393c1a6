"""Shared test helpers: run the real `newsarchive` command in a subprocess (a fresh reactor each time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The reference article's text as the site published it, byte for byte (copied from the project's sample;
# tests never read files outside the repository). Its SHA-256 pins it: an editor or tool that normalises
# the Arabic (NFC, harakat, line ends) would silently change what the extraction tests compare against.
REFERENCE = ROOT / "tests" / "fixtures" / "reference-article.txt"
REFERENCE_SHA256 = "eb5d0050ab1f8176fd6a73af9aa85175733e010269909477e8c29668c9015ce5"


def run_cli(*args: str, timeout: float = 120, env: dict[str, str] | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout, input=stdin)


T = TypeVar("T")


def serve_process(db: str | Path, port: int) -> subprocess.Popen[str]:
    """`newsarchive serve` on 127.0.0.1:port in a subprocess (the caller terminates it)."""
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def until_answering(proc: subprocess.Popen[str], probe: Callable[[], T], timeout: float = 60) -> T:
    """The first answer of `probe` once the server in `proc` listens; its stderr if it died first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return probe()
        except (urllib.error.URLError, ConnectionError):
            assert proc.poll() is None, proc.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)


def crawl_json(*args: str, timeout: float = 120) -> Any:
    """Run `newsarchive crawl ... --json --local`, insist on exit 0, and return the parsed report."""
    proc = run_cli("crawl", "--local", "--json", *args, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "archive.db")
