"""What the archive holds: articles by status and edition, versions, fetch outcomes, last crawl, size."""

from __future__ import annotations

from typing import Any

from archive.schema import as_database


def stats(db: Any) -> dict[str, Any]:
    """Counts for `newsarchive stats` (JSON-serialisable)."""
    db = as_database(db)

    def scalar(sql: str) -> int:
        return int(db.execute(sql).fetchone()[0] or 0)

    by_status: dict[str, int] = {}
    by_edition: dict[str, dict[str, int]] = {}
    for edition, status, count in db.execute(
            "SELECT edition, status, count(*) FROM articles GROUP BY edition, status ORDER BY edition, status"):
        by_status[status] = by_status.get(status, 0) + count
        by_edition.setdefault(edition, {})[status] = count
    cursor = db.execute("SELECT * FROM crawls ORDER BY id DESC LIMIT 1")
    last = cursor.fetchone()
    page_size, page_count = scalar("PRAGMA page_size"), scalar("PRAGMA page_count")
    return {
        "articles": sum(by_status.values()),
        "articles_by_status": by_status,
        "articles_by_edition": by_edition,
        "duplicates": scalar("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL"),
        "versions": scalar("SELECT count(*) FROM versions"),
        "articles_edited": scalar("SELECT count(*) FROM articles WHERE version_count > 1"),
        "fetches": dict(db.execute("SELECT outcome, count(*) FROM fetches GROUP BY outcome ORDER BY outcome")),
        "crawls": scalar("SELECT count(*) FROM crawls"),
        "last_crawl": dict(zip([c[0] for c in cursor.description], last)) if last else None,
        "size_bytes": page_size * page_count,
        "reach_by_edition": reach(db),
    }


def reach(db: Any) -> dict[str, dict[str, Any]]:
    """How far back the archive reaches per edition: its oldest and newest declared publication dates."""
    out: dict[str, dict[str, Any]] = {}
    # published_at is ISO 8601 with the site's offset: min() on the text is right within one site's offset;
    # julianday() compares instants whatever the offset.
    for edition, count, undated, oldest, newest in as_database(db).execute(
            "SELECT edition, count(*), sum(published_at IS NULL), "
            "(SELECT p.published_at FROM articles p WHERE p.edition = a.edition AND p.published_at IS NOT NULL "
            " ORDER BY julianday(p.published_at) LIMIT 1), "
            "(SELECT p.published_at FROM articles p WHERE p.edition = a.edition AND p.published_at IS NOT NULL "
            " ORDER BY julianday(p.published_at) DESC LIMIT 1) "
            "FROM articles a GROUP BY edition ORDER BY edition"):
        out[edition] = {"articles": count, "oldest_published": oldest, "newest_published": newest,
                        "undated": int(undated or 0)}
    return out


def format_stats(data: dict[str, Any]) -> str:
    """stats() as text for a terminal."""
    by_status = ", ".join(f"{n} {s}" for s, n in sorted(data["articles_by_status"].items()))
    lines = [f"articles: {data['articles']}" + (f" ({by_status})" if by_status else "")]
    for edition, counts in sorted(data["articles_by_edition"].items()):
        lines.append(f"  {edition}: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    for edition, r in sorted(data.get("reach_by_edition", {}).items()):
        span = f"published {r['oldest_published'][:10]} to {r['newest_published'][:10]}" \
            if r["oldest_published"] else "no publication dates"
        lines.append(f"reach: {edition}: {r['articles']} articles {span}"
                     + (f" ({r['undated']} undated)" if r["undated"] else ""))
    lines.append(f"versions: {data['versions']} ({data['articles_edited']} article(s) edited at least once)")
    lines.append(f"duplicates: {data['duplicates']}")
    # Text says "edited" for a fetch that made a new version, as the crawl summary does (JSON keeps `version`).
    lines.append("fetches: " + (", ".join(f"{n} {'edited' if o == 'version' else o}"
                                          for o, n in data["fetches"].items()) or "none"))
    last = data["last_crawl"]
    if last:
        lines.append(f"last crawl: #{last['id']} {last['site']} [{last['editions']}] {last['started_at']} "
                     f"{last['outcome']}: {last['new_articles']} new, {last['new_versions']} edited, "
                     f"{last['unchanged']} unchanged, {last['failed']} failed, {last['blocked']} blocked, "
                     f"{last['gone']} gone")
    lines.append(f"size: {data['size_bytes'] / 1_048_576:.1f} MiB")
    return "\n".join(lines)
