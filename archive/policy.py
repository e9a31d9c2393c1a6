"""When to recheck an article: often while it is young or recently edited, rarely once it has settled."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

MINUTE, HOUR, DAY = 60, 3600, 86400

# (age below, recheck interval) in seconds. Age counts from the declared publication date (else
# first seen). NewsDiffs' tiers are 15 min / 1 h / 3 h / 3 d / 30 d for < 3 h / 1 d / 1 w / 1 m / 1 y;
# ours check young articles more often (82% of body edits come within 24 hours, see peers.md)
# and pay for it with rarer checks of articles older than a month.
DEFAULT_TIERS: tuple[tuple[int, int], ...] = (
    (3 * HOUR, 10 * MINUTE),
    (DAY, 30 * MINUTE),
    (7 * DAY, 3 * HOUR),
    (30 * DAY, DAY),
    (365 * DAY, 14 * DAY),
)
OLDEST_INTERVAL = 60 * DAY
# An article edited recently is likely to be edited again soon (corrections come in bursts).
RECENT_EDIT_WINDOW, RECENT_EDIT_INTERVAL = 2 * DAY, 30 * MINUTE
# A deleted article is rechecked daily for a week (deletions are sometimes undone), then weekly.
GONE_INTERVALS = ((7 * DAY, DAY), (None, 7 * DAY))


def parse_tiers(value: str | Sequence[Sequence[int]] | None) -> tuple[tuple[int, int], ...]:
    """Tiers from a setting: JSON `[[age_s, interval_s], ...]`, ascending by age; empty means the defaults."""
    if not value:
        return DEFAULT_TIERS
    raw = json.loads(value) if isinstance(value, str) else value
    tiers = tuple((int(age), int(interval)) for age, interval in raw)
    if any(a >= b for (a, _), (b, _) in zip(tiers, tiers[1:], strict=False)) or any(i <= 0 for _, i in tiers):
        raise ValueError(f"recheck tiers must be ascending ages with positive intervals: {value!r}")
    return tiers


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time as stored in the archive (UTC when it has no offset), or None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def interval(now: datetime, *, published_at: str | None, first_seen_at: str | None,
             last_changed_at: str | None, status: str = "live", gone_at: str | None = None,
             tiers: Sequence[tuple[int, int]] = DEFAULT_TIERS) -> int:
    """Seconds until the next check of an article in this state."""
    if status != "live":
        since = parse_time(gone_at) or now
        gone_for = (now - since).total_seconds()
        for limit, every in GONE_INTERVALS:
            if limit is None or gone_for < limit:
                return every
    born = parse_time(published_at) or parse_time(first_seen_at) or now
    # A declared date in the future (a wrong time zone) must not make an article look newborn forever.
    age = max((now - born).total_seconds(), 0.0)
    every = next((i for limit, i in tiers if age < limit), OLDEST_INTERVAL)
    changed = parse_time(last_changed_at)
    if changed and (now - changed).total_seconds() < RECENT_EDIT_WINDOW:
        every = min(every, RECENT_EDIT_INTERVAL)
    return every


def next_check_at(now: datetime, tiers: Sequence[tuple[int, int]] = DEFAULT_TIERS, **state: str | None) -> str:
    """ISO time (UTC) of the next check (see `interval` for the state's keys)."""
    seconds = interval(now, tiers=tiers, **state)  # type: ignore[arg-type]
    return (now + timedelta(seconds=seconds)).astimezone(UTC).isoformat(timespec="seconds")
