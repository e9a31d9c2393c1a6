"""Item pipelines: cleaning (display layer), deduplication, and handing items to the archive."""

from __future__ import annotations

from typing import Any


def crawl_config(crawler: Any) -> Any:
    """The crawl's config (site, editions, archive path) that crawler.site.extension.SiteExtension put on the
    crawler; read by attribute so the arrows stay one way."""
    config = getattr(crawler, "newsarchive", None)
    if config is None:
        raise RuntimeError("no site on the crawler: crawler.site.extension.SiteExtension is not enabled (EXTENSIONS)")
    return config
