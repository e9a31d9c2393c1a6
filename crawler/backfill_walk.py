"""Backfill bookkeeping without Scrapy: targets walked in units with a contiguous cursor, and the options' parsing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time as dtime

from archive.policy import parse_time
from crawler.extract.dates import parse_tz
from crawler.site import SiteError

SOURCES = ("listings", "sitemaps", "ids")


def parse_ids(value: str) -> tuple[int, int]:
    """`100000-120000` (inclusive, either order) -> (low, high)."""
    lo, sep, hi = str(value).strip().partition("-")
    if not sep or not lo.strip().isdigit() or not hi.strip().isdigit():
        raise SiteError(f"malformed --ids {value!r}: expected LOW-HIGH, e.g. 100000-120000")
    a, b = int(lo), int(hi)
    return min(a, b), max(a, b)


def parse_date(value: str, tz: str, end_of_day: bool = False) -> datetime:
    """A --since/--until bound: YYYY-MM-DD (a whole day in the site's time zone) or an ISO 8601 time."""
    try:
        when = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise SiteError(f"malformed date {value!r}: expected YYYY-MM-DD or an ISO 8601 time") from None
    if when.tzinfo is None:
        if end_of_day and len(str(value).strip()) == 10:
            when = datetime.combine(when.date(), dtime(23, 59, 59))
        when = when.replace(tzinfo=parse_tz(tz))
    return when


when_of = parse_time  # an ISO 8601 time stored in the archive (UTC when it has no offset), or None


class Walk:
    """One crawl target walked in numbered units (listing pages, one sitemap, ids) with a contiguous cursor.

    `frontier` is the first unit not known to be complete; everything before it is in the archive.
    A unit with a failed page or article stays incomplete, so the next backfill retries from there.
    """

    def __init__(self, kind: str, target: str, edition: str | None, first: int) -> None:
        self.kind, self.target, self.edition = kind, target, edition
        self.first = self.frontier = first
        self.finished: set[int] = set()
        self.end: int | None = None       # the last unit, once known
        self.stopped = False              # ended by --since, not by the end of the walk
        self.failed = 0
        self.stale = 0                    # listing pages in a row with nothing new (ids: articles before --since)
        self.seen: set[str] = set()       # article keys listed on this walk's pages
        self.saved: int | None = None     # the position saved by an earlier backfill
        self.lastmod: str | None = None
        self.saved_at = 0.0

    def finish(self, index: int, ok: bool) -> bool:
        if not ok:
            self.failed += 1
            return False
        self.finished.add(index)
        moved = False
        while self.frontier in self.finished:
            self.finished.discard(self.frontier)
            self.frontier += 1
            moved = True
        return moved

    @property
    def complete(self) -> bool:
        return self.end is not None and self.frontier > self.end


@dataclass(eq=False)
class Unit:
    """What one unit still waits for: its own page and article requests, and their items being stored."""

    walk: Walk
    index: int
    pending: int = 0
    failed: bool = False
    dates: dict[str, datetime] = field(default_factory=dict)   # article key -> published (for --since)
    fresh: set[str] = field(default_factory=set)                # listing: keys this page adds to the walk
    on_done: Callable[[Unit], None] | None = None
    parent: Unit | None = None  # a sitemap index waits for its child sitemaps
    base: str = ""              # listing: the URL of its first page
    id_request: bool = False    # ids: this id was requested (not skipped)
