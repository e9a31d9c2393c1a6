"""A fault-injecting HTTP server on 127.0.0.1 (raw sockets): hangs, resets, short and broken bodies, bombs, loops."""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import TracebackType

# A behaviour writes one answer (or a fault) on the connection; the server closes it afterwards.
Behaviour = Callable[["Exchange"], None]


@dataclass
class Exchange:
    """One request on one connection: what was asked, and the socket to answer (or misbehave) on."""

    conn: socket.socket
    method: str
    target: str
    headers: dict[str, str]
    stopping: threading.Event

    def send(self, data: bytes) -> None:
        self.conn.sendall(data)

    def head(self, status: int, headers: dict[str, str], reason: str = "X") -> None:
        lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers.items()), "Connection: close"]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))


@dataclass
class Hit:
    at: float  # time.monotonic() when the request line arrived
    target: str
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names


# --- behaviours ---------------------------------------------------------------------------------
HTML = "text/html; charset=utf-8"


def page(body: bytes | str, status: int = 200, headers: dict[str, str] | None = None,
         content_type: str | None = HTML) -> Behaviour:
    data = body.encode() if isinstance(body, str) else body

    def answer(ex: Exchange) -> None:
        extra = dict(headers or {})
        if content_type is not None:
            extra.setdefault("Content-Type", content_type)
        ex.head(status, {**extra, "Content-Length": str(len(data))})
        if ex.method != "HEAD":
            ex.send(data)

    return answer


def sequence(*behaviours: Behaviour) -> Behaviour:
    """The n-th request gets the n-th behaviour; the last one repeats."""
    count = [0]
    lock = threading.Lock()

    def answer(ex: Exchange) -> None:
        with lock:
            n = min(count[0], len(behaviours) - 1)
            count[0] += 1
        behaviours[n](ex)

    return answer


def hang(after_headers: bool = False, limit: float = 60.0) -> Behaviour:
    """Say nothing (or only the headers) until the client gives up or the server stops."""

    def answer(ex: Exchange) -> None:
        if after_headers:
            ex.head(200, {"Content-Type": HTML, "Content-Length": "100000"})
            ex.send(b"<html><head><title>")
        ex.stopping.wait(limit)

    return answer


def trickle(body: bytes, every: float = 0.5, chunk: int = 1) -> Behaviour:
    """A body sent a byte at a time: never idle, so only a total time cap stops it."""

    def answer(ex: Exchange) -> None:
        ex.head(200, {"Content-Type": HTML, "Content-Length": str(len(body))})
        for i in range(0, len(body), chunk):
            if ex.stopping.wait(every):
                return
            ex.send(body[i:i + chunk])

    return answer


def reset_mid_body(body: bytes) -> Behaviour:
    """Half the body, then a TCP RST (SO_LINGER 0)."""

    def answer(ex: Exchange) -> None:
        ex.head(200, {"Content-Type": HTML, "Content-Length": str(len(body))})
        ex.send(body[: len(body) // 2])
        time.sleep(0.05)
        ex.conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    return answer


def short_body(body: bytes, missing: int = 100) -> Behaviour:
    """Content-Length promises more than is sent; then a clean close (FIN)."""

    def answer(ex: Exchange) -> None:
        ex.head(200, {"Content-Type": HTML, "Content-Length": str(len(body) + missing)})
        ex.send(body)

    return answer


def broken_chunked(body: bytes) -> Behaviour:
    """A valid first chunk, then a chunk-size line that is not hexadecimal."""

    def answer(ex: Exchange) -> None:
        ex.head(200, {"Content-Type": HTML, "Transfer-Encoding": "chunked"})
        half = body[: len(body) // 2]
        ex.send(f"{len(half):x}\r\n".encode() + half + b"\r\n" + b"zz-not-a-size\r\ngarbage\r\n")

    return answer


@cache
def gzip_zeros(inflated: int) -> bytes:
    """gzip of `inflated` zero bytes, compressed in 1 MiB steps (100 MiB -> about 100 KB on the wire)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = [comp.compress(block) for _ in range(inflated >> 20)]
    parts.append(comp.compress(bytes(inflated & ((1 << 20) - 1))))
    parts.append(comp.flush())
    return b"".join(parts)


def gzip_bomb(inflated: int = 200 << 20) -> Behaviour:
    data = gzip_zeros(inflated)
    return page(data, headers={"Content-Encoding": "gzip"})


def gzipped(body: bytes) -> Behaviour:
    return page(gzip.compress(body), headers={"Content-Encoding": "gzip"})


def redirect(location: str, status: int = 302) -> Behaviour:
    return page(b"", status=status, headers={"Location": location}, content_type=None)


# --- the server -----------------------------------------------------------------------------------
@dataclass
class FaultServer:
    """`with FaultServer({"/path": behaviour}) as srv:`; `srv.hits` lists (time, target) of every request."""

    routes: dict[str, Behaviour]
    hits: list[Hit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port: int = self._sock.getsockname()[1]
        self._sock.settimeout(0.2)
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, name="fault-server", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def targets(self) -> list[str]:
        with self._lock:
            return [h.target for h in self.hits]

    def headers(self, target: str) -> list[dict[str, str]]:
        """The request headers of every request for `target`, in arrival order."""
        with self._lock:
            return [h.headers for h in self.hits if h.target == target]

    def times(self, target: str) -> list[float]:
        with self._lock:
            return [h.at for h in self.hits if h.target == target]

    def __enter__(self) -> FaultServer:
        self._acceptor.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stopping.set()
        self._acceptor.join()
        self._sock.close()
        for t in self._threads:
            t.join(timeout=5)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
            request_line, *header_lines = head.split("\r\n")
            method, target, _ = request_line.split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
            with self._lock:
                self.hits.append(Hit(time.monotonic(), target, headers))
            behaviour = self.routes.get(target) or self.routes.get(target.split("?", 1)[0])
            if behaviour is None:
                behaviour = page(b"not found", 404, content_type="text/plain")
            behaviour(Exchange(conn, method, target, headers, self._stopping))
        except OSError:
            pass  # the client went away mid-answer: that is the point of several behaviours
        finally:
            conn.close()


def article_html(n: int, words: Sequence[str] = ("خبر", "عاجل")) -> str:
    """A healthy Kurdistan24-style article page whose title and body name its number."""
    title = f"عنوان الخبر رقم {n} " + " ".join(words)
    paragraphs = [f"أربيل (كوردستان 24)- قالت الحكومة في الخبر رقم {n} إن العمل مستمر في المشاريع الجديدة.",
                  f"وأضافت أن المشاريع الخاصة بالخبر رقم {n} ستنجز قبل نهاية العام الجاري بحسب الخطة."]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<html lang="ar"><head><meta charset="utf-8"><title>{title} | Kurdistan24</title></head><body>'
            f'<article><div class="intro"><h1 itemprop="Title">{title}</h1></div>'
            f'<div class="reader-content">{body}</div></article></body></html>')
