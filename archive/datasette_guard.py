"""What keeps a served archive read-only and bounded: Host check, no POST, an SQLite authorizer and limits."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

# Functions no analyst needs and an attacker would: pointer leaks (fts3_tokenizer), native code
# (load_extension), files (the sqlite3 shell's readfile/writefile/edit/fsdir, zipfile), and
# huge blobs from a few bytes of SQL (randomblob, zeroblob).
DENIED_FUNCTIONS = frozenset({
    "fts3_tokenizer", "load_extension", "readfile", "writefile", "edit", "fsdir", "zipfile",
    "sqlar_compress", "sqlar_uncompress", "randomblob", "zeroblob",
})
# One value (string or blob) at most: above the largest stored page (DOWNLOAD_MAXSIZE, 8 MiB), so
# every row stays readable, while hex(raw_html) or printf('%.*c', 1e9, 'x') fail at once.
MAX_VALUE_BYTES = 10 * 1024 * 1024
MAX_SQL_BYTES = 100_000
# SQLite's own allocations for the whole server process (sorts, FTS, page caches): a backstop.
HEAP_LIMIT_BYTES = 1024 * 1024 * 1024
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")

ASGIApp = Callable[[dict[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


def authorizer(action: int, arg1: str | None, arg2: str | None, dbname: str | None, source: str | None) -> int:
    """SQLITE_DENY for ATTACH/DETACH and the functions above; everything else is left to mode=ro."""
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def restrict(conn: sqlite3.Connection) -> None:
    """Per-connection limits and the authorizer (Datasette's own time limit, sql_time_limit_ms, bounds time)."""
    conn.set_authorizer(authorizer)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.execute(f"PRAGMA hard_heap_limit = {HEAP_LIMIT_BYTES}")


def allowed_hosts(port: int | None) -> list[str]:
    """The Host header values a server on 127.0.0.1 answers (all ports when `port` is None)."""
    return [f"{h}:{port}" for h in LOOPBACK_HOSTS] if port else list(LOOPBACK_HOSTS)


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """DNS rebinding sends the attacker's name in Host: only the loopback names (with the port) pass."""
    host = host.strip().lower()
    for entry in allowed:
        entry = entry.lower()
        if host == entry or (":" not in entry.replace("[::1]", "") and host.rsplit(":", 1)[0] == entry
                             and host.rsplit(":", 1)[-1].isdigit()):
            return True
    return False


def wrap(app: ASGIApp, config: dict[str, Any]) -> ASGIApp:
    """The app behind a Host check and, when `read_only`, a 405 for every method but GET/HEAD/OPTIONS."""
    allowed = list(config.get("allowed_hosts") or allowed_hosts(None))
    read_only = bool(config.get("read_only", True))

    async def guarded(scope: dict[str, Any], receive: Callable[[], Awaitable[Any]],
                      send: Callable[[Any], Awaitable[None]]) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        if not host_allowed(host, allowed):
            await _refuse(send, 421, f"host {host[:100]!r} is not served here (allowed: {', '.join(allowed)})")
            return
        if read_only and scope.get("method", "GET") not in ("GET", "HEAD", "OPTIONS"):
            await _refuse(send, 405, "this archive is served read-only: use GET")
            return
        await app(scope, receive, send)

    return guarded


async def _refuse(send: Callable[[Any], Awaitable[None]], status: int, message: str) -> None:
    body = json.dumps({"ok": False, "error": message, "status": status}).encode()
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    if status == 405:
        headers.append((b"allow", b"GET, HEAD, OPTIONS"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
