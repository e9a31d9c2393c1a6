"""Row filters shared by search and every export: date range, edition, keys, duplicates hidden."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from archive.errors import QueryError

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_date(value: str | None, option: str) -> str | None:
    """`value` if it is a real YYYY-MM-DD date (None passes); QueryError naming `option` otherwise."""
    if value is None:
        return None
    text = value.strip()
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        date.fromisoformat(text)
    except ValueError:
        raise QueryError(f"{option} expects a date as YYYY-MM-DD, got {value!r}") from None
    return text


@dataclass
class Filters:
    """Which articles to keep. Dates are whole days, inclusive, on the publication date as the site wrote
    it (its own UTC offset), or on the day the archive first saw the article when no date was published."""

    since: str | None = None
    until: str | None = None
    edition: str | None = None
    keys: list[str] = field(default_factory=list)  # exact keys, or prefixes written with a trailing *
    no_duplicates: bool = False

    def __post_init__(self) -> None:
        self.since = check_date(self.since, "--since")
        self.until = check_date(self.until, "--until")
        if self.since and self.until and self.since > self.until:
            raise QueryError(f"--since {self.since} is after --until {self.until}: nothing can match")
        for k in self.keys:
            if not k.strip() or k.strip() == "*":
                raise QueryError(f"--key needs an article key (kurdistan24:ar:100001) or a prefix (kurdistan24:ckb:*), "
                                 f"got {k!r}")

    def where(self, alias: str = "a") -> tuple[str, list[Any]]:
        """SQL conditions on the articles table aliased `alias` (always a valid boolean), and their parameters."""
        day = f"substr(coalesce({alias}.published_at, {alias}.first_seen_at), 1, 10)"
        sql: list[str] = []
        params: list[Any] = []
        if self.since:
            sql.append(f"{day} >= ?")
            params.append(self.since)
        if self.until:
            sql.append(f"{day} <= ?")
            params.append(self.until)
        if self.edition:
            sql.append(f"{alias}.edition = ?")
            params.append(self.edition)
        if self.no_duplicates:
            sql.append(f"{alias}.duplicate_of IS NULL")
        if self.keys:
            alternatives = []
            for k in (k.strip() for k in self.keys):
                if k.endswith("*"):
                    # substr, not LIKE/GLOB: a key's own _ % [ characters must not act as wildcards.
                    alternatives.append(f"substr({alias}.key, 1, ?) = ?")
                    params += [len(k) - 1, k[:-1]]
                else:
                    alternatives.append(f"{alias}.key = ?")
                    params.append(k)
            sql.append("(" + " OR ".join(alternatives) + ")")
        return (" AND ".join(sql) or "1"), params
