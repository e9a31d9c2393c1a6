"""A small asyncio HTTP/1.1 server (keep-alive, ETag/Last-Modified, 304) for the generated benchmark site."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from benchmarks.sitegen import PER_PAGE, Site, article_index

ROOT = Path(__file__).resolve().parent.parent
_REASONS = {200: b"OK", 304: b"Not Modified", 400: b"Bad Request", 404: b"Not Found"}
_HTML = "text/html; charset=utf-8"


class App:
    """Routes of the generated site plus `/_bench/state?edited=0|1`, `/_bench/stats`, `/_bench/reset`."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.stats: dict[str, int] = {}
        self.fetches: dict[str, int] = {}  # requests per target (path and query), for "fetched once" checks
        self.reset()

    def reset(self) -> None:
        self.stats = {k: 0 for k in ("requests", "articles", "article_200", "article_304", "conditional",
                                     "if_none_match", "if_modified_since", "listings", "other", "not_found",
                                     "bytes")}
        self.fetches = {}

    def handle(self, method: str, target: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        path = parts.path.rstrip("/") or "/"
        if path.startswith("/_bench/"):
            return self._control(path, parse_qs(parts.query))
        self.stats["requests"] += 1
        self.fetches[target] = self.fetches.get(target, 0) + 1
        site = self.site
        i = article_index(site, path)
        if i is not None:
            return self._article(i, headers)
        if path == "/ar/latest":
            page = parse_qs(parts.query).get("page", ["1"])[0]
            body = site.latest(int(page)) if page.isdigit() else None
            self.stats["listings"] += 1
            if body is not None:
                return 200, {"Content-Type": _HTML}, body
        elif path == "/ar":
            self.stats["other"] += 1
            return 200, {"Content-Type": _HTML}, site.home()
        elif path == "/ar/rss.xml":
            self.stats["other"] += 1
            return 200, {"Content-Type": "application/rss+xml; charset=utf-8"}, site.rss()
        elif path == "/sitemap.xml":
            self.stats["other"] += 1
            return 200, {"Content-Type": "application/xml"}, site.sitemap_index()
        elif path.startswith("/sitemaps/ar-") and path.endswith(".xml") and path[13:-4].isdigit():
            self.stats["other"] += 1
            if (body := site.sitemap(int(path[13:-4]))) is not None:
                return 200, {"Content-Type": "application/xml"}, body
        elif path == "/robots.txt":
            self.stats["other"] += 1
            return 200, {"Content-Type": "text/plain"}, site.robots()
        self.stats["not_found"] += 1
        return 404, {"Content-Type": _HTML}, b"<html><body><h1>404</h1></body></html>"

    def _article(self, i: int, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        site, stats = self.site, self.stats
        stats["articles"] += 1
        validators = {"ETag": site.etag(i), "Last-Modified": site.last_modified(i), "Cache-Control": "max-age=60"}
        inm, ims = headers.get("if-none-match"), headers.get("if-modified-since")
        if inm or ims:
            stats["conditional"] += 1
            stats["if_none_match"] += bool(inm)
            stats["if_modified_since"] += bool(ims)
        # RFC 9110 13.2.2: If-None-Match, when present, decides; If-Modified-Since only without it.
        if inm is not None:
            fresh = inm.strip() == "*" or site.etag(i) in [t.strip().removeprefix("W/") for t in inm.split(",")]
        elif ims is not None:
            try:
                fresh = site.modified(i).replace(microsecond=0) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                fresh = False
        else:
            fresh = False
        if fresh:
            stats["article_304"] += 1
            return 304, validators, b""
        stats["article_200"] += 1
        return 200, {"Content-Type": _HTML, **validators}, site.article_page(i)

    def _control(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        if path == "/_bench/state":
            self.site.state = 1 if query.get("edited", ["0"])[0] == "1" else 0
        elif path == "/_bench/reset":
            self.reset()
        elif path == "/_bench/fetches":
            return 200, {"Content-Type": "application/json"}, json.dumps(self.fetches).encode()
        elif path != "/_bench/stats":
            return 404, {}, b""
        body = {**self.stats, "state": self.site.state, "n": self.site.n, "edited": self.site.edited_keys()}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


class HttpProtocol(asyncio.Protocol):
    """HTTP/1.1 with keep-alive and pipelining; GET and HEAD only (the site has nothing to POST to)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while (end := self.buf.find(b"\r\n\r\n")) >= 0:
            head, self.buf = self.buf[:end].decode("latin-1"), self.buf[end + 4:]
            lines = head.split("\r\n")
            try:
                method, target, version = lines[0].split(" ", 2)
            except ValueError:
                self._send(400, {}, b"", False, head_only=False)
                return
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            keep = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
            status, extra, body = self.app.handle(method, target, headers)
            self._send(status, extra, body, keep, head_only=method == "HEAD")
            if not keep:
                return

    def _send(self, status: int, headers: dict[str, str], body: bytes, keep: bool, head_only: bool) -> None:
        assert self.transport is not None
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, b'').decode()}", "Server: newsarchive-bench"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if status != 304:
            lines.append(f"Content-Length: {len(body)}")
        lines.append("Connection: keep-alive" if keep else "Connection: close")
        self.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if body and not head_only and status != 304:
            self.transport.write(body)
            self.app.stats["bytes"] += len(body)
        if not keep:
            self.transport.close()


async def serve(site: Site, port: int, ready: Any = None) -> None:
    loop = asyncio.get_running_loop()
    app = App(site)
    server = await loop.create_server(lambda: HttpProtocol(app), "127.0.0.1", port, backlog=1024)
    if ready is not None:
        ready(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


class BenchServer:
    """`with BenchServer(n) as srv:` runs the server in its own process (its own core, not the crawler's GIL)."""

    def __init__(self, n: int, seed: int = 24, prewarm: bool = False, per_page: int | None = None,
                 sitemap: bool = False) -> None:
        cmd = [sys.executable, "-m", "benchmarks.server", "--n", str(n), "--seed", str(seed)]
        if prewarm:
            cmd.append("--prewarm")
        if per_page:
            cmd += ["--per-page", str(per_page)]
        if sitemap:
            cmd.append("--sitemap")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("READY "):
            self.proc.kill()
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        self.base_url = line.split()[1]

    def _get(self, path: str) -> dict[str, Any]:
        with urllib.request.urlopen(self.base_url + path, timeout=30) as resp:
            return json.loads(resp.read())  # type: ignore[no-any-return]

    def stats(self) -> dict[str, Any]:
        return self._get("/_bench/stats")

    def reset(self) -> dict[str, Any]:
        return self._get("/_bench/reset")

    def fetches(self) -> dict[str, int]:
        """Requests per target since the last reset."""
        return self._get("/_bench/fetches")

    def set_edited(self, edited: bool) -> dict[str, Any]:
        return self._get(f"/_bench/state?edited={int(edited)}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> BenchServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


async def _load(base_url: str, paths: list[str], connections: int) -> int:
    """Fetch every path over `connections` keep-alive connections; returns bytes received."""
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
    queue = list(reversed(paths))
    received = 0

    async def worker() -> None:
        nonlocal received
        reader, writer = await asyncio.open_connection(host, port)
        while queue:
            writer.write(f"GET {queue.pop()} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(h.split(b":")[1]) for h in head.split(b"\r\n")
                           if h.lower().startswith(b"content-length:")), 0)
            received += len(await reader.readexactly(length))
        writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return received


def measure_rate(base_url: str, paths: list[str], connections: int = 16) -> float:
    """Requests per second the server answers for `paths` (this process is the client)."""
    started = time.perf_counter()
    asyncio.run(_load(base_url, paths, connections))
    return len(paths) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="number of articles (default 2000)")
    parser.add_argument("--seed", type=int, default=24)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--prewarm", action="store_true", help="render every article before serving")
    parser.add_argument("--per-page", type=int, default=None, help="cards per listing page (default 50)")
    parser.add_argument("--sitemap", action="store_true", help="name /sitemap.xml (an index) in robots.txt")
    args = parser.parse_args()
    site = Site(args.n, args.seed, per_page=args.per_page or PER_PAGE, sitemap_in_robots=args.sitemap)
    if args.prewarm:
        for i in range(min(args.n, 4096)):
            site.article_page(i)

    def ready(port: int) -> None:
        print(f"READY http://127.0.0.1:{port}", flush=True)

    try:
        asyncio.run(serve(site, args.port, ready))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
