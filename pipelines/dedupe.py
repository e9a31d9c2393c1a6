"""Deduplication inside a crawl: one item per article identity, no repeated paragraphs inside a page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from archive.text import key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# A paragraph of this many words, contained in a longer one, is a pull quote. Shorter ones are
# subheadings or single names, which may well recur inside a paragraph.
PULL_QUOTE_WORDS = range(4, 31)


def dedupe_paragraphs(body: list[str], captions: list[str]) -> tuple[list[str], list[dict[str, str]]]:
    """Drop exact repeats, captions repeated as body text and pull quotes; say what went and why."""
    caption_keys = {key(c) for c in captions if c}
    keys = [key(p) for p in body]
    kept: list[str] = []
    dropped: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, (paragraph, k) in enumerate(zip(body, keys, strict=True)):
        if k in seen:
            reason = "repeat"
        elif k in caption_keys:
            reason = "caption"
        elif len(k.split()) in PULL_QUOTE_WORDS and any(
            j != i and len(other) > len(k) and k in other for j, other in enumerate(keys)
        ):
            reason = "pull quote"
        else:
            seen.add(k)
            kept.append(paragraph)
            continue
        dropped.append({"text": paragraph, "reason": reason})
    return kept, dropped


class DedupePipeline:
    """Drops a second item for an identity already handled in this crawl, and repeated paragraphs."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen_keys: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        stats = self.crawler.stats
        assert stats is not None
        item_key = adapter.get("key")
        if adapter.get("kind") != "article":
            return item
        if item_key in self.seen_keys:
            stats.inc_value("dedupe/duplicate_identity")
            raise DropItem(f"article {item_key} already archived in this crawl (from {adapter.get('url')})")
        self.seen_keys.add(item_key)
        captions = [img["caption"] for img in adapter.get("images") or [] if img.get("caption")]
        body, dropped = dedupe_paragraphs(list(adapter.get("body") or []), captions)
        if dropped:
            stats.inc_value("dedupe/paragraphs_dropped", len(dropped))
            adapter["body"] = body
            adapter["dropped"] = list(adapter.get("dropped") or []) + dropped
        return item
