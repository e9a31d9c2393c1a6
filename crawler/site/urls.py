"""Where a site's URLs point: own hosts, the mirror given as base URL, entry points of an edition."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from w3lib.url import safe_url_string

from crawler.site.errors import SiteError

if TYPE_CHECKING:
    from crawler.site.schema import Site


def fetch_hosts(site: Site) -> tuple[str, ...]:
    if site.base_url:
        return (urlsplit(site.base_url).hostname or "",)
    return site.hosts


def is_own_url(site: Site, url: str) -> bool:
    """True for http(s) URLs on one of the site's hosts or under the mirror."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port out of range
        return False
    if parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower()
    if site.base_url:
        base = urlsplit(site.base_url)
        if host == (base.hostname or "").lower() and port == base.port:
            return parts.path.startswith(base.path.rstrip("/") + "/") or parts.path == base.path
    return host in site.hosts


def may_fetch(site: Site, url: str) -> bool:
    """Where requests may go: under the mirror only when one is set (a local crawl never reaches the real
    site), else the site's own hosts; and robots.txt of those hosts."""
    return _under_mirror(site, url) if site.base_url else is_own_url(site, url) or is_robots_url(site, url)


def _under_mirror(site: Site, url: str, path_prefix: bool = True) -> bool:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    base = urlsplit(site.base_url or "")
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() != (base.hostname or "").lower():
        return False
    if port != base.port:
        return False
    if parts.path == "/robots.txt":
        return True  # robots.txt belongs to the host, also when the mirror lives under a path
    prefix = base.path.rstrip("/")
    return not path_prefix or parts.path.startswith(prefix + "/") or parts.path == base.path


def is_robots_url(site: Site, url: str) -> bool:
    """robots.txt of a host we fetch from."""
    parts = urlsplit(url)
    if parts.path != "/robots.txt" or parts.scheme not in ("http", "https"):
        return False
    if site.base_url:
        return _under_mirror(site, url)
    return (parts.hostname or "").lower() in site.hosts


def _mirror_prefix(site: Site) -> str:
    return urlsplit(site.base_url).path.rstrip("/") if site.base_url else ""


def site_path(site: Site, url: str) -> str | None:
    """The site-relative path of an own URL (mirror prefix removed), else None."""
    if not is_own_url(site, url):
        return None
    parts = urlsplit(url)
    path = parts.path or "/"
    if site.base_url and (parts.hostname or "").lower() not in site.hosts:
        path = path[len(_mirror_prefix(site)):] or "/"
    return path


def to_fetch_url(site: Site, url: str) -> str:
    """Map a link to the site onto the mirror (identity when no mirror is set)."""
    url = safe_url_string(url)
    path = site_path(site, url)
    if path is None or not site.base_url:
        return url
    query = urlsplit(url).query
    return site.fetch_root + path + (f"?{query}" if query else "")


def to_site_url(site: Site, url: str) -> str:
    """Map a fetched URL back onto the real site, so the archive never stores mirror addresses."""
    if not site.base_url:
        return url
    path = site_path(site, url)
    if path is None:
        return url
    query = urlsplit(url).query
    return site.site_url.rstrip("/") + path + (f"?{query}" if query else "")


def entry_urls(site: Site, edition: str) -> dict[str, list[str]]:
    """Feeds, listings and the home page of an edition, as fetch URLs."""
    ed = site.editions[edition]
    d = site.discovery
    root = f"{urlsplit(site.site_url).scheme}://{ed.host}" if ed.host and not site.base_url else site.fetch_root

    def fill(paths: tuple[str, ...] | list[str]) -> list[str]:
        return [root + p.format(edition=ed.word) for p in paths]

    return {"feeds": fill(d.feeds), "listings": fill(d.listings), "home": fill([d.home] if d.home else [])}


def next_page(site: Site, base: str, page: int, next_link: str | None) -> str | None:
    """A listing's page `page + 1` as the profile's pagination says: `?param=N`, a path, the page's next link."""
    p = site.discovery.pagination
    if p.kind == "query":
        return f"{base}{'&' if '?' in base else '?'}{p.param}={page + 1}"
    if p.kind == "path":
        parts = urlsplit(base)
        path = parts.path.rstrip("/") + p.path.format(n=page + 1)
        return f"{parts.scheme}://{parts.netloc}{path}" + (f"?{parts.query}" if parts.query else "")
    if p.kind == "next" and next_link and is_own_url(site, next_link):
        return to_fetch_url(site, next_link)
    return None


def check_base_url(base_url: str, site: Site | None = None) -> str:
    return base_url_note(base_url, site)[0]


def base_url_note(base_url: str, site: Site | None = None) -> tuple[str, str | None]:
    """A usable --base-url, and a note when it was changed; SiteError (one line) when it cannot be used.

    A path that is an edition's home (`http://127.0.0.1:8765/ar`, what the demo server prints) is the
    site root plus an edition: it is stripped to the origin with a note. Any other path is a mirror
    living under that prefix.
    """
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SiteError(f"malformed --base-url {base_url!r}: expected http(s)://host[:port][/path]")
    try:
        parts.port
    except ValueError:
        raise SiteError(f"malformed --base-url {base_url!r}: the port must be 1-65535") from None
    if parts.query or parts.fragment:
        raise SiteError(f"malformed --base-url {base_url!r}: no query or fragment allowed")
    url = base_url.strip().rstrip("/")
    if site is None:
        return url, None
    if any(ed.host for ed in site.editions.values()):
        raise SiteError(f"--base-url cannot stand for site {site.name}: its editions live on their own hosts")
    words = [w for w in parts.path.split("/") if w]
    if len(words) == 1 and site.edition_code(words[0]) is not None:
        origin = f"{parts.scheme}://{parts.netloc}"
        return origin, (f"--base-url {url} is the {site.edition_code(words[0])} edition's home page: crawling the "
                        f"site at {origin} (choose editions with --lang)")
    return url, None
