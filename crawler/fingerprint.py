"""Request fingerprints by article identity, so each article is fetched once per crawl whatever its URL variant."""

from __future__ import annotations

from hashlib import sha1
from typing import TYPE_CHECKING

from scrapy.http import Request
from scrapy.utils.request import RequestFingerprinter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class IdentityFingerprinter:
    """Scrapy's fingerprinter, except for requests that carry `meta["article_key"]`.

    The dupefilter then drops a second request for the same article (slug or none, tracking
    parameters, generation-B alias, trailing slash) without any set of our own. Redirects keep
    the original fingerprint rule: a redirect from `/ar/story/1` to `/ar/story/1/slug` must not be
    dropped as a duplicate of the request that caused it.
    """

    def __init__(self, crawler: Crawler | None = None) -> None:
        self._default = RequestFingerprinter(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IdentityFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        key = request.meta.get("article_key")
        if key and not request.meta.get("redirect_times"):
            return sha1(f"article:{key}".encode()).digest()
        return self._default.fingerprint(request)
