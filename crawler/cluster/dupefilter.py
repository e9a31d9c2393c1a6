"""The duplicate filter shared by a run's workers: the crawl's own fingerprints, in a set per run."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter

from crawler.cluster.keys import run_key


class RunDupeFilter(RFPDupeFilter):
    """scrapy-redis' filter, changed in two ways:

    - fingerprints are the crawler's REQUEST_FINGERPRINTER_CLASS (crawler/fingerprint.py: one request per
      article identity, whatever its URL variant), not scrapy-redis' own hash of method, URL and body;
    - the set belongs to one run (`newsarchive:run:<id>:dupefilter`), so the next run fetches known
      articles again when they are due (scrapy-redis' single set would never let a URL through twice),
      and a worker leaving never clears it (the other workers still use it; the run's end gives it an expiry, crawler/cluster/runs.py).
    """

    def __init__(self, server: Any, key: str, debug: bool = False, fingerprinter: Any = None) -> None:
        super().__init__(server, key, debug)
        self.fingerprinter = fingerprinter

    @classmethod
    def from_spider(cls, spider: Any) -> RunDupeFilter:
        settings = spider.settings
        key = run_key(settings.get("NEWSARCHIVE_CLUSTER_RUN"), "dupefilter")
        return cls(get_redis_from_settings(settings), key, settings.getbool("DUPEFILTER_DEBUG"),
                   spider.crawler.request_fingerprinter)

    def request_fingerprint(self, request: Request) -> str:
        return self.fingerprinter.fingerprint(request).hex()

    def close(self, reason: str = "") -> None:
        """Kept: the run's other workers still filter with it (it expires on its own)."""
