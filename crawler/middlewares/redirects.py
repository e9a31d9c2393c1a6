"""Redirects that stay on the site: other hosts, other schemes, loops and long chains are recorded as failures."""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.redirect import (
    MetaRefreshMiddleware,
    RedirectMiddleware,
)
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawler.config import crawl_config
from crawler.links import fetchable
from crawler.middlewares.faults import FetchFailed

_REDIRECTS = {301, 302, 303, 307, 308}


class _Guarded:
    """Shared by both redirect middlewares: check a redirect before Scrapy schedules it.

    Scrapy would schedule a redirect to another host and let OffsiteMiddleware or the host guard
    drop it silently, follow a loop until REDIRECT_MAX_TIMES (or until the dupefilter swallows it),
    and hand a redirect to `file:` back as a plain 302. Each of those is a fault of the page: it is
    raised as FetchFailed so the spider records it with the chain that led there.
    """

    crawler: Any
    max_redirect_times: int
    site: Any

    @classmethod
    def from_crawler(cls, crawler: Any) -> Any:
        middleware = super().from_crawler(crawler)  # type: ignore[misc]
        middleware.site = crawl_config(crawler).site
        return middleware

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        stats = self.crawler.stats
        # Host and port: another port of the site's host is another server (docs/hardening.md).
        if not fetchable(self.site, redirected.url):
            stats.inc_value("redirects/offsite_refused")
            raise FetchFailed(f"redirect ({reason}) to {redirected.url} refused: not the site's own host "
                              f"or the crawl's base URL")
        if redirected.url in chain:
            stats.inc_value("redirects/loop")
            raise FetchFailed(f"redirect loop: {' -> '.join([*chain, redirected.url])}"[:400])
        try:
            followed: Request = super()._redirect(redirected, request, reason)  # type: ignore[misc]
        except IgnoreRequest:
            stats.inc_value("redirects/too_many")
            raise FetchFailed(f"more than {self.max_redirect_times} redirects: {' -> '.join(chain)}"[:400]) from None
        # A redirect continues a request that already passed the duplicate filter; filtered again (the
        # target was fetched earlier in the crawl) it would vanish with no outcome. Loops are caught above.
        followed.dont_filter = True
        return followed


class GuardedRedirectMiddleware(_Guarded, RedirectMiddleware):
    """RedirectMiddleware (3xx + Location) with the checks of `_Guarded`, and no silent non-http redirect."""

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if (300 <= response.status < 400 and response.status != 304 and b"Location" not in response.headers
                and not request.meta.get("dont_redirect")):
            # A redirect that names no target: nothing to follow and nothing to parse.
            self.crawler.stats.inc_value("redirects/no_location")
            raise FetchFailed(f"HTTP {response.status}: a redirect without a Location header")
        result = super().process_response(request, response)
        if (result is response and response.status in _REDIRECTS and b"Location" in response.headers
                and not request.meta.get("dont_redirect")):
            # Scrapy returns the 3xx unchanged when Location is not http(s) (file:, data:, ftp:, ...).
            location = response.headers[b"Location"].decode("latin-1")[:200]
            self.crawler.stats.inc_value("redirects/scheme_refused")
            raise FetchFailed(f"redirect ({response.status}) to {location} refused: only http(s) is fetched")
        return result


class GuardedMetaRefreshMiddleware(_Guarded, MetaRefreshMiddleware):
    """MetaRefreshMiddleware (`<meta http-equiv=refresh>`) with the checks of `_Guarded`."""
