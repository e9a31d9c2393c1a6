"""What one crawl found: its counts and the articles that were new, edited, gone, failed or blocked."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from archive.diff import diff_versions, format_diff
from archive.history import get_version
from archive.schema import as_database, rows

# How many lines of an edit's diff a crawl report shows; `newsarchive diff` shows all.
DIFF_LINES = 6
LIST_MAX = 20


def crawl_report(db: Any, crawl_id: int) -> dict[str, Any]:
    """The crawl's row, and per outcome the articles it touched (edits with their diff)."""
    db = as_database(db)
    crawl = rows(db, "SELECT * FROM crawls WHERE id = ?", [crawl_id])
    if not crawl:
        raise KeyError(f"no crawl {crawl_id}")
    touched = rows(db, """
        SELECT f.outcome, f.article_key AS key, f.url, f.reason, f.http_status, f.version,
               (SELECT v.title FROM versions v WHERE v.article_key = f.article_key
                ORDER BY v.version DESC LIMIT 1) AS title
        FROM fetches f WHERE f.crawl_id = ? AND f.outcome != 'unchanged' ORDER BY f.id""", [crawl_id])
    report: dict[str, Any] = {"crawl": crawl[0], "new": [], "version": [], "gone": [], "redirected": [],
                              "suspect": [], "failed": [], "blocked": []}
    for row in touched:
        outcome = row.pop("outcome")
        if outcome == "version" and row["key"] and row["version"]:
            old = get_version(db, row["key"], row["version"] - 1)
            new = get_version(db, row["key"], row["version"])
            if old and new:
                row["diff"] = diff_versions(old, new)
        report.setdefault(outcome, []).append(row)
    return report


def format_report(report: dict[str, Any], color: bool = False) -> str:
    c = report["crawl"]
    duration = f"{c['duration_s']:.1f} s" if c.get("duration_s") is not None else "?"
    lines = [
        f"crawl {c['id']} {c['outcome']} in {duration} ({c['site']} {c['editions']}): "
        f"{c['new_articles']} new, {c['new_versions']} edited (new versions), {c['unchanged']} unchanged, "
        f"{c['gone']} gone, {c['failed']} failed, {c['blocked']} blocked"
        + (f", {c['not_modified']} answered 304" if c.get("not_modified") else "")
        + (f", {c['redirected']} redirected" if c.get("redirected") else "")
        + (f", {c['suspect']} suspect" if c.get("suspect") else "")
    ]
    labels = {"new": "new", "version": "edited", "gone": "gone", "redirected": "moved", "suspect": "suspect",
              "failed": "failed", "blocked": "blocked"}
    for outcome, label in labels.items():
        rows = report.get(outcome) or []
        for row in rows[:LIST_MAX]:
            name = row["key"] or row["url"]
            detail = row["title"] or ""
            if outcome in ("failed", "blocked", "gone", "redirected", "suspect"):
                # Percent-decoded: an Arabic slug is readable, and the key already identifies the article.
                detail = f"{row['reason'] or ''}  {unquote(row['url'] or '')}"
            elif outcome == "version":
                detail = f"{detail}  (version {row['version']})"
            lines.append(f"  {label + ':':9}{name}  {detail}".rstrip())
            if row.get("diff"):
                diff_lines = format_diff(row["diff"], color=color).splitlines()
                lines.extend(f"             {line}" for line in diff_lines[:DIFF_LINES])
                if len(diff_lines) > DIFF_LINES:
                    lines.append(f"             … `newsarchive diff {row['key']}` for all of it")
        if len(rows) > LIST_MAX:
            lines.append(f"  {label + ':':9}… and {len(rows) - LIST_MAX} more")
    return "\n".join(lines)
