"""An article's write work that needs no database (key layers, hash, page, MinHash, search terms), done ahead."""

from __future__ import annotations

import hashlib
import importlib.util
import pickle
import zlib
from collections.abc import Mapping
from typing import Any

from archive import neardup, searchindex
from archive.analysis import language
from archive.rows import RAW_LEVEL, raw_bytes
from archive.text import count_replacement
from archive.version import version_fields

# Bump when what prepare() computes changes in a way the code fingerprint below cannot see.
PREPARE_VERSION = 1
KEY = "_prepared"  # the item key that carries a prepared result
# The item fields prepare()'s output depends on: any change to them after prepare() makes it stale.
INPUTS = ("key", "edition", "title", "lead", "body", "author", "section", "tags", "images", "replacement_chars",
          "encoding")
# Modules whose code decides what prepare() computes: a writer running other code recomputes.
_MODULES = ("archive.prepare", "archive.version", "archive.text", "archive.diff", "archive.analysis",
            "archive.neardup", "archive.searchindex", "archive.rows")


def _code_version() -> str:
    digest = hashlib.sha1(f"{PREPARE_VERSION}:{neardup.PARAMS}:{RAW_LEVEL}".encode())
    for name in _MODULES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec else None
        try:
            with open(origin or "", "rb") as source:
                digest.update(source.read())
        except OSError:
            digest.update(name.encode())  # no source to read (a frozen build): the version number decides
    try:
        from importlib.metadata import version

        digest.update(version("datasketch").encode())  # the MinHash permutations are datasketch's
    except Exception:  # noqa: BLE001 - no metadata: the permutations are checked by tests only
        pass
    return f"{PREPARE_VERSION}:{digest.hexdigest()[:16]}"


VERSION = _code_version()


def fingerprint(item: Mapping[str, Any], raw: bytes | None) -> str:
    """A digest of every input prepare() reads: a prepared result travels with its item and is used only while
    the item still has exactly these values."""
    # pickle: a tenth of repr()'s time; equal values pickle alike in any process (a value that took another
    # form on the way, a tuple become a list, only costs a recompute). sha256: hardware-assisted on current
    # CPUs, half the time of blake2b over a 90 KB page.
    digest = hashlib.sha256(pickle.dumps(tuple(item.get(f) for f in INPUTS), protocol=5))
    digest.update(b"\0" if raw is None else b"\1" + raw)
    return digest.hexdigest()[:32]


def compute(item: Mapping[str, Any]) -> dict[str, Any]:
    """version_fields(item) plus what its write needs besides: `_raw_z`/`_raw_size` (the stored page),
    `_replacement`, `_fts` (searchindex.analysed) and `_sketch` (neardup.sketch)."""
    fields = version_fields(item)
    fields.update(extras(item, fields))
    return fields


def extras(item: Mapping[str, Any], fields: Mapping[str, Any], search: bool = True) -> dict[str, Any]:
    """The part of compute() beyond version_fields; without the search terms and MinHash unless `search`."""
    raw = raw_bytes(item)
    replacement = item.get("replacement_chars")
    if replacement is None:
        replacement = count_replacement("\n".join(filter(None, [fields["title"], fields["lead"], fields["body"]])))
    out: dict[str, Any] = {"_raw_z": zlib.compress(raw, RAW_LEVEL) if raw else None,
                           "_raw_size": len(raw) if raw else 0, "_replacement": int(replacement or 0)}
    if search:
        art_key = str(item.get("key") or "")
        edition = item.get("edition") or (art_key.split(":", 2) + ["", ""])[1]
        out["_fts"] = searchindex.analysed(language(edition), fields["title_key"], fields["lead_key"],
                                           fields["body_key"])
        out["_sketch"] = neardup.sketch(fields["body_key"])
    return out


def prepare(item: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the article item carrying compute(item) under KEY, stamped with VERSION and the item's
    fingerprint. Pure: safe in any process (a fetch worker, the crawl), the writer checks before use."""
    out = {k: v for k, v in item.items() if k != KEY}
    out[KEY] = {"version": VERSION, "fingerprint": fingerprint(item, raw_bytes(item)), "fields": compute(item)}
    return out


def _well_formed(fields: Any) -> bool:
    if not isinstance(fields, dict) or not isinstance(fields.get("content_hash"), str):
        return False
    sketch, fts = fields.get("_sketch"), fields.get("_fts")
    return (isinstance(fields.get("_raw_z"), (bytes, type(None))) and isinstance(fields.get("_raw_size"), int)
            and isinstance(fields.get("_replacement"), int) and isinstance(fts, (tuple, list)) and len(fts) == 4
            and isinstance(sketch, (tuple, list)) and len(sketch) == 3
            and isinstance(sketch[1], (bytes, type(None))))


def prepared(item: Mapping[str, Any]) -> dict[str, Any] | None:
    """The item's prepared fields if they were made by this code from exactly this item's values, else None."""
    ahead = item.get(KEY)
    if not isinstance(ahead, dict) or ahead.get("version") != VERSION:
        return None
    try:
        same = ahead.get("fingerprint") == fingerprint(item, raw_bytes(item))
    except Exception:  # noqa: BLE001 - a value that cannot be fingerprinted: the write computes it all
        return None
    return ahead["fields"] if same and _well_formed(ahead.get("fields")) else None


def fields_of(item: Mapping[str, Any], full: bool = True) -> dict[str, Any]:
    """The item's fields for its write: the prepared ones when valid, else computed now (all of compute()
    when `full`, only version_fields otherwise)."""
    ahead = prepared(item)
    if ahead is not None:
        return ahead
    return compute(item) if full else version_fields(item)


def ensure(item: Mapping[str, Any]) -> Mapping[str, Any]:
    """The item itself when its prepared fields are valid, else prepare(item)."""
    return item if prepared(item) is not None else prepare(item)
