"""The crawl baseline: the same spider, settings and requests, with article pages dropped unparsed."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import Any

from scrapy.http import Response

from crawler.spiders.news import NewsSpider


class NoopSpider(NewsSpider):
    """Discovery as in a real crawl (listings, feed, home page); article responses are discarded."""

    name = "noop"

    def parse_article(self, response: Response) -> Iterable[dict[str, Any]]:
        self.crawler.stats.inc_value("noop/articles")
        return ()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--site", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.reactor import install_reactor

    from crawler.runner import build_settings

    overrides = dict(s.split("=", 1) for s in args.settings)
    settings = build_settings(overrides, "WARNING")
    if settings.get("TWISTED_REACTOR"):
        install_reactor(settings["TWISTED_REACTOR"], settings.get("ASYNCIO_EVENT_LOOP"))
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(NoopSpider)
    process.crawl(crawler, db=args.db, site=args.site, base_url=args.base_url, lang="ar")
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    json.dump({k: v for k, v in stats.items() if isinstance(v, (int, float, str))}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
