"""A fixture HTTP server on 127.0.0.1 for crawl tests: fixed routes, statuses, headers and delays."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    delay: float = 0.0
    etag: str | None = None  # answer If-None-Match with 304 when it matches
    # Called per request instead of the fixed body/headers (per-request noise, changing validators).
    dynamic: Callable[[], tuple[bytes, dict[str, str]]] | None = None


class FixtureServer:
    """`with FixtureServer({"/path": Route(...)}) as srv:` serves the routes; `srv.requests` lists paths asked."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requests: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                with server._lock:
                    server.requests.append(self.path)
                route = server.routes.get(self.path) or server.routes.get(urlsplit(self.path).path)
                if route is None:
                    route = Route(b"not found", 404, {"Content-Type": "text/plain"})
                if route.delay:
                    time.sleep(route.delay)
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self.send_response(304)
                    self.send_header("ETag", route.etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body, headers = route.dynamic() if route.dynamic else (route.body, route.headers)
                self.send_response(route.status)
                for name, value in {**headers, **({"ETag": route.etag} if route.etag else {})}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> FixtureServer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
