"""The archive write's database-free work, done where the page was extracted (an extraction worker)."""

from __future__ import annotations

from typing import Any

from archive.prepare import KEY, prepare
from pipelines.clean import Boilerplate, clean_article
from pipelines.dedupe import dedupe_paragraphs


def prepare_ahead(item: dict[str, Any], boilerplate: Boilerplate) -> dict[str, Any]:
    """`item` with archive/prepare.py's result for the item as the dedupe and clean pipelines will leave it.

    The pipelines still run in the crawl's process, on the item as extracted: what they give is what the
    writer checks the prepared result against (its fingerprint), so a prepared result that does not match
    is recomputed there, never stored as it is. Only articles are prepared; the item is not changed otherwise.
    """
    if item.get("kind") != "article":
        return item
    ahead = dict(item)
    captions = [img["caption"] for img in ahead.get("images") or [] if img.get("caption")]
    body, dropped = dedupe_paragraphs(list(ahead.get("body") or []), captions)
    if dropped:
        ahead["body"] = body
        ahead["dropped"] = list(ahead.get("dropped") or []) + dropped
    item[KEY] = prepare(clean_article(ahead, boilerplate))[KEY]
    return item
