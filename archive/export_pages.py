"""Export stored raw pages as files in a folder (SITE/EDITION/ID/vN.html + index.jsonl), names made safe."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.filters import Filters
from archive.history import raw_html
from archive.schema import as_database

_UNSAFE = re.compile(r"[^\w.\-]", re.UNICODE)


def safe_name(text: str) -> str:
    """One path component from data: letters, digits, _ . - only, never hidden or `..`; a name that had
    to change gets a short hash of the original, so two different values cannot end up as one file."""
    cleaned = _UNSAFE.sub("_", text).lstrip(".")[:80] or "_"
    if cleaned == text:
        return cleaned
    return f"{cleaned}-{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"


def contained(root: Path, *parts: str) -> Path:
    """root/parts after making each part safe; ArchiveError if the result could still leave root."""
    path = root.joinpath(*(safe_name(p) for p in parts))
    if not path.resolve().is_relative_to(root.resolve()):
        raise ArchiveError(f"refusing to write outside {root}: {path}")
    return path


def write_pages(db: Any, folder: str | os.PathLike[str], filters: Filters | None = None,
                all_versions: bool = True) -> dict[str, int]:
    """Each version's page as fetched, under `folder`; index.jsonl maps every file to its key, version,
    URL and fetch time. Returns {"files": n, "without_html": m}."""
    db = as_database(db)
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    where, params = (filters or Filters()).where("a")
    join = "" if all_versions else "AND v.version = a.current_version"
    rows = db.execute(
        f"SELECT a.key, a.site, a.edition, a.article_id, v.version, coalesce(v.url, a.url), v.fetched_at, "
        f"v.raw_encoding, v.raw_html IS NOT NULL FROM articles a JOIN versions v ON v.article_key = a.key {join} "
        f"WHERE {where} ORDER BY a.rowid, v.version", params).fetchall()
    counts = {"files": 0, "without_html": 0}
    with open(contained(root, "index.jsonl"), "w", encoding="utf-8") as index:
        for art_key, site, edition, article_id, version, url, fetched_at, encoding, has_html in rows:
            page = raw_html(db, art_key, version) if has_html else None
            if page is None:
                counts["without_html"] += 1
                continue
            # The key's parts name the folders; an odd key still stays inside root (see contained()).
            parts = (art_key.split(":", 2) + ["", ""])[:3]
            path = contained(root, parts[0] or site or "_", parts[1] or edition or "_",
                             parts[2] or article_id or "_", f"v{int(version)}.html")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(page)
            index.write(json.dumps({"file": path.relative_to(root).as_posix(), "key": art_key, "version": version,
                                    "url": url, "fetched_at": fetched_at, "encoding": encoding},
                                   ensure_ascii=False) + "\n")
            counts["files"] += 1
    return counts
