"""One fetched (or stored) page -> one item: the path shared by the spider, `reextract` and `extract`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crawler.extract import EXTRACTOR_VERSION, extract_article
from crawler.extract.block import check_health, detect_block
from crawler.extract.charset import decode_html
from crawler.site import Identity, Site
from crawler.site.layouts import layouts_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Page:
    """A page as fetched: what was asked for, what answered, and when."""

    url: str                      # the requested URL (a mirror address is mapped back by the site)
    status: int
    body: bytes
    fetched_at: datetime
    fetched_url: str = ""         # the final URL after redirects (default: url)
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    redirected: bool = False
    text: str | None = None       # the decoded text when the caller has it already (Scrapy's response.text)


def process(page: Page, site: Site, ident: Identity | None = None) -> dict[str, Any]:
    """The item one page gives: `kind` article, observation, or `not_article` (generic sites: a page that
    is no article, to be read as a listing; `article` holds what it would give). Never raises: an extractor
    bug costs one page."""
    ident = ident or site.identify(page.url)
    fetched_url = page.fetched_url or page.url
    base: dict[str, Any] = {
        "key": ident.key if ident else None, "url": site.to_site_url(page.url), "fetched_url": fetched_url,
        "http_status": page.status, "fetched_at": page.fetched_at.isoformat(timespec="seconds"),
        "etag": page.etag, "last_modified": page.last_modified,
    }
    if ident is not None:
        base.update(site=ident.site, edition=ident.edition, article_id=ident.article_id, generation=ident.generation)

    def observation(outcome: str, reason: str, **extra: Any) -> dict[str, Any]:
        return {**base, "kind": "observation", "outcome": outcome, "reason": reason, **extra}

    if page.status == 304:
        return observation("not_modified", "not modified (304)")
    text = page.text if page.text is not None else decode_html(page.body, page.content_type).text
    reason = detect_block(page.status, text, list(site.block_markers))
    if reason:
        return observation("blocked", reason)
    if page.status in (404, 410):
        return observation("gone", f"HTTP {page.status}")
    if page.status != 200:
        return observation("failed", f"HTTP {page.status}")
    if page.redirected and ident is not None:
        target = site.identify(fetched_url)
        if target is None:
            # Sites answer a deleted article with a redirect to the home page or a section.
            return observation("gone", f"redirected to a page that is not an article: {site.to_site_url(fetched_url)}")
        if target.key != ident.key:
            return observation("redirected", f"redirected to {target.key}", redirected_to=target.key)
    try:
        fields, layout, reason = _extract(page, site, ident, fetched_url)
    except Exception as exc:
        logger.exception("extraction crashed on %s", fetched_url)
        return observation("failed", f"extraction error: {exc!r}"[:300])
    if reason:
        return {**base, "kind": "not_article", "reason": reason} if site.generic else observation("failed", reason)
    if fields.get("canonical_url"):
        fields["canonical_url"] = site.to_site_url(fields["canonical_url"])
        if ident is not None and (ident.generation == "generic" or _path_identity(site, ident)):
            # Ids that are paths: the page's own canonical URL names the article, whatever link led here.
            canonical = site.identify(fields["canonical_url"])
            if canonical is not None and canonical.edition == ident.edition:
                base.update(key=canonical.key, article_id=canonical.article_id)
    item = {**base, **fields, "kind": "article", "raw_html": page.body, "content_type": page.content_type,
            "extractor_version": EXTRACTOR_VERSION, "layout": layout, "dropped": list(fields.get("dropped") or [])}
    if site.generic:
        from crawler.site.generic import is_article_page

        if not is_article_page(text, fields):
            # A crawl reads it as a listing; `extract` still shows what it would give.
            return {**base, "kind": "not_article", "reason": "no article signals", "article": item}
    return item


def _extract(page: Page, site: Site, ident: Identity | None, url: str) -> tuple[dict[str, Any], str, str | None]:
    """Fields from the most likely layout; the next layouts only when it cannot read the page."""
    first: tuple[dict[str, Any], str, str | None] | None = None
    for layout in layouts_for(site, ident.generation if ident else None, page.fetched_at) or [None]:
        fields = extract_article(page.body, url=url, content_type=page.content_type,
                                 selectors=layout.selectors if layout else {}, tz=site.timezone,
                                 fetched_at=page.fetched_at)
        if hook := site.hooks.get("after_extract"):
            fields = hook(fields, page, site)
        result = (fields, layout.name if layout else "", check_health(fields))
        if result[2] is None:
            return result
        first = first or result
    assert first is not None
    return first


def _path_identity(site: Site, ident: Identity | None) -> bool:
    """True when the identity's id is the URL path (a URL rule with no `id` group)."""
    if ident is None:
        return False
    return any(rule.generation == ident.generation and not rule.has_id for rule in site.article_urls)


def as_archived(item: dict[str, Any], site: Site) -> dict[str, Any]:
    """An article item after the crawl's pipelines (paragraph dedupe, display layer, boilerplate, dateline):
    what the archive would store. Identity repeats within a crawl are the pipeline's, not a page's."""
    from pipelines.clean import Boilerplate, clean_article
    from pipelines.dedupe import dedupe_paragraphs

    captions = [img["caption"] for img in item.get("images") or [] if img.get("caption")]
    item["body"], dropped = dedupe_paragraphs(item["body"], captions)
    item["dropped"] = [*(item.get("dropped") or []), *dropped]
    return clean_article(item, Boilerplate(site.boilerplate))


# What `newsarchive extract` prints and layout fixtures expect, in this order (docs/sites.md).
RECORD_FIELDS = ("url", "key", "layout", "title", "lead", "body", "published_at", "published_approx", "modified_at",
                 "author", "tags", "images", "section", "canonical_url", "dateline_place", "dateline_agency", "sources")


def page_record(page: Page, site: Site) -> dict[str, Any]:
    """The archived fields of one page as plain JSON (body paragraphs joined by a blank line), or its `error`."""
    item = process(page, site)
    note = None
    if item["kind"] == "not_article" and "article" in item:
        note, item = f"{item['reason']}: a crawl would read this page as a listing", item["article"]
    if item["kind"] != "article":
        return {"url": item["url"], "error": item.get("reason") or "not an article"}
    item = as_archived(item, site)
    record = {name: item.get(name) for name in RECORD_FIELDS}
    if note:
        record["note"] = note
    record["body"] = "\n\n".join(item.get("body") or [])
    return record
