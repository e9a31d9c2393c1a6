"""An article's story: resolve a key or URL, list its versions and fetch events, read one version back."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from archive.errors import ArchiveError
from archive.schema import rows
from archive.urls import clean_url

JSON_COLUMNS = ("tags", "images", "sources", "dropped", "change")


def _rows(db: Any, sql: str, *params: Any) -> list[dict[str, Any]]:
    return rows(db, sql, params)


def _url_variants(url: str) -> list[str]:
    """The URL as given, without fragment and tracking parameters, with and without a trailing slash, http/https."""
    clean = clean_url(url) or url.strip()
    # Stored URLs keep Arabic slugs as text; a pasted one is often percent-encoded.
    out = [url.strip(), clean, unquote(clean)]
    for u in list(out):
        out.append(u[:-1] if u.endswith("/") else u + "/")
    for u in list(out):
        if u.startswith("http://"):
            out.append("https://" + u[7:])
        elif u.startswith("https://"):
            out.append("http://" + u[8:])
    return list(dict.fromkeys(out))


def resolve(db: Any, key_or_url: str, url_to_key: Callable[[str], str | None] | None = None) -> str | None:
    """The article key for a key, an article id, or any URL it was seen under (None if not archived).

    `url_to_key` (e.g. the site profile's URL -> identity function) handles URLs never fetched as such,
    like a different slug or a mirror address.
    """
    ref = (key_or_url or "").strip()
    if not ref:
        return None
    if _rows(db, "SELECT key FROM articles WHERE key = ?", ref):
        return ref
    if "://" not in ref:
        ids = _rows(db, "SELECT key FROM articles WHERE article_id = ? LIMIT 2", ref)
        return ids[0]["key"] if len(ids) == 1 else None  # an id shared by two editions is ambiguous
    for url in _url_variants(ref):
        hit = (_rows(db, "SELECT key FROM articles WHERE url = ? OR canonical_url = ? ORDER BY rowid LIMIT 1", url, url)
               or _rows(db, "SELECT article_key AS key FROM versions WHERE url = ? ORDER BY id LIMIT 1", url)
               or _rows(db, "SELECT article_key AS key FROM fetches WHERE url = ? AND article_key IN "
                            "(SELECT key FROM articles) ORDER BY id LIMIT 1", url))
        if hit:
            return str(hit[0]["key"])
    if url_to_key is not None:
        candidate = url_to_key(ref)
        if candidate and _rows(db, "SELECT key FROM articles WHERE key = ?", candidate):
            return candidate
    return _by_id_segment(db, ref)


def resolve_fetched(db: Any, key_or_url: str, url_to_key: Callable[[str], str | None] | None = None) -> str | None:
    """The identity a page that never became an article was fetched under (only ever blocked, failed or
    gone): by key, or by any URL it was fetched under. None when the archive never fetched it."""
    ref = (key_or_url or "").strip()
    if not ref:
        return None
    if "://" not in ref:
        hit = _rows(db, "SELECT article_key AS key FROM fetches WHERE article_key = ? LIMIT 1", ref)
        return str(hit[0]["key"]) if hit else None
    for url in _url_variants(ref):
        hit = _rows(db, "SELECT article_key AS key FROM fetches WHERE url = ? AND article_key IS NOT NULL "
                        "ORDER BY id LIMIT 1", url)
        if hit:
            return str(hit[0]["key"])
    candidate = url_to_key(ref) if url_to_key is not None else None
    if candidate and _rows(db, "SELECT 1 FROM fetches WHERE article_key = ? LIMIT 1", candidate):
        return candidate
    return None


def _by_id_segment(db: Any, url: str) -> str | None:
    """A URL with another slug, or none (`/ar/story/100001`): match the path up to its numeric id segment."""
    parts = urlsplit(url.strip())
    segments = parts.path.split("/")
    for i in range(len(segments) - 1, 0, -1):
        if segments[i].isdigit() and len(segments[i]) >= 3:
            prefix = f"://{parts.netloc}{'/'.join(segments[:i + 1])}"
            like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            hits = _rows(db, "SELECT key FROM articles WHERE url LIKE ? ESCAPE '\\' OR url LIKE ? ESCAPE '\\' "
                             "LIMIT 2", f"%{like}", f"%{like}/%")
            return hits[0]["key"] if len(hits) == 1 else None  # two matches: ambiguous, say so by None
    return None


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    for column in JSON_COLUMNS:
        if isinstance(row.get(column), str):
            row[column] = json.loads(row[column])
    return row


def history(db: Any, key: str) -> dict[str, Any] | None:
    """{"article": row, "versions": [...by number], "events": [fetches in time order]}; None if unknown."""
    articles = _rows(db, "SELECT * FROM articles WHERE key = ?", key)
    if not articles:
        return None
    versions = _rows(db, "SELECT version, fetched_at, crawl_id, url, content_hash, title, change FROM versions "
                         "WHERE article_key = ? ORDER BY version", key)
    events = _rows(db, "SELECT id, crawl_id, fetched_at, outcome, reason, http_status, version, url FROM fetches "
                       "WHERE article_key = ? ORDER BY fetched_at, id", key)
    return {"article": articles[0], "versions": [_decode(v) for v in versions], "events": events}


def fetch_history(db: Any, key: str) -> dict[str, Any] | None:
    """A page fetched but never archived (blocked, failed, gone): {"article": None, "key", "versions": [],
    "events"}, so its fetches are not invisible; None if it was never fetched either."""
    events = _rows(db, "SELECT id, crawl_id, fetched_at, outcome, reason, http_status, version, url FROM fetches "
                       "WHERE article_key = ? ORDER BY fetched_at, id", key)
    if not events:
        return None
    return {"article": None, "key": key, "versions": [], "events": events}


def _number(db: Any, key: str, n: int) -> int | None:
    if n > 0:
        return n
    # 0 or negative counts back from the latest: -1 (or 0) is the current version.
    count = _rows(db, "SELECT version_count FROM articles WHERE key = ?", key)
    if not count or not count[0]["version_count"]:
        return None
    return count[0]["version_count"] + 1 + n if n < 0 else count[0]["version_count"]


def get_version(db: Any, key: str, n: int) -> dict[str, Any] | None:
    """One version with JSON columns decoded and `paragraphs` split out; raw HTML left out (see raw_html())."""
    number = _number(db, key, n)
    rows = _rows(db, "SELECT * FROM versions WHERE article_key = ? AND version = ?", key, number)
    if not rows:
        return None
    row = _decode(rows[0])
    row.pop("raw_html", None)
    row["paragraphs"] = [p for p in (row.get("body") or "").split("\n\n") if p]
    return row


def raw_html(db: Any, key: str, n: int) -> bytes | None:
    """The page as fetched for version n, decompressed with a size cap (the stored size, never more)."""
    number = _number(db, key, n)
    rows = _rows(db, "SELECT raw_html, raw_size FROM versions WHERE article_key = ? AND version = ?", key, number)
    if not rows or rows[0]["raw_html"] is None:
        return None
    size = int(rows[0]["raw_size"] or 0)
    inflater = zlib.decompressobj()
    data = inflater.decompress(rows[0]["raw_html"], size + 1)
    if len(data) != size:
        raise ArchiveError(f"raw HTML of {key} v{number} is corrupt ({len(data)} bytes, expected {size})")
    return data


def _change_summary(change: dict[str, Any] | None) -> str:
    if not change:
        return "first version"
    parts = [name for name in ("title", "lead") if change.get(name)]
    body = change.get("body") or {}
    if any(body.values()):
        parts.append(f"body +{body.get('added', 0)} -{body.get('removed', 0)} ~{body.get('changed', 0)}")
    parts += list(change.get("meta") or [])
    return ", ".join(parts) or "changed"


def format_history(data: dict[str, Any] | None) -> str:
    """history() as text for a terminal."""
    if not data:
        return "no such article"
    a = data["article"]
    if a is None:
        return "\n".join([f"{data['key']}  never archived: fetched {len(data['events'])} time(s), no version stored",
                          f"  {unquote(data['events'][-1]['url'] or '')}", "events:", *_event_lines(data["events"])])
    lines = [f"{a['key']}  {a['status']}  {a['version_count']} version(s)"
             + (f"  duplicate of {a['duplicate_of']}" if a.get("duplicate_of") else ""),
             f"  {unquote(a['url'] or '')}",  # an Arabic slug readable, not %D9%85...
             f"  first seen {a['first_seen_at']}, last seen {a['last_seen_at']}, last checked {a['last_checked_at']}"
             + (f", gone since {a['gone_at']}" if a.get("gone_at") else ""),
             "versions:"]
    for v in data["versions"]:
        lines.append(f"  v{v['version']}  {v['fetched_at']}  {v['content_hash'][:12]}  {v['title'] or ''}"
                     f"  ({_change_summary(v['change'])})")
    lines.append("events:")
    lines += _event_lines(data["events"])
    return "\n".join(lines)


def _event_lines(events: list[dict[str, Any]]) -> list[str]:
    lines = []
    for e in events:
        version = f" v{e['version']}" if e.get("version") else ""
        status = (f" HTTP {e['http_status']}" if e.get("http_status") and e["outcome"] in ("failed", "blocked", "gone")
                  and not str(e.get("reason") or "").startswith("HTTP ") else "")
        reason = f": {e['reason']}" if e.get("reason") else ""
        lines.append(f"  {e['fetched_at']}  crawl {e['crawl_id']}  {e['outcome']}{version}{status}{reason}")
    return lines
