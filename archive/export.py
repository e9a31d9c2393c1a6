"""Export article versions as records, JSON Lines or CSV (UTF-8), streamed from the database."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TextIO

from archive.filters import Filters
from archive.schema import as_database

FIELDS = ("key", "url", "edition", "version", "title", "lead", "body", "author", "section", "tags", "images",
          "published_at", "modified_at", "first_seen_at", "fetched_at", "content_hash", "duplicate_of", "status")


def export_records(db: Any, all_versions: bool = False, filters: Filters | None = None) -> Iterator[dict[str, Any]]:
    """One record per article (its current version), or per version with `all_versions`, in archive order;
    `filters` (date range, edition, keys, duplicates) choose the articles."""
    where, params = (filters or Filters()).where("a")
    join = "v.article_key = a.key" if all_versions else "v.article_key = a.key AND v.version = a.current_version"
    # For the current version the article row knows the latest dates (refreshed by unchanged fetches);
    # an older version keeps the dates it was fetched with.
    dates = ("v.published_at, v.modified_at" if all_versions
             else "coalesce(a.published_at, v.published_at), coalesce(a.modified_at, v.modified_at)")
    cursor = as_database(db).execute(
        f"SELECT a.key, coalesce(v.url, a.url), a.edition, v.version, v.title, v.lead, v.body, v.author, "
        f"v.section, v.tags, v.images, {dates}, a.first_seen_at, v.fetched_at, v.content_hash, "
        f"a.duplicate_of, a.status FROM articles a JOIN versions v ON {join} WHERE {where} "
        f"ORDER BY a.rowid, v.version", params
    )
    for row in cursor:
        record = dict(zip(FIELDS, row))
        record["tags"] = json.loads(record["tags"] or "[]")
        record["images"] = json.loads(record["images"] or "[]")
        yield record


def write_jsonl(records: Iterable[Mapping[str, Any]], fp: TextIO) -> int:
    """One JSON object per line, Arabic kept as text (not \\u escapes); returns the number written."""
    count = 0
    for record in records:
        fp.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


# A spreadsheet runs a cell starting with one of these as a formula (=HYPERLINK(...), +cmd|...);
# tab and CR start one in some importers too. OWASP's advice: prefix a single quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, with `'` in front (shown as text); others as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(records: Iterable[Mapping[str, Any]], fp: TextIO, keep_formulas: bool = False) -> int:
    """CSV with a header; tags and images as JSON text. Open `fp` with encoding="utf-8", newline="".

    Cells starting with = + - @ tab or CR get a leading `'` (see neutralise) unless `keep_formulas`:
    the CSV is meant for spreadsheets; JSON Lines and Parquet keep every text exactly."""
    writer = csv.DictWriter(fp, fieldnames=FIELDS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for record in records:
        row = dict(record)
        for column in ("tags", "images"):
            row[column] = json.dumps(row.get(column) or [], ensure_ascii=False)
        if not keep_formulas:
            row = {name: neutralise(value) for name, value in row.items()}
        writer.writerow(row)
        count += 1
    return count
