"""Re-run the current extractor on archived raw HTML, without fetching: the same path a crawl takes."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from archive.schema import batches, rows
from archive.store import Archive
from archive.version import version_fields
from crawler.extract import EXTRACTOR_VERSION
from crawler.process import Page, as_archived, process
from crawler.site import GENERIC, Site, SiteError, available_sites, load_site

BATCH = 200
# Fields compared between the stored version and the new extraction, for the per-field summary.
FIELDS = ("title", "lead", "body", "author", "section", "tags", "images", "published_at", "modified_at")


def _current_versions(archive: Archive, since: str | None, key: str | None) -> Iterator[dict[str, Any]]:
    """Current versions with their raw page, in batches by id (short reads; the writer is the same connection)."""
    # Versions this run adds are re-extractions themselves: never re-extract them again.
    newest = archive.db.execute("SELECT coalesce(max(id), 0) FROM versions").fetchone()[0]
    sql = ("SELECT v.id, v.article_key AS key, v.url, v.fetched_at, v.http_status, v.raw_html, v.content_type, "
           "v.raw_encoding, v.crawl_id, a.site, a.edition, a.article_id, a.etag, a.last_modified, v.title, v.lead, "
           "v.body, v.author, v.section, v.tags, v.images, v.published_at, v.modified_at FROM versions v "
           "JOIN articles a ON a.key = v.article_key AND a.current_version = v.version "
           "WHERE v.id <= ? AND v.raw_html IS NOT NULL")
    params: list[Any] = [newest]
    if since:
        sql += " AND v.fetched_at >= ?"
        params.append(since)
    if key:
        sql += " AND v.article_key = ?"
        params.append(key)
    yield from batches(archive.db, sql + " AND v.id > ?", params, "v.id", BATCH)


def site_for(archive: Archive, row: dict[str, Any], given: Site | None) -> Site:
    """The site a stored version was crawled as: the one given, a bundled profile, or the file its crawl used."""
    if given is not None and given.name == row["site"]:
        return given
    if row["site"] in available_sites():
        return load_site(row["site"])
    found = rows(archive.db, "SELECT site_source, base_url FROM crawls WHERE id = ?", [row["crawl_id"]])
    source = found[0]["site_source"] if found else None
    if source == GENERIC:
        return load_site(GENERIC, base_url=row["url"])
    if source:
        try:
            return load_site(source)
        except SiteError:
            pass
    raise SiteError(f"site {row['site']!r} is not bundled and its profile was not found "
                    f"({source or 'not recorded'}): pass --site PATH.toml")


def reextract_item(row: dict[str, Any], site: Site) -> dict[str, Any] | str:
    """The archive item the current extractor makes of a stored page (the crawl's path), or why it could not."""
    raw = zlib.decompress(row["raw_html"])
    content_type = row["content_type"] or (f"text/html; charset={row['raw_encoding']}" if row["raw_encoding"] else None)
    page = Page(url=row["url"], status=row["http_status"] or 200, body=raw,
                fetched_at=datetime.fromisoformat(row["fetched_at"]), content_type=content_type,
                etag=row.get("etag"), last_modified=row.get("last_modified"))
    ident = site.identify(row["url"])
    item = process(page, site, ident)
    if item["kind"] != "article":
        return str(item.get("reason") or item["kind"])
    # The stored article keeps its key: an identity rule changed since is not a re-extraction.
    item.update(key=row["key"], site=row["site"], edition=row["edition"], article_id=row["article_id"])
    return as_archived(item, site)


def field_changes(row: dict[str, Any], item: dict[str, Any]) -> dict[str, str]:
    """field -> "gained" (was empty), "lost" (now empty) or "changed", between a stored version and a
    re-extraction (both on the display layer, as stored)."""
    new = version_fields(item)
    new_values = {**{f: new[f] for f in FIELDS[:7]}, "published_at": item.get("published_at"),
                  "modified_at": item.get("modified_at")}
    out: dict[str, str] = {}
    for field in FIELDS:
        old, now = _present(row.get(field)), _present(new_values[field])
        if old == now:
            continue
        out[field] = "gained" if old is None else "lost" if now is None else "changed"
    return out


def _present(value: Any) -> Any:
    """None for an absent value (NULL, "", "[]"), else the value itself."""
    return None if value in (None, "", "[]") else value


def reextract(db_path: str, since: str | None = None, key: str | None = None, site: str | None = None,
              progress: Callable[[dict[str, int]], None] | None = None) -> dict[str, Any]:
    """Counts: pages re-extracted, changed (a new `reextract` version), unchanged, failed (kept as they were)."""
    counts = {"pages": 0, "changed": 0, "unchanged": 0, "failed": 0}
    changed: list[dict[str, Any]] = []
    given = load_site(site) if site and site != GENERIC else None
    sites: dict[tuple[str, int], Site] = {}
    fields: dict[str, dict[str, int]] = {}
    with Archive(db_path) as archive:
        for row in _current_versions(archive, since, key):
            cache_key = (row["site"], row["crawl_id"] if row["site"] not in available_sites() else 0)
            found = sites.get(cache_key) or sites.setdefault(cache_key, site_for(archive, row, given))
            counts["pages"] += 1
            item = reextract_item(row, found)
            if isinstance(item, str):
                counts["failed"] += 1
            else:
                for field, kind in field_changes(row, item).items():
                    fields.setdefault(field, {"gained": 0, "changed": 0, "lost": 0})[kind] += 1
                if (number := archive.record_reextraction(item)) is not None:
                    counts["changed"] += 1
                    changed.append({"key": row["key"], "version": number})
                else:
                    counts["unchanged"] += 1
            if progress and counts["pages"] % 100 == 0:
                progress(counts)
    ordered = {f: fields[f] for f in FIELDS if f in fields}
    return {**counts, "changed_articles": changed, "fields": ordered, "extractor_version": EXTRACTOR_VERSION}
