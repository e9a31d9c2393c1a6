"""Loopback HTTP server for the bundled demo site: day 1, or day 1 with the day-2 overlay."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, unquote, urlsplit

SITE_ROOT = Path(__file__).parent / "site"

# Every article URL form the site answers: generation C with any slug, generation B, /public/index.php.
_STORY = re.compile(r"^/(?:public/index\.php/)?(?P<lang>[a-z]{2,3})/(?:story|opinion)/(?P<id>\d+)(?:[-/][^/]*)?/?$")
_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/rss+xml; charset=utf-8",
          ".txt": "text/plain; charset=utf-8", ".json": "application/json"}
_NOT_FOUND = ('<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>404 | Kurdistan24'
              "</title></head><body><h1>الصفحة غير موجودة</h1></body></html>\n").encode()


class Refused(ValueError):
    """A request path that tries to leave the site root."""


class DemoServer:
    """`with DemoServer(day=1) as srv:` serves the demo site on 127.0.0.1 at `srv.base_url`."""

    def __init__(self, root: str | Path | None = None, day: int = 1, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root) if root is not None else SITE_ROOT
        manifest = json.loads((self.root / "manifest.json").read_text(encoding="utf-8"))
        self._statuses = {s["file"]: int(s["status"]) for s in manifest.get("special", []) if s.get("file")}
        deleted = (self.root / "day2" / "_deleted.txt").read_text(encoding="utf-8").split()
        self._deleted = {self.file_for(p) for p in deleted if p.strip()}
        self._lock = threading.Lock()
        self._requests: list[str] = []
        self._not_modified = 0  # 304 answers given (conditional rechecks)
        self.day = 1
        self.set_day(day)
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> DemoServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, name="demo-server", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def set_day(self, day: int) -> None:
        if day not in (1, 2):
            raise ValueError(f"day must be 1 or 2, not {day!r}")
        self.day = day

    @property
    def requests(self) -> list[str]:
        """Request targets (path and query, as sent) in arrival order."""
        with self._lock:
            return list(self._requests)

    def _record(self, target: str) -> None:
        with self._lock:
            self._requests.append(target)

    # --- URL -> file --------------------------------------------------------------------------
    @staticmethod
    def file_for(target: str) -> str:
        """The site-relative file name a request target maps to (raises Refused on traversal)."""
        parts = urlsplit(target)
        path = unquote(parts.path, errors="strict")
        segments = path.split("/")
        if any(s in (".", "..") for s in segments) or "\\" in path or "\x00" in path:
            raise Refused(target)
        if m := _STORY.match(path):
            return f"{m['lang']}/story/{m['id']}/index.html"
        page = parse_qs(parts.query).get("page", ["1"])[0]
        suffix = f".page-{int(page)}" if page.isdigit() and int(page) > 1 else ""
        rel = path.strip("/")
        if not rel:
            return "index.html"
        if "." in segments[-1] and not suffix:
            return rel
        if re.fullmatch(r"[a-z]{2,3}", rel):
            return f"{rel}/index.html"
        return f"{rel}{suffix}.html"

    def resolve(self, target: str) -> tuple[int, Path | None]:
        """(status, file) for a request target on the current day; file is None when not found."""
        try:
            rel = self.file_for(target)
        except (Refused, UnicodeDecodeError, ValueError):
            return HTTPStatus.BAD_REQUEST, None
        layers = ["day2", "day1"] if self.day == 2 else ["day1"]
        if self.day == 2 and rel in self._deleted:
            return HTTPStatus.NOT_FOUND, None
        root = self.root.resolve()
        for layer in layers:
            base = (root / layer).resolve()
            candidate = (base / rel).resolve()
            if not candidate.is_relative_to(base):
                return HTTPStatus.BAD_REQUEST, None
            if candidate.is_file():
                return self._statuses.get(rel, HTTPStatus.OK), candidate
        return HTTPStatus.NOT_FOUND, None


def _handler_for(server: DemoServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "DemoKurdistan24/1.0"
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._answer(with_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(with_body=False)

        def _answer(self, with_body: bool) -> None:
            server._record(self.path)
            status, file = server.resolve(self.path)
            if file is None:
                body, ctype = (_NOT_FOUND if status == HTTPStatus.NOT_FOUND else b"bad request\n"), (
                    "text/html; charset=utf-8" if status == HTTPStatus.NOT_FOUND else "text/plain; charset=utf-8")
            else:
                body, ctype = file.read_bytes(), _TYPES.get(file.suffix, "application/octet-stream")
            # Validators like a real site's, so rechecks can be answered 304 without a body.
            etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
            if status == HTTPStatus.OK and file is not None and self.headers.get("If-None-Match") == etag:
                server._not_modified += 1
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if status == HTTPStatus.OK and file is not None:
                self.send_header("ETag", etag)
            if status == HTTPStatus.SERVICE_UNAVAILABLE:
                self.send_header("Server", "cloudflare")
                self.send_header("Retry-After", "30")
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # quiet: tests read `DemoServer.requests` instead

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--day", type=int, choices=(1, 2), default=1)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--root", type=Path, default=None, help="site directory (default: the bundled one)")
    args = parser.parse_args()
    with DemoServer(root=args.root, day=args.day, port=args.port) as srv:
        # The site root is what --base-url takes; /ar is only where a browser should start.
        print(f"demo site (day {args.day}) at {srv.base_url}  (browse {srv.base_url}/ar; crawl it with "
              f"`newsarchive crawl --local --lang ar,ckb --base-url {srv.base_url}`; Ctrl-C to stop)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
