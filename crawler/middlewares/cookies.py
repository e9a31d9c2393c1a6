"""Scrapy's cookie handling without its one network side effect: the public-suffix list is the bundled snapshot."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.utils.httpobj import urlparse_cached
from tldextract import TLDExtract

if TYPE_CHECKING:
    from http.cookiejar import Cookie

    from scrapy import Request
    from scrapy.http.cookies import CookieJar

# Scrapy's CookiesMiddleware asks tldextract whether a cookie's domain is a public suffix, and
# tldextract by default downloads the public-suffix list from the internet the first time (its
# cache is empty on a fresh machine, in a container, under another user): with a silent network
# the crawl hangs, and in any case it contacts a host the operator never asked for.
# suffix_list_urls=() means the snapshot shipped inside tldextract, and cache_dir=None keeps it
# from writing a cache anywhere. The snapshot ages, but only decides which cookie domains are too
# broad to accept: a new public suffix missing from it can at worst share a cookie among one
# site's own hosts, never send a request anywhere.
_split_domain = TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True,
                           include_psl_private_domains=True)


def is_public_domain(domain: str) -> bool:
    """True for a public suffix (`co.uk`, `github.io`), decided offline."""
    return not _split_domain(domain).domain


class OfflineCookiesMiddleware(CookiesMiddleware):
    """CookiesMiddleware whose public-suffix check never touches the network.

    Cookies stay on: some sites answer without a session or consent cookie with an interstitial
    instead of the article (recorded as blocked), and Heritrix keeps cookies for the same reason.
    """

    def _process_cookies(self, cookies: Iterable[Cookie], *, jar: CookieJar, request: Request) -> None:
        # Scrapy's own loop, with the offline public-suffix check.
        for cookie in cookies:
            cookie_domain = cookie.domain.removeprefix(".")
            hostname = urlparse_cached(request).hostname
            if hostname is None:
                continue
            request_domain = hostname.lower()
            if cookie_domain and is_public_domain(cookie_domain):
                if cookie_domain != request_domain:
                    continue
                cookie.domain = request_domain
            jar.set_cookie_if_ok(cookie, request)
