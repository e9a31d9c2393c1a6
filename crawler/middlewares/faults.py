"""Download faults are recorded, never swallowed: clear reasons, truncated bodies caught, bombs refused."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
    ResponseDataLossError,
)
from scrapy.http import Request, Response
from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.web.client import ResponseFailed, ResponseNeverReceived

from crawler.middlewares.backoff import retry_delay

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

# An HTML page that arrived whole ends with </html> (possibly followed by comments or scripts).
_HTML_END = re.compile(rb"</html\s*>", re.I)
_END_WINDOW = 4096
# A page that begins as a whole document (<!doctype html> or <html>) closes it: </body> or </html>
# somewhere in its last 64 KiB (trackers and comments after </html> stay well inside that).
_DOC_START = re.compile(rb"<(?:!doctype\s+html|html)[\s>]", re.I)
_DOC_END = re.compile(rb"</(?:html|body)\s*>", re.I)
_DOC_WINDOW = 65536
_RECEIVED = "faults_bytes_received"
_MAXSIZE = re.compile(r"(?:Expected to receive|Received) (\d+) bytes which is larger than download max size \((\d+)\)")


class FetchFailed(Exception):
    """A download that gave no usable page; its message is the reason the archive records.

    Deliberately not an IgnoreRequest: the spider's errback drops those silently (they mean
    "refused on purpose"), while these are faults that must show in the crawl's record.
    """


def _attempts(request: Request) -> str:
    n = int(request.meta.get("retry_times", 0)) + 1
    return f"{n} attempt{'s' if n > 1 else ''}"


def _causes(exc: BaseException) -> list[BaseException]:
    """The low-level reasons Twisted wraps in ResponseFailed / ResponseNeverReceived."""
    inner = exc.__cause__ if isinstance(exc, ResponseDataLossError) else exc
    reasons = getattr(inner, "reasons", None) or []
    return [getattr(r, "value", r) for r in reasons]


def describe(exc: BaseException, request: Request, maxsize: int = 0) -> str | None:
    """A one-line reason for a download exception, or None to leave the exception as it is."""
    causes = _causes(exc)
    if isinstance(exc, ResponseDataLossError):
        # Twisted's own exception for bad chunking is private: recognised by name.
        chunking = [c for c in causes if type(c).__name__ == "_MalformedChunkedDataError"]
        if chunking:
            return f"broken chunked encoding: {chunking[0]}"
        if any(isinstance(c, ConnectionLost) for c in causes):
            return "body cut short: the connection was reset mid-body"
        return "body cut short: the connection closed before the announced length was reached"
    if isinstance(exc, DownloadTimeoutError):
        timeout = request.meta.get("download_timeout")
        return f"timed out: no complete answer within {timeout} s" if timeout else "timed out"
    if isinstance(exc, DownloadCancelledError):
        m = _MAXSIZE.search(str(exc))
        if m:
            return f"too large: {m.group(1)} bytes, above DOWNLOAD_MAXSIZE ({m.group(2)} bytes)"
        # A body without Content-Length is cancelled mid-stream with no message: the byte count says why.
        received, limit = request.meta.get(_RECEIVED, 0), request.meta.get("download_maxsize") or maxsize
        if limit and received > limit:
            return f"too large: more than {limit} bytes (DOWNLOAD_MAXSIZE) arrived without a Content-Length"
        return None
    if isinstance(exc, (ResponseFailed, ResponseNeverReceived)):
        if any(isinstance(c, ConnectionLost) for c in causes):
            return "connection reset before a complete answer"
        if any(isinstance(c, ConnectionDone) for c in causes):
            return "connection closed before a complete answer"
    return None


class FaultReasonMiddleware:
    """Placed below RetryMiddleware: sees a download exception only once no retry is left.

    Replaces Scrapy's terse exceptions (`ResponseDataLossError` has an empty message) with a
    FetchFailed whose message says what went wrong and after how many attempts.
    """

    def __init__(self, stats: StatsCollector, maxsize: int) -> None:
        self.stats = stats
        self.maxsize = maxsize

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FaultReasonMiddleware:
        if not crawler.settings.getbool("FAULTS_ENABLED", True):
            raise NotConfigured
        mw = cls(crawler.stats, crawler.settings.getint("DOWNLOAD_MAXSIZE"))  # type: ignore[arg-type]
        crawler.signals.connect(mw.bytes_received, signal=signals.bytes_received)
        return mw

    def bytes_received(self, data: bytes, request: Request, spider: object = None) -> None:
        request.meta[_RECEIVED] = request.meta.get(_RECEIVED, 0) + len(data)

    def process_request(self, request: Request) -> None:
        request.meta.pop(_RECEIVED, None)  # a retry counts its own bytes

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, (IgnoreRequest, FetchFailed)):
            return
        reason = describe(exception, request, self.maxsize)
        if reason is None:
            return
        self.stats.inc_value(f"faults/{type(exception).__name__}")
        raise FetchFailed(f"{reason} ({_attempts(request)})") from exception


class TruncationMiddleware:
    """A body that ended early must not be parsed as a (shorter) page.

    Twisted hands over a body whose end was never announced (no Content-Length, not chunked) when
    the connection ends, flagged "partial", whether the server finished or the connection was
    reset mid-page. Such an HTML page is accepted only when it reaches `</html>`. A body whose
    Content-Length was too small looks complete to Twisted: a document that opens `<html>` is
    accepted only when it reaches `</body>` or `</html>` (FAULTS_REQUIRE_HTML_END). Either way the
    page is retried like any transient fault and finally recorded as failed, never archived.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats  # type: ignore[assignment]
        self.base = crawler.settings.getfloat("BACKOFF_BASE_DELAY", 1.0)
        self.cap = crawler.settings.getfloat("BACKOFF_MAX_DELAY", 120.0)
        self.require_end = crawler.settings.getbool("FAULTS_REQUIRE_HTML_END", True)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TruncationMiddleware:
        if not crawler.settings.getbool("FAULTS_ENABLED", True):
            raise NotConfigured
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        reason = self._cut(response)
        if reason is None:
            return response
        self.stats.inc_value("faults/truncated")
        assert self.crawler.spider is not None
        retry = get_retry_request(request, spider=self.crawler.spider, reason="truncated body")
        if retry is not None:
            # Returned past BackoffMiddleware's process_response: the retry's wait is set here.
            wait = retry_delay(int(retry.meta["retry_times"]), self.base, self.cap)
            retry.meta["backoff_not_before"] = time.monotonic() + wait
            return retry
        raise FetchFailed(f"{reason} ({_attempts(request)})")

    def _cut(self, response: Response) -> str | None:
        """Why the body is not the whole page, or None when nothing says it was cut."""
        flags = set(response.flags)
        if "dataloss" in flags:
            return "body cut short: fewer bytes than announced"
        if "partial" in flags and _is_html(response) and not _HTML_END.search(response.body[-_END_WINDOW:]):
            return "body cut short: the connection ended before </html> (no length announced)"
        if self.require_end and 200 <= response.status < 300:
            # A Content-Length smaller than the page: the client stops reading where told and the
            # body looks complete to Twisted. Archived, it would be a shorter "version", and the next
            # whole fetch a false edit. The document's own structure says it did not end.
            return structural_cut(response.body, response.headers.get(b"Content-Length"))
        return None


def structural_cut(body: bytes, content_length: bytes | None = None) -> str | None:
    """The reason an HTML document is incomplete: it opens `<html>` and never reaches `</body>` or `</html>`."""
    if not _DOC_START.match(_skip_comments(body.removeprefix(b"\xef\xbb\xbf")[:4096])):
        return None
    if _DOC_END.search(body[-_DOC_WINDOW:]):
        return None
    stated = f", Content-Length {content_length.decode('latin-1')[:20]}" if content_length else ""
    return f"body cut short: the document ends before </body> and </html> ({len(body)} bytes{stated})"


def _skip_comments(head: bytes) -> bytes:
    """`head` without leading whitespace and comments (a linear scan: no regex backtracking)."""
    head = head.lstrip()
    while head.startswith(b"<!--"):
        end = head.find(b"-->", 4)
        if end < 0:
            return b""
        head = head[end + 3:].lstrip()
    return head


def _is_html(response: Response) -> bool:
    ctype = (response.headers.get(b"Content-Type") or b"").lower()
    return b"html" in ctype or response.body[:1024].lstrip().lower().startswith((b"<!doctype html", b"<html"))


class BoundedHttpCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, whose DOWNLOAD_MAXSIZE refusal (a decompression bomb) is recorded.

    Scrapy raises IgnoreRequest, which the spider treats as "refused on purpose" and does not record.
    """

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            if self.stats:
                self.stats.inc_value("faults/decompression_bomb")
            limit = request.meta.get("download_maxsize", self._max_size)
            raise FetchFailed(f"decompression bomb: {len(response.body)} bytes compressed inflate past "
                              f"DOWNLOAD_MAXSIZE ({limit} bytes); not parsed") from exc
