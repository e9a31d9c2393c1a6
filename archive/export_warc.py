"""Export the stored raw pages as a WARC file (warcio, optional extra `warc`) that web-archive tools can replay."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, BinaryIO

from archive.extras import require
from archive.filters import Filters
from archive.history import raw_html
from archive.schema import as_database

# Record ids derived from (key, version): exporting the same archive twice names records identically.
_NAMESPACE = uuid.UUID("6f1c8a52-3b7e-4c1d-9a3e-2f0b7d5e9c41")


def warc_date(iso: str) -> str:
    """WARC/1.0 date (UTC, whole seconds, Z) of a stored ISO 8601 timestamp."""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # stored fetch times are UTC
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _status_line(status: int | None) -> str:
    code = int(status or 200)
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} Unknown"


def write_warc(db: Any, out: BinaryIO, filters: Filters | None = None, all_versions: bool = True,
               filename: str = "newsarchive.warc.gz") -> dict[str, int]:
    """A warcinfo record, then a `response` record per stored version (the page as fetched, its URL,
    WARC-Date = when it was fetched). Returns {"records": n, "without_html": m} (versions whose raw page
    was not stored are skipped and counted)."""
    require("warcio", "warc", "WARC export")
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    db = as_database(db)
    writer = WARCWriter(out, gzip=True, warc_version="1.0")
    writer.write_record(writer.create_warcinfo_record(filename, {
        "software": "newsarchive", "format": "WARC File Format 1.0",
        "description": "Article pages as fetched by newsarchive crawls (bodies decompressed; "
                       "HTTP headers reconstructed: status and Content-Type only)",
    }))
    where, params = (filters or Filters()).where("a")
    join = "" if all_versions else "AND v.version = a.current_version"
    rows = db.execute(
        f"SELECT v.article_key, v.version, v.url, a.url, v.fetched_at, v.http_status, v.raw_encoding, "
        f"v.raw_html IS NOT NULL FROM articles a JOIN versions v ON v.article_key = a.key {join} "
        f"WHERE {where} ORDER BY a.rowid, v.version", params).fetchall()
    counts = {"records": 0, "without_html": 0}
    for art_key, version, url, article_url, fetched_at, status, encoding, has_html in rows:
        page = raw_html(db, art_key, version) if has_html else None
        if page is None:
            counts["without_html"] += 1
            continue
        content_type = f"text/html; charset={encoding}" if encoding else "text/html"
        http = StatusAndHeaders(_status_line(status), [("Content-Type", content_type),
                                                       ("Content-Length", str(len(page)))], protocol="HTTP/1.1")
        record_id = uuid.uuid5(_NAMESPACE, f"{art_key}\x00{version}")
        record = writer.create_warc_record(
            url or article_url, "response", payload=io.BytesIO(page), length=len(page), http_headers=http,
            warc_headers_dict={"WARC-Date": warc_date(fetched_at), "WARC-Record-ID": f"<urn:uuid:{record_id}>"})
        writer.write_record(record)
        counts["records"] += 1
    return counts
