"""Checks for the dates, editions and article keys the commands accept: one-line UsageErrors, never empty answers."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from archive.schema import rows
from crawler.commands import UsageError
from crawler.commands.siteinfo import bundled_editions

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?")
KEY_EXAMPLE = "kurdistan24:ar:100001"


def parse_date_arg(value: str | None, option: str = "--since", *, time_ok: bool = True) -> str | None:
    """`value` as the archive compares it: YYYY-MM-DD as given, or (when `time_ok`) an ISO 8601 time
    (2026-11-01T09:30+03:00; no offset means UTC) as UTC with milliseconds, the form timestamps are
    stored in. None passes. UsageError naming `option` for anything else, impossible dates included."""
    if value is None:
        return None
    text = value.strip()
    form = "YYYY-MM-DD" + (" or YYYY-MM-DDTHH:MM[:SS][+HH:MM]" if time_ok else "")
    try:
        if _DAY.fullmatch(text):
            return date.fromisoformat(text).isoformat()
        if time_ok and _TIME.fullmatch(text):
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return moment.astimezone(UTC).isoformat(timespec="milliseconds")
    except ValueError as exc:
        raise UsageError(f"{option} {value!r} is not a real date ({exc})") from None
    raise UsageError(f"{option} expects a date as {form}, got {value!r}")


def check_range(since: str | None, until: str | None, names: tuple[str, str] = ("--since", "--until")) -> None:
    """Refuse a window that cannot hold anything (both ends already parsed by parse_date_arg)."""
    if since and until and since[:len(until)] > until[:len(since)]:
        raise UsageError(f"{names[0]} {since} is after {names[1]} {until}: nothing can match")


def archive_editions(db: Any) -> list[str]:
    return [r["edition"] for r in rows(db, "SELECT DISTINCT edition FROM articles WHERE edition IS NOT NULL "
                                           "ORDER BY edition")]


def check_edition(db: Any, value: str | None, option: str = "--lang") -> str | None:
    """The edition code for `value` (an alias maps to its edition: so -> ckb); None passes.

    An edition some site profile knows, or one the archive holds, is accepted (it may simply have no rows
    yet); anything else is a typo, refused with the editions the archive does hold."""
    if value is None:
        return None
    code = value.strip().lower()
    held = archive_editions(db)
    if code in held:
        return code
    known = bundled_editions()
    if code in known:
        return known[code]
    have = ", ".join(held) or "none yet"
    raise UsageError(f"{option}: unknown edition {value!r} (this archive has: {have})")


def check_key(db: Any, value: str, option: str = "--key", *, prefix_ok: bool = False) -> str:
    """`value` if the archive holds that article. With `prefix_ok`, `site:*` or `site:edition:*` is accepted
    when the archive holds that site (a prefix with no article yet may simply be early: not an error)."""
    key = value.strip()
    if prefix_ok and key.endswith("*"):
        site = key[:-1].split(":", 1)[0]
        if not site or ":" not in key:
            raise UsageError(f"{option} prefix {value!r} needs at least a site: kurdistan24:* or kurdistan24:ckb:*")
        if not rows(db, "SELECT 1 FROM articles WHERE site = ? LIMIT 1", [site]):
            raise UsageError(f"{option} {value!r}: the archive holds no article of site {site!r}")
        return key
    if not key:
        raise UsageError(f"{option} needs an article key like {KEY_EXAMPLE}")
    if not rows(db, "SELECT 1 FROM articles WHERE key = ?", [key]):
        hint = "" if key.count(":") == 2 else f" (keys look like {KEY_EXAMPLE})"
        raise UsageError(f"{option} {value!r}: no such article in the archive{hint}")
    return key


def check_new_db(path: str, option: str = "--db") -> str:
    """An archive path a crawl may create: its folder must exist (a typo must not grow a tree of folders)."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{option} {path}: is a folder; give a file path like {target / 'newsarchive.db'}")
    folder = target.parent
    if not folder.exists():
        raise UsageError(f"{option} {path}: folder {folder} does not exist (create it first)")
    return path


LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


def log_level(value: str) -> str:
    """argparse type for --log-level: one of Python's level names, any case."""
    level = value.strip().upper()
    if level not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return level
