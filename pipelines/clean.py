"""Cleaning: the display layer on every text field, boilerplate lines out of the body, the dateline."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter

from archive.text import display, key, split_dateline
from pipelines import crawl_config

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class Boilerplate:
    """A site's boilerplate lines (from its profile), matched on the key layer of short lines only."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.lines = {key(line) for line in config.get("lines", [])}
        self.prefixes = tuple(key(p) for p in config.get("prefixes", []) if key(p))
        self.patterns = [re.compile(p) for p in config.get("patterns", [])]
        self.max_chars = int(config.get("max_chars", 60))

    def matches(self, paragraph: str) -> bool:
        if len(paragraph) > self.max_chars:
            return False  # a long line is a sentence (`اقرأ التقرير كاملا ...`), never boilerplate
        k = key(paragraph)
        return k in self.lines or k.startswith(self.prefixes) or any(p.search(k) for p in self.patterns)


def clean_article(item: dict[str, Any], boilerplate: Boilerplate) -> dict[str, Any]:
    """Apply the display layer to an extracted article; pure, so re-extraction gives the same result."""
    for name in ("title", "lead", "author", "section"):
        if item.get(name):
            item[name] = display(item[name]) or None
    item["tags"] = [t for t in (display(t) for t in item.get("tags") or []) if t]
    item["images"] = [
        {"url": img["url"], "caption": (display(img["caption"]) or None) if img.get("caption") else None}
        for img in item.get("images") or []
    ]
    dropped = [{**d, "text": display(d["text"])} for d in item.get("dropped") or []]
    body: list[str] = []
    for raw in item.get("body") or []:
        paragraph = display(raw)
        if not paragraph:
            continue
        if boilerplate.matches(paragraph):
            dropped.append({"text": paragraph, "reason": "boilerplate"})
            continue
        body.append(paragraph)
    item["body"] = body
    item["dropped"] = dropped
    place, agency = split_dateline(body[0]) if body else (None, None)
    item["dateline_place"], item["dateline_agency"] = place, agency
    return item


class CleanPipeline:
    """Scrapy wrapper around `clean_article`; observations pass through untouched."""

    def __init__(self, crawler: Crawler, boilerplate: Boilerplate) -> None:
        self.crawler = crawler
        self._boilerplate = boilerplate

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        return cls(crawler, Boilerplate(crawl_config(crawler).site.boilerplate))

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if adapter.get("kind") != "article":
            return item
        before = len(adapter.get("dropped") or [])
        # clean_article only replaces top-level values, so a shallow copy of a dict item is enough:
        # adapter.asdict() asks every adapter class about every string of every list (1.2 ms an article).
        cleaned = clean_article(dict(item) if isinstance(item, dict) else adapter.asdict(), self._boilerplate)
        for name, value in cleaned.items():
            adapter[name] = value
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("clean/articles")
        stats.inc_value("clean/boilerplate_dropped", len(cleaned["dropped"]) - before)
        if cleaned.get("replacement_chars"):
            stats.inc_value("clean/replacement_chars", cleaned["replacement_chars"])
        return item
