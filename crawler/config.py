"""A crawl's newsarchive settings resolved and validated in one place: the site, editions, archive, rechecks."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scrapy.settings import BaseSettings, Settings

from archive.policy import parse_tiers
from archive.rechecks import RECHECK_MODES
from crawler.site import Site, SiteError, load_site
from crawler.site.urls import base_url_note

# Spider arguments (`scrapy crawl news -a site=...`) and the settings they stand for.
SPIDER_ARGS = {"site": "NEWSARCHIVE_SITE", "base_url": "NEWSARCHIVE_BASE_URL", "lang": "NEWSARCHIVE_EDITIONS",
               "db": "NEWSARCHIVE_DB", "max_pages": "NEWSARCHIVE_MAX_PAGES", "recheck": "NEWSARCHIVE_RECHECK"}


@dataclass(frozen=True)
class CrawlConfig:
    """What one crawl is about; built by `from_settings` (the CLI before starting, SiteExtension on the crawler)."""

    site: Site
    editions: tuple[str, ...]
    db: str
    max_pages: int
    recheck: str
    tiers: tuple[tuple[int, int], ...]
    note: str | None = None        # a change made to the base URL, to tell the user

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> CrawlConfig:
        """SiteError (one line) for any value that cannot be used."""
        name = str(settings.get("NEWSARCHIVE_SITE") or "").strip()
        if not name:
            raise SiteError("no site: set NEWSARCHIVE_SITE or pass --site")
        site, note = resolve_site(name, str(settings.get("NEWSARCHIVE_BASE_URL") or "").strip() or None)
        editions = str(settings.get("NEWSARCHIVE_EDITIONS") or "")
        codes = [c for c in editions.split(",") if c.strip()] or list(site.default_editions)
        db = str(settings.get("NEWSARCHIVE_DB") or "").strip()
        if not db:
            raise SiteError("no archive: set NEWSARCHIVE_DB or pass --db")
        max_pages = _int(settings, "NEWSARCHIVE_MAX_PAGES")
        if max_pages < 0:
            raise SiteError("NEWSARCHIVE_MAX_PAGES (--max-pages) must be 0 (no limit) or more")
        recheck = str(settings.get("NEWSARCHIVE_RECHECK") or "due").lower()
        if recheck not in RECHECK_MODES:
            raise SiteError(f"NEWSARCHIVE_RECHECK (--recheck): unknown mode {recheck!r} (expected all, due or none)")
        raw_tiers = settings.get("NEWSARCHIVE_RECHECK_TIERS")
        try:
            tiers = parse_tiers(raw_tiers)
        except (ValueError, TypeError) as exc:
            raise SiteError(f"NEWSARCHIVE_RECHECK_TIERS={raw_tiers!r}: expected JSON [[age_seconds, interval_seconds], "
                            f"...] with ascending ages ({str(exc).splitlines()[0][:80]})") from None
        return cls(site=site, editions=tuple(site.check_editions(codes)), db=db, max_pages=max_pages,
                   recheck=recheck, tiers=tiers, note=note)


def resolve_site(name: str, base_url: str | None) -> tuple[Site, str | None]:
    """The site a crawl of `name` at `base_url` reads, and a note on any change made to the base URL
    (also how an extraction worker process rebuilds the crawl's site: crawler/pool.py)."""
    note = None
    if base_url:
        base_url, _ = base_url_note(base_url)  # malformed URL, port out of range: refused here
    site = load_site(name, base_url=None if name != "generic" else base_url)
    if base_url and not site.generic:
        base_url, note = base_url_note(base_url, site)
        site = site.with_base_url(base_url)
    return site, note


def _int(settings: BaseSettings, name: str) -> int:
    try:
        return settings.getint(name)
    except ValueError:
        raise SiteError(f"{name}={settings.get(name)!r}: expected a whole number") from None


def crawl_config(crawler: Any) -> CrawlConfig:
    """The crawl's config put on the crawler by SiteExtension; components call this in from_crawler."""
    config = getattr(crawler, "newsarchive", None)
    if not isinstance(config, CrawlConfig):
        raise SiteError("no site on the crawler: crawler.site.extension.SiteExtension is not enabled (EXTENSIONS)")
    return config


def check_values(settings: Settings, names: Iterable[str]) -> None:
    """Settings given as text (`-s NAME=VALUE`) that cannot be read as the type of their default: SiteError."""
    for name in names:
        default = Settings().get(name) if name not in _PROJECT else _PROJECT[name]
        value = settings.get(name)
        if not isinstance(value, str) or default is None or isinstance(default, str):
            continue
        try:
            if isinstance(default, bool):
                if value.strip().lower() not in ("0", "1", "true", "false"):
                    raise ValueError
            elif isinstance(default, (int, float)):
                float(value)  # Scrapy reads some int defaults as floats (DOWNLOAD_TIMEOUT=2.5)
            elif isinstance(default, dict) and not isinstance(json.loads(value), dict):
                raise ValueError
        except ValueError:
            kind = {bool: "0, 1, true or false", int: "a number", float: "a number"}.get(
                type(default), f"JSON ({type(default).__name__})")
            raise SiteError(f"-s {name}={value!r}: expected {kind}") from None


def _project_defaults() -> dict[str, Any]:
    from crawler import settings as project

    return {k: getattr(project, k) for k in dir(project) if k.isupper()}


_PROJECT = _project_defaults()
