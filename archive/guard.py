"""The false-edit guard: a new extraction that looks broken next to the current version is held as suspect."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# The body must keep at least this share of its characters, when it had at least MIN_BODY_CHARS.
SHRINK_RATIO = 0.5
MIN_BODY_CHARS = 200
METADATA = ("author", "section", "tags", "images")


def _present(value: Any) -> bool:
    if isinstance(value, str) and value.startswith("["):
        value = json.loads(value)
    return bool(value)


def suspect_reason(current: Mapping[str, Any], new: Mapping[str, Any], new_extractor: str | None) -> str | None:
    """Why `new` (version_fields of a fresh extraction) should not be trusted as an edit of `current`.

    Publishers rarely cut half an article, or drop the author, tags and images at once; broken
    page loads, layout changes and extractor changes do. Such a result is held back until a later
    fetch gives the same content again (then it is a real edit) or the old content (a glitch).
    """
    old_extractor = current.get("extractor_version")
    if old_extractor and new_extractor and old_extractor != new_extractor:
        return f"extractor changed ({old_extractor} -> {new_extractor}); re-extract the stored page to compare"
    if not new.get("title"):
        return "title missing"
    old_len, new_len = len(current.get("body") or ""), len(new.get("body") or "")
    if old_len >= MIN_BODY_CHARS and new_len < old_len * SHRINK_RATIO:
        return f"body shrank from {old_len} to {new_len} characters"
    lost = [f for f in METADATA if _present(current.get(f)) and not _present(new.get(f))]
    if len(lost) >= 2:
        return f"{', '.join(lost)} missing"
    return None
