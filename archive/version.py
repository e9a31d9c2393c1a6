"""The content of one version: display fields, key layers, content hash, and what changed since the last one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from archive.diff import image_name, paragraph_counts
from archive.text import content_hash, display, key, split_paragraphs


def dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _text(value: Any) -> str | None:
    """Display layer of an optional field; empty after cleaning means absent."""
    return (display(str(value)) or None) if value is not None else None


def version_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    """The content columns of a version: display text, key layers and the content hash (dates excluded)."""
    title, lead, author, section = (_text(item.get(f)) for f in ("title", "lead", "author", "section"))
    # Re-split so that a paragraph holding a blank line cannot break the "\n\n" join stored in `body`.
    body = [p for raw in item.get("body") or [] for p in split_paragraphs(display(str(raw))) if p.strip()]
    tags = [t for t in (_text(t) for t in item.get("tags") or []) if t]
    images = [{"url": i.get("url"), "caption": _text(i.get("caption"))} for i in item.get("images") or []]
    # Lists are length-prefixed so that text moving between fields can never give the same hash.
    parts = [title or "", lead or "", str(len(body)), *body, author or "", section or "",
             str(len(tags)), *tags, str(len(images))]
    for image in images:
        parts += [image["caption"] or "", image_name(image["url"])]
    return {
        "title": title, "lead": lead, "body": "\n\n".join(body), "author": author, "section": section,
        "tags": dumps(tags), "images": dumps(images),
        "title_key": key(title or ""), "lead_key": key(lead or ""), "body_key": key("\n".join(body)),
        "content_hash": content_hash(parts),
        "_paragraphs": body, "_tags": tags, "_images": images,
    }


def change_of(prev: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Which parts of the key layer changed since the previous version (stored as versions.change)."""
    old_body = [key(p) for p in (prev["body"] or "").split("\n\n") if p.strip()]
    meta = [f for f in ("author", "section") if key(prev[f] or "") != key(new[f] or "")]
    if [key(t) for t in json.loads(prev["tags"] or "[]")] != [key(t) for t in new["_tags"]]:
        meta.append("tags")
    old_images = [(key(i.get("caption") or ""), image_name(i.get("url"))) for i in json.loads(prev["images"] or "[]")]
    if old_images != [(key(i["caption"] or ""), image_name(i["url"])) for i in new["_images"]]:
        meta.append("images")
    change = {"title": prev["title_key"] != new["title_key"], "lead": prev["lead_key"] != new["lead_key"],
              "body": paragraph_counts(old_body, [key(p) for p in new["_paragraphs"]]), "meta": meta}
    change["kinds"] = change_kinds(change)
    return change


def change_kinds(change: Mapping[str, Any]) -> list[str]:
    """What kind of edit a change is: any of title, lead, body; or ["metadata"] when only those changed."""
    kinds = [f for f in ("title", "lead") if change.get(f)]
    if any((change.get("body") or {}).get(k) for k in ("added", "removed", "changed")):
        kinds.append("body")
    return kinds or (["metadata"] if change.get("meta") else [])
