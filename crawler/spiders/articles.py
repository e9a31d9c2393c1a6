"""An article response as an item: an article to archive, or an observation (blocked, gone, failed, ...)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from scrapy.http import Response, TextResponse

from crawler.extract import EXTRACTOR_VERSION, extract_article
from crawler.extract.block import check_health, detect_block
from crawler.profile import Identity, Profile

logger = logging.getLogger(__name__)


def header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def article_item(response: Response, ident: Identity, profile: Profile) -> dict[str, Any]:
    """What one fetch of an article URL tells the archive. Never raises: an extractor bug costs one page."""
    fetched_at = datetime.now(UTC)
    base: dict[str, Any] = {
        "key": ident.key, "site": ident.site, "edition": ident.edition, "article_id": ident.article_id,
        "generation": ident.generation, "url": profile.to_site_url(response.request.url),
        "fetched_url": response.url, "http_status": response.status,
        "fetched_at": fetched_at.isoformat(timespec="seconds"),
        "etag": header(response, b"ETag"), "last_modified": header(response, b"Last-Modified"),
    }

    def observation(outcome: str, reason: str, **extra: Any) -> dict[str, Any]:
        return {**base, "kind": "observation", "outcome": outcome, "reason": reason, **extra}

    if response.status == 304:
        return observation("not_modified", "not modified (304)")
    text = response.text if isinstance(response, TextResponse) else response.body.decode("latin-1")
    reason = detect_block(response.status, text, list(profile.block_markers))
    if reason:
        return observation("blocked", reason)
    if response.status in (404, 410):
        return observation("gone", f"HTTP {response.status}")
    if response.status != 200:
        return observation("failed", f"HTTP {response.status}")
    if response.meta.get("redirect_urls"):
        target = profile.identify(response.url)
        if target is None:
            # Sites answer a deleted article with a redirect to the home page or a section.
            return observation("gone", f"redirected to a page that is not an article: {profile.to_site_url(response.url)}")
        if target.key != ident.key:
            return observation("redirected", f"redirected to {target.key}", redirected_to=target.key)
    content_type = header(response, b"Content-Type")
    try:
        fields = extract_article(response.body, url=response.url, content_type=content_type,
                                 selectors=profile.selectors, tz=profile.timezone, fetched_at=fetched_at)
    except Exception as exc:
        logger.exception("extraction crashed on %s", response.url)
        return observation("failed", f"extraction error: {exc!r}"[:300])
    reason = check_health(fields)
    if reason:
        return observation("failed", reason)
    if fields.get("canonical_url"):
        fields["canonical_url"] = profile.to_site_url(fields["canonical_url"])
    return {**base, **fields, "kind": "article", "raw_html": response.body, "content_type": content_type,
            "extractor_version": EXTRACTOR_VERSION, "dropped": list(fields.get("dropped") or [])}
