"""SQL views for analysts (Datasette, sqlite3, spreadsheets): latest_versions, edits, timeline, crawl_runs."""

from __future__ import annotations

from typing import Any

from archive.schema import as_database

# Hours between two ISO 8601 timestamps; SQLite's julianday() understands the +03:00 offsets we store.
_HOURS = "round((julianday({b}) - julianday({a})) * 24, 2)"

VIEWS: dict[str, str] = {
    # One row per article: its current version's text beside the article's identity and dates.
    # search_id is search_fts's rowid, so Datasette's search box works on this view.
    "latest_versions": """
        SELECT a.rowid AS article_rowid, a.search_id, a.key, a.site, a.edition, a.article_id, a.status, a.url,
               v.version, a.version_count, v.title, v.lead, v.body, v.author, v.section, v.tags,
               coalesce(a.published_at, v.published_at) AS published_at,
               coalesce(a.modified_at, v.modified_at) AS modified_at,
               a.first_seen_at, a.last_seen_at, v.fetched_at, a.gone_at, a.duplicate_of, v.content_hash
        FROM articles a JOIN versions v ON v.article_key = a.key AND v.version = a.current_version""",
    # One row per publisher's edit (version 2 and later, fetched: re-extractions by a newer extractor are
    # our doing, not the site's) with the text before and after.
    "edits": f"""
        SELECT v.article_key AS key, v.version, v.fetched_at AS detected_at, v.crawl_id,
               p.fetched_at AS previous_fetched_at, a.published_at,
               {_HOURS.format(a="a.published_at", b="v.fetched_at")} AS hours_after_publication,
               p.title AS title_before, v.title AS title_after, p.lead AS lead_before, v.lead AS lead_after,
               p.body AS body_before, v.body AS body_after, v.change, a.url
        FROM versions v
        JOIN versions p ON p.article_key = v.article_key AND p.version = v.version - 1
        JOIN articles a ON a.key = v.article_key
        WHERE coalesce(v.origin, 'fetch') = 'fetch'""",
    # One row per day (UTC) of fetching: what the crawls found that day.
    "timeline": """
        SELECT substr(fetched_at, 1, 10) AS day, count(*) AS fetches,
               sum(outcome = 'new') AS new_articles, sum(outcome = 'version') AS edits,
               sum(outcome = 'unchanged') AS unchanged, sum(outcome = 'gone') AS gone,
               sum(outcome = 'failed') AS failed, sum(outcome = 'blocked') AS blocked,
               sum(outcome = 'redirected') AS redirected, sum(outcome = 'not_modified') AS not_modified,
               count(DISTINCT crawl_id) AS crawls
        FROM fetches GROUP BY substr(fetched_at, 1, 10)""",
    # One row per crawl, newest first, with how much of it went wrong.
    "crawl_runs": """
        SELECT c.id, c.site, c.editions, c.started_at, c.finished_at, c.outcome, round(c.duration_s, 1) AS duration_s,
               c.new_articles, c.new_versions, c.unchanged, c.gone, c.failed, c.blocked,
               (SELECT count(*) FROM fetches f WHERE f.crawl_id = c.id) AS fetches,
               round(100.0 * (c.failed + c.blocked) / max(1, (SELECT count(*) FROM fetches f WHERE f.crawl_id = c.id)), 1)
                   AS failed_or_blocked_pct
        FROM crawls c ORDER BY c.id DESC""",
}


def create_views(db: Any) -> list[str]:
    """Drop and recreate every view (idempotent, so a changed definition replaces the old one); the names."""
    db = as_database(db)
    with db.atomic():
        for name, sql in VIEWS.items():
            db.execute(f"DROP VIEW IF EXISTS {name}")
            db.execute(f"CREATE VIEW {name} AS {sql.strip()}")
    return list(VIEWS)
