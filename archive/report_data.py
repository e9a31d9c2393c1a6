"""The figures behind `newsarchive report`: articles and edits per day, time to first edit, most edited, crawl health."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from archive.diff import diff_versions
from archive.history import get_version
from archive.schema import as_database, rows

# Hours from publication to the first edit seen: upper bounds of the buckets (None: no bound).
FIRST_EDIT_BUCKETS: tuple[tuple[float | None, str], ...] = (
    (1, "أقل من ساعة"), (6, "1–6 ساعات"), (24, "6–24 ساعة"), (72, "1–3 أيام"), (168, "3–7 أيام"),
    (None, "أكثر من أسبوع"),
)
MAX_GAP_DAYS = 7  # a longer run of empty days is drawn as one break mark, not as empty slots
MOST_EDITED = 20
CRAWLS_SHOWN = 60
# A publisher's edit: a later version that was fetched (a re-extraction of a stored page is our doing).
_EDIT = "v.version > 1 AND coalesce(v.origin, 'fetch') = 'fetch'"


def _rows(db: Any, sql: str, *params: Any) -> list[dict[str, Any]]:
    return rows(db, sql, params)


def day_axis(days: list[str], max_gap: int = MAX_GAP_DAYS) -> list[str | int]:
    """The days to draw, oldest first: every day from the first to the last with data, except that a run
    of more than `max_gap` empty days becomes one int (how many days it skips)."""
    axis: list[str | int] = []
    previous: date | None = None
    for text in sorted(set(days)):
        current = date.fromisoformat(text)
        if previous is not None:
            missing = (current - previous).days - 1
            if missing > max_gap:
                axis.append(missing)
            else:
                axis += [(previous + timedelta(days=n)).isoformat() for n in range(1, missing + 1)]
        axis.append(text)
        previous = current
    return axis


def first_edit_buckets(hours: list[float]) -> list[int]:
    """How many articles fall in each FIRST_EDIT_BUCKETS bucket."""
    counts = [0] * len(FIRST_EDIT_BUCKETS)
    for h in hours:
        for i, (upper, _) in enumerate(FIRST_EDIT_BUCKETS):
            if upper is None or h < upper:
                counts[i] += 1
                break
    return counts


def gather(db: Any) -> dict[str, Any]:
    """Everything the report shows, as plain data."""
    db = as_database(db)
    edit = _EDIT

    def scalar(sql: str) -> int:
        return int(db.execute(sql).fetchone()[0] or 0)

    summary = {
        "articles": scalar("SELECT count(*) FROM articles"),
        "live": scalar("SELECT count(*) FROM articles WHERE status = 'live'"),
        "gone": scalar("SELECT count(*) FROM articles WHERE status != 'live'"),
        "versions": scalar("SELECT count(*) FROM versions"),
        "edits": scalar(f"SELECT count(*) FROM versions v WHERE {edit}"),
        "edited_articles": scalar(f"SELECT count(DISTINCT article_key) FROM versions v WHERE {edit}"),
        "duplicates": scalar("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL"),
        "crawls": scalar("SELECT count(*) FROM crawls"),
    }
    per_day = _rows(db, "SELECT substr(coalesce(published_at, first_seen_at), 1, 10) AS day, edition, count(*) AS n "
                        "FROM articles GROUP BY day, edition ORDER BY day, edition")
    edits_per_day = _rows(db, f"SELECT substr(v.fetched_at, 1, 10) AS day, count(*) AS n FROM versions v "
                              f"WHERE {edit} GROUP BY day ORDER BY day")
    first = _rows(db, f"""
        SELECT a.key, (julianday(min(v.fetched_at)) - julianday(a.published_at)) * 24 AS hours
        FROM versions v JOIN articles a ON a.key = v.article_key
        WHERE {edit} GROUP BY a.key""")
    hours = [max(r["hours"], 0.0) for r in first if r["hours"] is not None]
    most = _rows(db, f"""
        SELECT a.key, a.url, a.edition, a.version_count, a.published_at,
               (SELECT count(*) FROM versions v WHERE v.article_key = a.key AND {edit}) AS edits,
               (SELECT v.title FROM versions v WHERE v.article_key = a.key AND v.version = a.current_version) AS title
        FROM articles a WHERE a.version_count > 1 ORDER BY a.version_count DESC, a.key LIMIT ?""", MOST_EDITED)
    for row in most:
        row["diffs"] = _diffs(db, row["key"], row["version_count"])
    crawls = _rows(db, """
        SELECT c.id, c.started_at, c.outcome,
               sum(f.outcome NOT IN ('failed', 'blocked')) AS ok,
               sum(f.outcome = 'failed') AS failed, sum(f.outcome = 'blocked') AS blocked
        FROM crawls c LEFT JOIN fetches f ON f.crawl_id = c.id
        GROUP BY c.id ORDER BY c.id DESC LIMIT ?""", CRAWLS_SHOWN)
    return {
        "summary": summary,
        "articles_per_day": per_day,
        "editions": sorted({r["edition"] for r in per_day}),
        "edits_per_day": edits_per_day,
        "first_edit": {"buckets": first_edit_buckets(hours), "articles": len(hours),
                       "undated": len(first) - len(hours)},
        "most_edited": most,
        "crawl_health": list(reversed(crawls)),
    }


def _diffs(db: Any, key: str, count: int) -> list[dict[str, Any]]:
    """Each consecutive pair of the article's versions with its field diff."""
    versions = [get_version(db, key, n) for n in range(1, count + 1)]
    out = []
    for old, new in pairwise(versions):
        if old and new:
            out.append({"from": old["version"], "to": new["version"], "fetched_at": new["fetched_at"],
                        "origin": new.get("origin") or "fetch", "diff": diff_versions(old, new)})
    return out
