"""Site profiles: load a site's TOML data file and answer URL questions (identity, hosts, mirrors)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

SITES_DIR = Path(__file__).parent / "sites"

# Query parameters that identify a campaign or a click, never a page.
TRACKING_PARAMS = ("fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref_src", "_ga")


class ProfileError(ValueError):
    """A profile that cannot be loaded, or a request it cannot serve (unknown edition, bad URL)."""


@dataclass(frozen=True)
class Identity:
    """Who an article URL points at: the same article under any URL variant has one identity."""

    site: str
    edition: str
    article_id: str
    generation: str

    @property
    def key(self) -> str:
        return f"{self.site}:{self.edition}:{self.article_id}"


@dataclass
class Profile:
    """One site as data; `base_url` (a mirror or local copy) is None for the real site."""

    name: str
    title: str
    site_url: str
    hosts: tuple[str, ...]
    timezone: str
    default_editions: tuple[str, ...]
    editions: dict[str, dict[str, Any]]
    article_urls: list[tuple[str, re.Pattern[str]]]
    discovery: dict[str, Any]
    selectors: dict[str, Any]
    boilerplate: dict[str, Any]
    block_markers: tuple[str, ...]
    max_listing_pages: int
    base_url: str | None = None
    # [backfill]: sequential_ids, article_url ("/{edition}/story/{id}"), sitemaps (read by crawler/spiders/backfill.py)
    backfill: dict[str, Any] = field(default_factory=dict)
    _aliases: dict[str, str] = field(default_factory=dict)
    _listing_res: list[re.Pattern[str]] = field(default_factory=list)

    # --- editions ---------------------------------------------------------------------------
    def edition_code(self, code: str) -> str | None:
        """The profile's edition for a code or one of its older aliases (`so` -> `ckb`)."""
        code = code.lower()
        if code in self.editions:
            return code
        return self._aliases.get(code)

    def check_editions(self, codes: list[str]) -> list[str]:
        out: list[str] = []
        for code in codes:
            ed = self.edition_code(code.strip())
            if ed is None:
                known = ", ".join(sorted(self.editions))
                raise ProfileError(f"unknown edition {code!r} for site {self.name} (known: {known})")
            if ed not in out:
                out.append(ed)
        return out

    # --- hosts and mirrors --------------------------------------------------------------------
    @property
    def fetch_root(self) -> str:
        """Where requests go: the mirror when one is set, else the real site."""
        return (self.base_url or self.site_url).rstrip("/")

    @property
    def fetch_hosts(self) -> tuple[str, ...]:
        if self.base_url:
            return (urlsplit(self.base_url).hostname or "",)
        return self.hosts

    def is_own_url(self, url: str) -> bool:
        """True for http(s) URLs on one of the site's hosts or on the mirror."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        host = (parts.hostname or "").lower()
        if self.base_url:
            base = urlsplit(self.base_url)
            if host == (base.hostname or "").lower() and parts.port == base.port:
                return parts.path.startswith(base.path.rstrip("/") + "/") or parts.path == base.path
        return host in self.hosts

    def _path_of(self, url: str) -> str | None:
        """The site-relative path of an own URL (mirror prefix removed), else None."""
        if not self.is_own_url(url):
            return None
        parts = urlsplit(url)
        path = parts.path or "/"
        if self.base_url and (urlsplit(url).hostname or "").lower() not in self.hosts:
            prefix = urlsplit(self.base_url).path.rstrip("/")
            path = path[len(prefix):] or "/"
        return path

    def to_fetch_url(self, url: str) -> str:
        """Map a link to the site onto the mirror (identity when no mirror is set)."""
        url = safe_url_string(url)
        path = self._path_of(url)
        if path is None:
            return url
        query = urlsplit(url).query
        return self.fetch_root + path + (f"?{query}" if query else "")

    def to_site_url(self, url: str) -> str:
        """Map a fetched URL back onto the real site, so the archive never stores mirror addresses."""
        path = self._path_of(url)
        if path is None:
            return url
        query = urlsplit(url).query
        return self.site_url.rstrip("/") + path + (f"?{query}" if query else "")

    # --- URL kinds -------------------------------------------------------------------------------
    def identify(self, url: str) -> Identity | None:
        """The article identity of an own URL, or None when it is not an article URL."""
        path = self._path_of(safe_url_string(url))
        if path is None:
            return None
        for generation, regex in self.article_urls:
            m = regex.match(path)
            if not m:
                continue
            edition = self.edition_code(m.group("edition"))
            if edition is None:
                return None
            article_id = m.group("id").lower()
            return Identity(self.name, edition, article_id, generation)
        return None

    def listing_edition(self, url: str) -> str | None:
        """The edition of a listing URL (category, latest, ...), or None when it is not one."""
        path = self._path_of(safe_url_string(url))
        if path is None:
            return None
        for regex in self._listing_res:
            m = regex.match(path)
            if m:
                return self.edition_code(m.group("edition"))
        return None

    def entry_urls(self, edition: str) -> dict[str, list[str]]:
        """Feeds, listings and the home page of an edition, as fetch URLs."""
        d = self.discovery

        def fill(paths: list[str]) -> list[str]:
            return [self.fetch_root + p.format(edition=edition) for p in paths]

        return {"feeds": fill(d.get("feeds", [])), "listings": fill(d.get("listings", [])),
                "home": fill([d["home"]] if d.get("home") else [])}


def clean_url(url: str) -> str:
    """A URL without fragment and tracking parameters, in canonical form (sorted query)."""
    url = safe_url_string(url)
    parts = urlsplit(url)
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p.split("=", 1)[0]))
    return canonicalize_url(urlunsplit((parts.scheme, parts.netloc, parts.path, query, "")))


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


def available_sites() -> list[str]:
    return sorted(p.stem for p in SITES_DIR.glob("*.toml"))


def load_profile(name_or_path: str, base_url: str | None = None) -> Profile:
    """Load a bundled profile by name, or any profile file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = SITES_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise ProfileError(f"unknown site {name_or_path!r} (known: {', '.join(available_sites())})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"site profile {path} is not valid TOML: {exc}") from exc
    if base_url is not None:
        base_url = check_base_url(base_url)
    try:
        site = data["site"]
        editions = data["editions"]
        profile = Profile(
            name=site["name"],
            title=site.get("title", site["name"]),
            site_url=site["base_url"].rstrip("/"),
            hosts=tuple(h.lower() for h in site["hosts"]),
            timezone=site.get("timezone", "+00:00"),
            default_editions=tuple(site.get("default_editions", list(editions)[:1])),
            editions=editions,
            article_urls=[(u.get("generation", "?"), re.compile(u["regex"])) for u in data["article_urls"]],
            discovery=data.get("discovery", {}),
            selectors=data.get("selectors", {}),
            boilerplate=data.get("boilerplate", {}),
            block_markers=tuple(data.get("blocks", {}).get("markers", [])),
            max_listing_pages=int(site.get("max_listing_pages", 5)),
            base_url=base_url,
            backfill=dict(data.get("backfill", {})),
        )
    except (KeyError, TypeError, re.error) as exc:
        raise ProfileError(f"site profile {path} is incomplete or invalid: {exc!r}") from exc
    for code, ed in editions.items():
        for alias in ed.get("aliases", []):
            profile._aliases[alias] = code
    profile._listing_res = [re.compile(r) for r in profile.discovery.get("listing_urls", [])]
    return profile


def check_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProfileError(f"malformed --base-url {base_url!r}: expected http(s)://host[:port][/path]")
    if parts.query or parts.fragment:
        raise ProfileError(f"malformed --base-url {base_url!r}: no query or fragment allowed")
    return base_url.rstrip("/")
