"""Pages that must not be stored as articles: bot-protection challenges and unhealthy extractions."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from w3lib import html as w3html
from w3lib.html import remove_comments, remove_tags, replace_entities

from .scan import first_title, strip_elements

VISIBLE_PREFIX = 5000
MIN_BODY_CHARS = 80

_SPACES = re.compile(r"\s+")
# remove_tags() with neither which_ones nor keep deletes every match of w3lib's tag regex, calling a
# Python function per tag (thousands on a news page); substituting "" with the same regex is the same
# result at a fraction of the cost. Older w3lib without that regex: its own remove_tags().
_ALL_TAGS: re.Pattern[str] | None = getattr(w3html, "_tags_re", None)


def detect_block(status: int, text: str, markers: Sequence[str]) -> str | None:
    """`challenge page: "<marker>"` when the title or the first 5 KB of visible text has a marker.

    Any status counts: challenges come as 403/503 and sometimes 200. Only visible text is searched,
    because protection services inject their scripts (`/cdn-cgi/challenge-platform/...`) into
    ordinary article pages too.
    """
    del status  # kept in the signature for callers and reasons; the markers decide
    raw_title = first_title(text)  # linear scans: hostile markup cannot make this quadratic
    title = _norm(replace_entities(remove_tags(raw_title))) if raw_title else ""
    visible = _norm(_visible(text))[:VISIBLE_PREFIX]
    for marker in markers:
        needle = _norm(marker)
        if needle and (needle in title or needle in visible):
            return f'challenge page: "{marker}"'
    return None


def check_health(fields: Mapping[str, Any]) -> str | None:
    """Why an extraction is not a usable article (`no title`, `empty body`, `body too short`), or None."""
    title = fields.get("title")
    if not title or not str(title).strip():
        return "no title"
    body = [p for p in (fields.get("body") or []) if p and p.strip()]
    if not body:
        return "empty body"
    if sum(len(p.strip()) for p in body) < MIN_BODY_CHARS:
        return "body too short"
    return None


def _visible(html: str) -> str:
    html = remove_comments(html)
    # Scripts and styles are not shown; the head holds no visible text apart from the title.
    html = strip_elements(html, ("script", "style", "template", "head"))
    return replace_entities(remove_all_tags(html))


def remove_all_tags(html: str) -> str:
    """w3lib's remove_tags(html), without its per-tag callback."""
    return _ALL_TAGS.sub("", html) if _ALL_TAGS is not None else remove_tags(html)


def _norm(text: str) -> str:
    """Case- and whitespace-insensitive; the ellipsis character and three dots are the same marker."""
    return _SPACES.sub(" ", text.replace("\u2026", "...")).strip().casefold()
