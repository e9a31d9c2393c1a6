"""Which archived articles a crawl fetches again, and with which conditional-request headers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from archive.rechecks import RECHECK_MODES, article_state, candidates
from archive.store import Archive


class Rechecker:
    """The spider's read-only view of the archive's recheck schedule (its own connection)."""

    def __init__(self, db_path: str, site: str, editions: list[str], mode: str) -> None:
        if mode not in RECHECK_MODES:
            raise ValueError(f"unknown recheck mode {mode!r} (expected one of {', '.join(RECHECK_MODES)})")
        self.archive = Archive(db_path)
        self.site, self.editions, self.mode = site, editions, mode
        self.now = datetime.now(UTC).isoformat(timespec="seconds")

    def close(self) -> None:
        self.archive.close()

    def due(self) -> Iterator[dict[str, Any]]:
        """Archived articles to recheck in this crawl, in batches."""
        yield from candidates(self.archive.db, self.site, self.editions, self.mode, self.now)

    def decide(self, key: str, hint: str | None = None) -> tuple[bool, dict[str, Any] | None]:
        """(fetch it?, its archived state) for an article link found while discovering.

        New articles are always fetched. A known one only when due under the recheck mode, or when a
        feed or sitemap says it changed after our last check (`hint`: its pubDate or lastmod).
        """
        return decide(article_state(self.archive.db, key), self.mode, self.now, hint)


def decide(state: dict[str, Any] | None, mode: str, now: str, hint: str | None = None) -> tuple[bool, dict[str, Any] | None]:
    """Rechecker.decide for an archived state (None: never archived) read from anywhere (a cluster: Redis)."""
    if state is None:
        return True, None
    if mode == "all":
        return True, state
    if mode == "due" and (state["next_check_at"] or "") <= now:
        return True, state
    if hint and _later(hint, state["last_checked_at"]):
        return True, state
    return False, state


def conditional_headers(state: dict[str, Any] | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the validators stored with the article."""
    if not state:
        return {}
    headers = {}
    if state.get("etag"):
        headers["If-None-Match"] = state["etag"]
    if state.get("last_modified"):
        headers["If-Modified-Since"] = state["last_modified"]
    return headers


def _later(hint: str, checked: str | None) -> bool:
    if not checked:
        return True
    try:
        a, b = datetime.fromisoformat(hint), datetime.fromisoformat(checked)
    except ValueError:
        return False
    a = a if a.tzinfo else a.replace(tzinfo=UTC)
    b = b if b.tzinfo else b.replace(tzinfo=UTC)
    return a > b
