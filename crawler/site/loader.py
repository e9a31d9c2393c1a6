"""Load a site once: a bundled name, a profile TOML path, or `generic`; validated whole, or SiteError."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from crawler.extract.dates import parse_tz
from crawler.site.checks import Table
from crawler.site.errors import SiteError
from crawler.site.schema import (
    PAGINATION_KINDS, SELECTOR_FIELDS, Discovery, Edition, Layout, Pagination, Site, UrlRule,
)

_EPOCH = date(1970, 1, 1)
SITES_DIR = Path(__file__).resolve().parent.parent / "sites"
GENERIC = "generic"
HOOKS = ("identify", "after_extract")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def available_sites() -> list[str]:
    """Bundled site names (crawler/sites/*.toml)."""
    return sorted(p.stem for p in SITES_DIR.glob("*.toml"))


def site_file(name_or_path: str) -> Path:
    """The profile file for a bundled name or a path; SiteError naming the known sites otherwise."""
    path = Path(name_or_path)
    if path.suffix != ".toml" and "/" not in name_or_path:
        path = SITES_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        known = ", ".join([*available_sites(), GENERIC])
        raise SiteError(f"unknown site {name_or_path!r} (known: {known}; or a path to a profile .toml)")
    return path


def load_site(name_or_path: str, base_url: str | None = None) -> Site:
    """The site for `--site` / NEWSARCHIVE_SITE, bound to a mirror when `base_url` is given."""
    if name_or_path == GENERIC:
        from crawler.site.generic import generic_site

        if not base_url:
            raise SiteError("--site generic needs --base-url: the home page of the site to crawl")
        return generic_site(base_url)
    site, problems = read_site(site_file(name_or_path))
    if problems:
        raise SiteError(problems)
    assert site is not None
    return site.with_base_url(base_url) if base_url else site


def read_site(path: Path) -> tuple[Site | None, list[str]]:
    """The site of one profile file and every problem found in it (`site check` prints them all)."""
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        return None, [f"{source}: not valid TOML: {str(exc).splitlines()[0]}"]
    problems: list[str] = []
    top = Table(data, "", problems, source)
    site = _build(top, path, problems)
    top.done()
    return (None if problems else site), problems


def _build(top: Table, path: Path, problems: list[str]) -> Site | None:
    s = top.table("site")
    name = s.get("name", str, "", required=True)
    if name and not _NAME.match(name):
        s.problem(f"{name!r}: lowercase letters, digits and '-' only", "name")
    if name == GENERIC:
        s.problem("'generic' is reserved for crawling without a profile", "name")
    if path.resolve().parent == SITES_DIR and name and path.stem != name:
        s.problem(f"a bundled profile's file must be named {name}.toml", "name")
    title = s.get("title", str, name)
    site_url = s.get("base_url", str, "", required=True).rstrip("/")
    if site_url and (urlsplit(site_url).scheme not in ("http", "https") or not urlsplit(site_url).hostname):
        s.problem(f"expected http(s)://host, got {site_url!r}", "base_url")
    hosts = tuple(h.lower() for h in s.strings("hosts")) or ((urlsplit(site_url).hostname or "",) if site_url else ())
    timezone = s.get("timezone", str, "+00:00")
    try:
        parse_tz(timezone)
    except ValueError as exc:
        s.problem(str(exc), "timezone")
    edition_param = s.get("edition_param", str) or None
    verified = s.get("verified", bool, True)
    s.get("notes", str)
    hooks = _hooks(s, path)

    editions, aliases = _editions(top.table("editions"))
    hosts = tuple(dict.fromkeys([*hosts, *(ed.host for ed in editions.values() if ed.host)]))
    default_editions = s.strings("default_editions") or tuple(list(editions)[:1])
    for code in default_editions:
        if code not in editions:
            s.problem(f"{code!r} is not an edition ([editions.{code}] missing)", "default_editions")
    s.done()

    rules = []
    for t in top.tables("article_urls"):
        regex = t.regex("regex", t.get("regex", str, "", required=True))
        if regex:
            rules.append(UrlRule(t.get("generation", str, "?"), regex, t.get("query", bool, False)))
        t.done()
    if not rules and "identify" not in hooks:
        top.problem("at least one [[article_urls]] (or an `identify` hook) is needed", "article_urls")

    discovery = _discovery(top.table("discovery"))
    layouts = _layouts(top)
    b = top.table("boilerplate")
    boilerplate = {"lines": list(b.strings("lines")), "prefixes": list(b.strings("prefixes")),
                   "max_chars": b.get("max_chars", int, 60),
                   "patterns": [p for p in b.strings("patterns") if b.regex("patterns", p)]}
    b.done()
    blocks = top.table("blocks")
    markers = blocks.strings("markers")
    blocks.done()
    backfill = _backfill(top.table("backfill"))
    if problems:
        return None
    return Site(name=name, title=title, site_url=site_url, hosts=hosts, timezone=timezone,
                editions=MappingProxyType(editions), default_editions=default_editions, edition_param=edition_param,
                article_urls=tuple(rules), discovery=discovery, layouts=layouts,
                boilerplate=MappingProxyType(boilerplate), block_markers=markers, source=str(path),
                verified=verified, hooks=MappingProxyType(hooks), backfill=MappingProxyType(backfill),
                _aliases=MappingProxyType(aliases))


def _backfill(t: Table) -> dict[str, Any]:
    """`newsarchive backfill`'s part: sequential ids and the article URL template, extra sitemaps."""
    out: dict[str, Any] = {"sequential_ids": t.get("sequential_ids", bool, False),
                           "article_url": t.get("article_url", str, ""), "sitemaps": list(t.strings("sitemaps"))}
    if out["sequential_ids"] and "{id}" not in out["article_url"]:
        t.problem("sequential_ids needs an article_url with {id} (and {edition} where editions differ)", "article_url")
    t.done()
    return out


def _editions(t: Table) -> tuple[dict[str, Edition], dict[str, str]]:
    editions: dict[str, Edition] = {}
    aliases: dict[str, str] = {}
    for code in list(t.data):
        e = t.table(code)
        ed = Edition(code=code.lower(), aliases=tuple(a.lower() for a in e.strings("aliases")),
                     path=e.get("path", str, ""), host=(e.get("host", str) or "").lower() or None)
        e.done()
        editions[ed.code] = ed
        for word in (ed.code, ed.word.lower(), *ed.aliases):
            if aliases.get(word, ed.code) != ed.code:
                e.problem(f"{word!r} already names edition {aliases[word]}", "aliases")
            aliases[word] = ed.code
    if not editions:
        t.problem("at least one edition is needed, e.g. [editions.ar]")
    return editions, aliases


def _discovery(d: Table) -> Discovery:
    listing_urls = tuple(r for r in (d.regex("listing_urls", p) for p in d.strings("listing_urls")) if r)
    p = d.table("pagination")
    kind = p.get("kind", str, "query")
    if kind not in PAGINATION_KINDS:
        p.problem(f"expected one of {', '.join(PAGINATION_KINDS)}, got {kind!r}", "kind")
    pagination = Pagination(kind=kind, param=p.get("param", str, "page"), path=p.get("path", str, "/page/{n}"),
                            next=p.selectors("next") or ("a[rel~=next]::attr(href)", "link[rel~=next]::attr(href)"),
                            max_pages=p.get("max_pages", int, 5))
    if "{n}" not in pagination.path:
        p.problem(f"{pagination.path!r} has no {{n}} for the page number", "path")
    p.done()
    paths = {"feeds": d.strings("feeds"), "listings": d.strings("listings")}
    home = d.get("home", str)
    for key, values in [*paths.items(), ("home", (home,) if home else ())]:
        for value in values:
            if not value.startswith("/"):
                d.problem(f"{value!r}: entry paths start with / (the edition's root is put before them)", key)
    found = Discovery(feeds=paths["feeds"], listings=paths["listings"], home=home, listing_urls=listing_urls,
                      navigation=d.selectors("navigation"), listing_links=d.selectors("listing_links"),
                      pagination=pagination, robots_sitemaps=d.get("robots_sitemaps", bool, False),
                      feed_links=d.get("feed_links", bool, False))
    d.done()
    return found


def _selectors(t: Table) -> dict[str, Any]:
    found: dict[str, Any] = {name: t.selectors(name) for name in SELECTOR_FIELDS if name in t.data}
    if "date_formats" in t.data:
        found["date_formats"] = t.strings("date_formats")
        for fmt in found["date_formats"]:
            if "%" not in fmt:
                t.problem(f"{fmt!r} is not a strptime format (no % directive)", "date_formats")
    t.done()
    return {k: list(v) for k, v in found.items()}


def _layouts(top: Table) -> tuple[Layout, ...]:
    """Newest first: the current layout (no end date), then by `valid_until` descending."""
    base = _selectors(top.table("selectors"))
    layouts = []
    for t in top.tables("layouts"):
        name = t.get("name", str, "", required=True)
        own = _selectors(t.table("selectors"))
        layouts.append(Layout(name=name, valid_until=t.date("valid_until"), generations=t.strings("generations"),
                              selectors=MappingProxyType({**base, **own})))
        t.done()
    if not layouts:
        return (Layout(name="default", selectors=MappingProxyType(base)),)
    names = [lay.name for lay in layouts]
    for name in {n for n in names if names.count(n) > 1}:
        top.problem(f"layout name {name!r} used twice", "layouts")
    if sum(lay.valid_until is None for lay in layouts) > 1:
        top.problem("only the current layout may have no valid_until", "layouts")
    return tuple(sorted(layouts, key=lambda lay: (lay.valid_until is not None, -(lay.valid_until or _EPOCH).toordinal())))


def _hooks(s: Table, path: Path) -> dict[str, Any]:
    """An optional Python module beside the profile, for what data cannot say (HOOKS)."""
    name = s.get("hooks", str)
    if not name:
        return {}
    file = (path.parent / name).resolve()
    if not file.is_file():
        s.problem(f"no hook module {file}", "hooks")
        return {}
    try:
        spec = importlib.util.spec_from_file_location(f"newsarchive_site_hooks.{path.stem}", file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except Exception as exc:  # the module is user code: any failure is a problem of the profile
        s.problem(f"hook module {file.name} failed to load: {type(exc).__name__}: {exc}"[:300], "hooks")
        return {}
    found = {h: getattr(module, h) for h in HOOKS if callable(getattr(module, h, None))}
    if not found:
        s.problem(f"hook module {file.name} defines none of {', '.join(HOOKS)}", "hooks")
    return found
