"""Word and paragraph diffs between article versions, and their terminal rendering (logical order, no bidi tricks)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

Ops = list[tuple[str, str]]

# Paragraphs at least this similar (word ratio) inside a replaced block are one edited paragraph,
# not a removal plus an addition.
SIMILAR = 0.5
RED, GREEN, RESET = "\x1b[31m", "\x1b[32m", "\x1b[0m"


def tokenize(text: str) -> list[tuple[str, str]]:
    """(compare-value, text-with-trailing-space) tokens: runs of word characters, and each punctuation mark alone.

    Word characters are everything but spaces, punctuation and symbols, so harakat, tatweel and ZWNJ stay
    inside their word, while `،` or `«` is a token of its own and an added comma shows up as one insert.
    """
    tokens: list[tuple[str, str]] = []
    word = ""
    for ch in text:
        if ch.isspace():
            if word:
                tokens.append((word, word))
                word = ""
            if tokens:
                tokens[-1] = (tokens[-1][0], tokens[-1][1] + ch)
        elif unicodedata.category(ch)[0] in "PS":
            if word:
                tokens.append((word, word))
                word = ""
            tokens.append((ch, ch))
        else:
            word += ch
    if word:
        tokens.append((word, word))
    return tokens


def word_diff(old: str, new: str) -> Ops:
    """[(op, text)] with op equal/insert/delete; equal+insert texts rebuild `new`, equal+delete rebuild `old`."""
    a, b = tokenize(old or ""), tokenize(new or "")
    matcher = SequenceMatcher(None, [t[0] for t in a], [t[0] for t in b], autojunk=False)
    ops: Ops = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _push(ops, "equal", "".join(t[1] for t in b[j1:j2]))
            continue
        if i2 > i1:
            _push(ops, "delete", "".join(t[1] for t in a[i1:i2]))
        if j2 > j1:
            _push(ops, "insert", "".join(t[1] for t in b[j1:j2]))
    return ops


def _push(ops: Ops, op: str, text: str) -> None:
    if ops and ops[-1][0] == op:
        ops[-1] = (op, ops[-1][1] + text)
    else:
        ops.append((op, text))


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def align_paragraphs(old: Sequence[str], new: Sequence[str]) -> list[tuple[str, int | None, int | None]]:
    """Align two paragraph lists: [(op, old_index, new_index)], op equal/changed/added/removed."""
    out: list[tuple[str, int | None, int | None]] = []
    matcher = SequenceMatcher(None, list(old), list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(("equal", i1 + k, j1 + k) for k in range(i2 - i1))
            continue
        j = j1
        for i in range(i1, i2):
            # Pair with the most similar paragraph still ahead in the block; what is skipped was added.
            best, best_ratio = None, SIMILAR
            for cand in range(j, j2):
                r = _ratio(old[i], new[cand])
                if r >= best_ratio:
                    best, best_ratio = cand, r
            if best is None:
                out.append(("removed", i, None))
                continue
            out.extend(("added", None, k) for k in range(j, best))
            out.append(("changed", i, best))
            j = best + 1
        out.extend(("added", None, k) for k in range(j, j2))
    return out


def paragraph_counts(old: Sequence[str], new: Sequence[str]) -> dict[str, int]:
    counts = {"added": 0, "removed": 0, "changed": 0}
    for op, _, _ in align_paragraphs(old, new):
        if op != "equal":
            counts[op] += 1
    return counts


def image_name(url: str | None) -> str:
    """An image's file name: a CDN host or query change is not an edit, a swapped photo is."""
    if not url:
        return ""
    return unquote(PurePosixPath(urlsplit(url).path).name)


def _paragraphs(body: Any) -> list[str]:
    if body is None:
        return []
    if isinstance(body, str):
        return [p for p in body.split("\n\n") if p.strip()]
    return [p for p in body if p and p.strip()]


def _json_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return list(json.loads(value) or [])
    return list(value)


def diff_versions(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """Field-by-field diff of two versions (rows from history.get_version, or item-like dicts)."""
    out: dict[str, Any] = {}
    for field in ("title", "lead"):
        old, new = a.get(field) or "", b.get(field) or ""
        out[field] = {"changed": old != new, "diff": word_diff(old, new) if old != new else [("equal", new)]}
    old_p, new_p = _paragraphs(a.get("body")), _paragraphs(b.get("body"))
    counts = {"added": 0, "removed": 0, "changed": 0}
    paragraphs: list[dict[str, Any]] = []
    for op, i, j in align_paragraphs(old_p, new_p):
        entry: dict[str, Any] = {"op": op, "old": i, "new": j}
        if op == "changed":
            entry["diff"] = word_diff(old_p[i], new_p[j])  # type: ignore[index]
        else:
            entry["text"] = new_p[j] if j is not None else old_p[i]  # type: ignore[index]
        if op != "equal":
            counts[op] += 1
        paragraphs.append(entry)
    out["body"] = {**counts, "paragraphs": paragraphs}
    old_t, new_t = _json_list(a.get("tags")), _json_list(b.get("tags"))
    out["tags"] = {"added": [t for t in new_t if t not in old_t], "removed": [t for t in old_t if t not in new_t]}
    out["images"] = _image_diff(_json_list(a.get("images")), _json_list(b.get("images")))
    return out


def _image_diff(old: list[Mapping[str, Any]], new: list[Mapping[str, Any]]) -> dict[str, Any]:
    by_old = {image_name(i.get("url")): i for i in old}
    by_new = {image_name(i.get("url")): i for i in new}
    return {
        "added": [i for n, i in by_new.items() if n not in by_old],
        "removed": [i for n, i in by_old.items() if n not in by_new],
        "caption_changed": [
            {"url": i.get("url"), "diff": word_diff(by_old[n].get("caption") or "", i.get("caption") or "")}
            for n, i in by_new.items() if n in by_old and (by_old[n].get("caption") or "") != (i.get("caption") or "")
        ],
    }


def format_ops(ops: Sequence[Sequence[str]], color: bool) -> str:
    """One diffed text: `[-old-]{+new+}` markers, or red/green; text stays in logical (typing) order."""
    parts = []
    for index, (op, text) in enumerate(ops):
        if op == "equal":
            parts.append(text)
            continue
        core = text.rstrip()
        trail = text[len(core):]  # spaces go outside the markers so words do not glue together
        if op == "delete" and not trail and index + 1 < len(ops) and ops[index + 1][0] == "insert":
            trail = " "  # old and new words side by side stay two words, in colour too
        if color:
            parts.append(f"{RED if op == 'delete' else GREEN}{core}{RESET}{trail}")
        else:
            parts.append(f"[-{core}-]{trail}" if op == "delete" else f"{{+{core}+}}{trail}")
    return "".join(parts).rstrip()


def format_diff(d: Mapping[str, Any] | Sequence[Sequence[str]], color: bool = False) -> str:
    """Render diff_versions() output (or a bare word_diff() list) for a terminal."""
    if not isinstance(d, Mapping):
        return format_ops(d, color)
    lines: list[str] = []
    for field in ("title", "lead"):
        if d.get(field, {}).get("changed"):
            lines.append(f"{field}: {format_ops(d[field]['diff'], color)}")
    body = d.get("body") or {}
    if any(body.get(k) for k in ("added", "removed", "changed")):
        lines.append(f"body: {body['changed']} changed, {body['added']} added, {body['removed']} removed")
        for p in body.get("paragraphs", []):
            if p["op"] == "changed":
                lines.append(f"  ¶{p['new'] + 1}: {format_ops(p['diff'], color)}")
            elif p["op"] == "added":
                lines.append(f"  ¶{p['new'] + 1}+ {format_ops([('insert', p['text'])], color)}")
            elif p["op"] == "removed":
                lines.append(f"  ¶{p['old'] + 1}- {format_ops([('delete', p['text'])], color)}")
    tags = d.get("tags") or {}
    if tags.get("added") or tags.get("removed"):
        marks = [format_ops([("delete", t)], color) for t in tags.get("removed", [])]
        marks += [format_ops([("insert", t)], color) for t in tags.get("added", [])]
        lines.append("tags: " + " ".join(marks))
    images = d.get("images") or {}
    for image in images.get("removed", []):
        lines.append(f"image removed: {image.get('url')}")
    for image in images.get("added", []):
        lines.append(f"image added: {image.get('url')}")
    for image in images.get("caption_changed", []):
        lines.append(f"caption of {image['url']}: {format_ops(image['diff'], color)}")
    return "\n".join(lines) if lines else "no differences in text"
