"""Per-host backoff for retries: exponential, deterministic, honouring Retry-After; never blocks the reactor."""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

# Answers that speak for the whole host (rate limit, overload): every request to it waits.
HOST_WIDE = {429, 503}


# delta-seconds is 1*DIGIT in ASCII (RFC 9110 10.2.3); str.isdigit() would also take "²" or "٣".
_DELTA = re.compile(r"[0-9]+", re.ASCII)
# Longer than any wait worth honouring: such values mean "not in this crawl", never a number to compute with.
RETRY_AFTER_MAX = 10.0 ** 9
_MAX_DIGITS = 10


def parse_retry_after(value: str | bytes | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP date); None if absent or invalid.

    Never raises: a huge value (400 digits, a date in year 9999) is capped at RETRY_AFTER_MAX, which
    is above any BACKOFF_MAX_DELAY, so the page is simply not retried in this crawl.
    """
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if _DELTA.fullmatch(text):
        digits = text.lstrip("0") or "0"
        return RETRY_AFTER_MAX if len(digits) > _MAX_DIGITS else min(float(int(digits)), RETRY_AFTER_MAX)
    if len(text) > 64:  # an HTTP date is 29 characters; anything much longer is not one
        return None
    try:
        when = parsedate_to_datetime(text)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        target = when.timestamp()
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return None
    current = datetime.now(UTC).timestamp() if now is None else now
    return min(max(0.0, target - current), RETRY_AFTER_MAX)


def retry_delay(attempt: int, base: float, cap: float) -> float:
    """The wait before retry number `attempt` (1, 2, ...): base, 2*base, 4*base, ... capped. No jitter."""
    return min(cap, base * 2 ** min(max(0, attempt - 1), 64))  # 2**64: past any cap, never an OverflowError


class BackoffMiddleware:
    """Delays retried requests, and every request to a host that said it is overloaded.

    Sits just above RetryMiddleware (and below the challenge middleware, which marks challenge pages
    `dont_retry`): its process_response sees the answer before Retry does, and its process_request
    holds the retried copy. Scrapy's own retry re-sends at once and ignores Retry-After.

    - Retry n of a request waits `BACKOFF_BASE_DELAY * 2**(n-1)` seconds after the failure.
    - A 429/503 holds the whole host for that long, or for its Retry-After when it has one.
    - Every wait is capped at `BACKOFF_MAX_DELAY`; a Retry-After above the cap is not retried in this
      crawl (the page is recorded as failed), and the host is held for the cap.
    """

    def __init__(self, stats: StatsCollector, retry_codes: set[int], retry_times: int, base: float,
                 cap: float) -> None:
        self.stats = stats
        self.retry_codes = retry_codes
        self.retry_times = retry_times
        self.base = base
        self.cap = cap
        self.hold_until: dict[str, float] = {}  # host -> time.monotonic() before which nothing is sent

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffMiddleware:
        s = crawler.settings
        if not s.getbool("BACKOFF_ENABLED", True) or not s.getbool("RETRY_ENABLED"):
            raise NotConfigured
        return cls(crawler.stats, {int(c) for c in s.getlist("RETRY_HTTP_CODES")},  # type: ignore[arg-type]
                   s.getint("RETRY_TIMES"), s.getfloat("BACKOFF_BASE_DELAY", 1.0),
                   s.getfloat("BACKOFF_MAX_DELAY", 120.0))

    @staticmethod
    def _host(request: Request) -> str:
        return urlparse_cached(request).netloc.lower()

    def _will_retry(self, request: Request) -> bool:
        if request.meta.get("dont_retry"):
            return False
        limit = request.meta.get("max_retry_times", self.retry_times)
        return int(request.meta.get("retry_times", 0)) < int(limit)

    def _hold(self, host: str, seconds: float) -> None:
        until = time.monotonic() + seconds
        if until > self.hold_until.get(host, 0.0):
            self.hold_until[host] = until

    async def process_request(self, request: Request) -> None:
        host = self._host(request)
        own = request.meta.get("backoff_not_before", 0.0) if request.meta.get("retry_times") else 0.0
        counted = False
        # A loop: another 429/503 may extend the host's hold while this request waits.
        while (wait := max(own, self.hold_until.get(host, 0.0)) - time.monotonic()) > 0:
            if not counted:
                self.stats.inc_value("backoff/delayed")
                counted = True
            await sleep(min(wait, self.cap))

    def process_response(self, request: Request, response: Response) -> Response:
        # dont_retry: a challenge page (block middleware) or a request that asked for no retries.
        if response.status not in self.retry_codes or request.meta.get("dont_retry"):
            return response
        host = self._host(request)
        delay = retry_delay(int(request.meta.get("retry_times", 0)) + 1, self.base, self.cap)
        retry_after = parse_retry_after(response.headers.get(b"Retry-After"))
        if retry_after is not None:
            self.stats.inc_value("backoff/retry_after")
            if retry_after > self.cap:
                # Honoured by not coming back for this page in this crawl; it is recorded as failed.
                self.stats.inc_value("backoff/retry_after_too_long")
                logger.warning("%s asks to retry %s after %.0f s (more than BACKOFF_MAX_DELAY %.0f s): "
                               "not retried in this crawl", host, request.url, retry_after, self.cap)
                request.meta["dont_retry"] = True
                self._hold(host, self.cap)
                return response
            delay = max(delay, retry_after)
            self._hold(host, retry_after)
        elif response.status in HOST_WIDE:
            self._hold(host, delay)
        if self._will_retry(request):
            request.meta["backoff_not_before"] = time.monotonic() + delay
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        # Timeouts, resets: the retry (if RetryMiddleware makes one) waits from now.
        attempt = int(request.meta.get("retry_times", 0)) + 1
        request.meta["backoff_not_before"] = time.monotonic() + retry_delay(attempt, self.base, self.cap)
