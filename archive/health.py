"""Extraction health per crawl: per field, the share of article pages that yielded it, and layout-change warnings.

The counts are stored with the crawl (`crawls.field_counts`, JSON: {"articles": n, "lead": k, ...}). A field
is reported as a possible layout change when its share in this crawl is below DROP_RATIO times its usual
share, the median over the site's last BASELINE_CRAWLS completed crawls (same editions) that extracted at
least MIN_ARTICLES articles; at least MIN_BASELINE such crawls are needed, and fields usually found on
fewer than MIN_USUAL of pages are too rare to judge. A warning is only words: it never makes or blocks a
version (the false-edit guard in archive/guard.py decides that, page by page).
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping
from typing import Any

from archive.schema import as_database, rows

FIELDS = ("title", "lead", "body", "author", "section", "tags", "images", "captions", "published_at",
          "modified_at")
BASELINE_CRAWLS = 5
MIN_BASELINE = 3
MIN_ARTICLES = 10
DROP_RATIO = 0.5
MIN_USUAL = 0.2


class FieldCounts:
    """How many article items passed, and how many of them had each field."""

    def __init__(self) -> None:
        self.articles = 0
        self.found = dict.fromkeys(FIELDS, 0)

    def add(self, item: Mapping[str, Any]) -> None:
        self.articles += 1
        images = item.get("images") or []
        present = {name: bool(item.get(name)) for name in FIELDS if name != "captions"}
        present["captions"] = any(isinstance(i, Mapping) and i.get("caption") for i in images)
        for name, yes in present.items():
            self.found[name] += int(yes)

    def as_dict(self) -> dict[str, int]:
        return {"articles": self.articles, **self.found}


def add_columns(db: Any) -> None:
    """Migration: the crawls table gains `field_counts` (existing crawls keep NULL: not measured)."""
    db = as_database(db)
    columns = {row[1] for row in db.execute("PRAGMA table_info(crawls)").fetchall()}
    if "field_counts" not in columns:
        db.execute("ALTER TABLE crawls ADD COLUMN field_counts TEXT")


def save(db: Any, crawl_id: int, counts: FieldCounts) -> None:
    """Store the counts with the crawl, in the caller's transaction or in one of its own."""
    db = as_database(db)
    sql, params = "UPDATE crawls SET field_counts = ? WHERE id = ?", [json.dumps(counts.as_dict()), crawl_id]
    if db.conn.in_transaction:
        db.execute(sql, params)
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(sql, params)
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


def _load(raw: str | None) -> dict[str, int] | None:
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("articles"), int) else None


def _shares(counts: Mapping[str, int]) -> dict[str, float]:
    n = counts["articles"]
    return {f: (counts.get(f, 0) / n if n else 0.0) for f in FIELDS}


def crawl_health(db: Any, crawl_id: int) -> dict[str, Any] | None:
    """This crawl's per-field shares, the usual shares and warnings; None for a crawl not measured."""
    db = as_database(db)
    found = rows(db, "SELECT id, site, editions, field_counts FROM crawls WHERE id = ?", [crawl_id])
    if not found or (counts := _load(found[0]["field_counts"])) is None:
        return None
    crawl = found[0]
    previous = rows(db, "SELECT id, field_counts FROM crawls WHERE site IS ? AND editions IS ? AND id < ? "
                        "AND outcome = 'completed' AND field_counts IS NOT NULL ORDER BY id DESC",
                    [crawl["site"], crawl["editions"], crawl_id])
    baseline = [(r["id"], c) for r in previous if (c := _load(r["field_counts"])) and c["articles"] >= MIN_ARTICLES]
    baseline = baseline[:BASELINE_CRAWLS]
    shares = _shares(counts)
    usual = None
    if len(baseline) >= MIN_BASELINE:
        per_crawl = [_shares(c) for _, c in baseline]
        usual = {f: statistics.median(s[f] for s in per_crawl) for f in FIELDS}
    warnings = []
    if usual is not None and counts["articles"] >= MIN_ARTICLES:
        for f in FIELDS:
            if usual[f] >= MIN_USUAL and shares[f] < DROP_RATIO * usual[f]:
                warnings.append(f"layout change? {f} found on {_pct(shares[f])} of pages, usually {_pct(usual[f])}")
    return {
        "articles": counts["articles"],
        "fields": {f: {"found": counts.get(f, 0), "share": round(shares[f], 4)} for f in FIELDS},
        "usual": {f: round(v, 4) for f, v in usual.items()} if usual else None,
        "baseline_crawls": [i for i, _ in baseline] if usual else [],
        "warnings": warnings,
    }


def format_health(health: Mapping[str, Any] | None) -> list[str]:
    """Report lines: the shares on one line, then one line per warning."""
    if not health or not health["articles"]:
        return []
    shares = ", ".join(f"{f} {_pct(v['share'])}" for f, v in health["fields"].items())
    return [f"  fields:  {shares} of {health['articles']} article pages",
            *(f"  warning: {w}" for w in health["warnings"])]


def _pct(share: float) -> str:
    return f"{round(share * 100)}%"
