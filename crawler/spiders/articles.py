"""An article response as an item: Scrapy's response made a Page, then the shared processing path."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scrapy.http import Response, TextResponse

from crawler.process import Page, process
from crawler.site import Identity, Site


def header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def page_of(response: Response) -> Page:
    return Page(url=response.request.url, fetched_url=response.url, status=response.status, body=response.body,
                fetched_at=datetime.now(UTC), content_type=header(response, b"Content-Type"),
                etag=header(response, b"ETag"), last_modified=header(response, b"Last-Modified"),
                redirected=bool(response.meta.get("redirect_urls")),
                text=response.text if isinstance(response, TextResponse) else response.body.decode("latin-1"))


def article_item(response: Response, ident: Identity, site: Site) -> dict[str, Any]:
    """What one fetch of an article URL tells the archive (crawler.process.process)."""
    return process(page_of(response), site, ident)
