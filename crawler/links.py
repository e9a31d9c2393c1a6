"""URL handling that never throws past one link: joining, checking and the crawl's own origins (host + port)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol
from urllib.parse import SplitResult, urljoin, urlsplit

from scrapy.http import Response, TextResponse
from w3lib.url import safe_url_string

DEFAULT_PORTS = {"http": 80, "https": 443}


class _Site(Protocol):
    """What these helpers need of a site profile (duck-typed: the profile class may change)."""

    hosts: tuple[str, ...]
    base_url: str | None

    site_url: str

    def is_own_url(self, url: str) -> bool: ...

    def may_fetch(self, url: str) -> bool: ...


def split(url: str) -> SplitResult | None:
    """The parts of an http(s) URL with a host and a valid port, or None.

    urlsplit() accepts `http://h:99999/` and only `.port` raises; `http://[::1/x` raises at once.
    Both are one bad link, never a reason to lose the page that carried it.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port out of range or not a number)
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts


def join(base: str, href: str) -> str | None:
    """`href` resolved against `base`, as a safe (percent-encoded, IDNA) http(s) URL; None if unusable."""
    href = href.strip()
    if not href:
        return None
    try:
        url = safe_url_string(urljoin(base, href))
    except (ValueError, UnicodeError):
        return None
    return url if split(url) is not None else None


def is_bad(base: str, href: str) -> bool:
    """True for an href that is malformed (not merely another scheme such as mailto: or javascript:)."""
    href = href.strip()
    try:
        parts = urlsplit(urljoin(base, href))
        parts.port  # noqa: B018
        if parts.scheme in DEFAULT_PORTS:
            safe_url_string(parts.geturl())
    except (ValueError, UnicodeError):
        return True
    return False


def effective_port(parts: SplitResult) -> int:
    """The port a URL really connects to: `http://h/` and `http://h:80/` are the same origin."""
    return parts.port or DEFAULT_PORTS[parts.scheme]


def own_port(site: _Site, parts: SplitResult) -> bool:
    """Is this host *and port* one of the crawl's? Another port of the site's host is another server.

    The mirror (`--base-url`) on its own port; the profile's hosts on the scheme's default port
    (80/443), or on the port the profile's site URL names.
    """
    host = (parts.hostname or "").lower()
    if site.base_url:
        base = urlsplit(site.base_url)
        if host == (base.hostname or "").lower():
            return effective_port(parts) == effective_port(base)
    if host in site.hosts:
        site_port = urlsplit(site.site_url).port
        return parts.port in (None, DEFAULT_PORTS[parts.scheme]) or (site_port is not None and parts.port == site_port)
    return False


def fetchable(site: _Site, url: str) -> bool:
    """May the crawler send a request to `url`? Only where the site allows (under the mirror when one is
    set, its robots.txt included), and only on the crawl's own origins, host *and* port."""
    parts = split(url)
    if parts is None:
        return False
    try:
        return site.may_fetch(url) and own_port(site, parts)
    except ValueError:
        return False


def followable(site: _Site, url: str, stats: Any = None) -> bool:
    """False for a link to the site's host on a port that is not the site's (counted, never followed).

    Dropped here rather than refused later: a refused request would still use up the article's
    one request per crawl (crawler/fingerprint.py), and the good link to it would be filtered.
    Links to other sites are kept: the spider ignores them anyway.
    """
    parts = split(url)
    if parts is None:
        return False
    try:
        if not site.is_own_url(url) or own_port(site, parts):
            return True
    except ValueError:
        return False
    if stats is not None:
        stats.inc_value("discovery/offsite_port_link")
    return False


def page_links(response: Response, selectors: Iterable[str], site: _Site | None = None,
               stats: Any = None) -> list[str]:
    """Absolute links from the first selector that matches (every `<a href>` when none does).

    Each href is handled on its own: a malformed one is counted (`discovery/bad_link`) and skipped,
    the rest of the page is kept. With `site`, links the crawl may not fetch are left out too.
    """
    if not isinstance(response, TextResponse):
        return []
    hrefs: list[str] = []
    for sel in selectors:
        hrefs = response.css(sel).getall()
        if hrefs:
            break
    else:
        hrefs = response.css("a::attr(href)").getall()
    out: list[str] = []
    base = response.url
    try:
        base = response.urljoin("")  # honours <base href>
    except ValueError:  # a malformed <base href>: resolve against the page's own URL
        pass
    for href in hrefs:
        url = join(base, href)
        if url is not None:
            if site is None or followable(site, url, stats):
                out.append(url)
        elif href.strip() and is_bad(base, href) and stats is not None:
            stats.inc_value("discovery/bad_link")
    return out
