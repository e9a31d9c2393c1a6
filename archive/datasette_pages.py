"""What the Datasette plugin shows: right-to-left cells, readable URLs, collapsed column notes, the article page.

Kept apart from the hooks (archive/datasette_plugin.py) so it can be read and tested without a server.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from archive.analysis import EDITION_NAMES
from archive.diff import diff_versions
from archive.search import readable_url

ARTICLE_PATH = "/-/article"
CSS_PATH = "/-/newsarchive.css"
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
URL_COLUMNS = frozenset({"url", "canonical_url", "redirected_to", "base_url"})
KEY_COLUMNS = frozenset({"key", "article_key", "duplicate_of"})
# Columns whose text is the article's (Datasette's own columns like ids and dates stay left-to-right).
MARKED_COLUMNS = frozenset({"snippet"})
MARK, END_MARK = "<mark>", "</mark>"

CSS = """
.na-rtl { direction: rtl; text-align: right; unicode-bidi: isolate; font-size: 1.05em; line-height: 1.6; }
td.col-title, td.col-title_before, td.col-title_after, td.col-snippet { min-width: 16em; max-width: 34em; }
td.col-lead, td.col-lead_before, td.col-lead_after { min-width: 16em; max-width: 34em; }
td.col-body, td.col-body_before, td.col-body_after { min-width: 22em; max-width: 40em; }
td.col-body .na-rtl, td.col-body_before .na-rtl, td.col-body_after .na-rtl {
  max-height: 9.6em; overflow: hidden; }
.na-url { display: inline-block; max-width: 18em; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; vertical-align: bottom; direction: ltr; }
mark { background: #ffe066; padding: 0 .1em; }
details.na-columns { margin: 1.5em 0; color: #555; }
details.na-columns dl { margin-top: .5em; }
dl.column-descriptions { max-height: 6em; overflow: hidden; }
details.na-columns dl.column-descriptions { max-height: none; }
.na-article { max-width: 60em; padding: 1em 2em; }
.na-article h1, .na-article h2, .na-article p[dir="rtl"] { direction: rtl; text-align: right; }
.na-article p[dir="rtl"] { font-size: 1.1em; line-height: 1.8; }
.na-article .na-meta { direction: ltr; color: #555; }
.na-version { border-top: 1px solid #ddd; margin-top: 1.5em; padding-top: .5em; }
ins { background: #d3f9d8; text-decoration: none; }
del { background: #ffe3e3; }
"""

# Column notes below the table, folded: on a view they are long and pushed the rows a screen down.
SCRIPT = """
(function () {
  var notes = document.querySelector('dl.column-descriptions');
  if (!notes) return;
  var box = document.createElement('details');
  box.className = 'na-columns';
  var summary = document.createElement('summary');
  summary.textContent = 'Column descriptions (' + notes.querySelectorAll('dt').length + ')';
  box.appendChild(summary);
  var anchor = document.querySelector('.table-wrapper') || notes;
  anchor.parentNode.insertBefore(box, anchor.nextSibling);
  box.appendChild(notes);
})();
"""


def _lang(row: Any) -> str:
    try:
        edition = row["edition"]
    except (KeyError, IndexError, TypeError):
        edition = None
    return "ckb" if edition == "ckb" else "ar"


def article_link(key: str, database: str) -> str:
    return f"{ARTICLE_PATH}?db={quote(database)}&key={quote(key)}"


def cell_html(row: Any, value: Any, column: str, database: str) -> str | None:
    """The HTML of one cell, or None to leave Datasette's own rendering."""
    if not isinstance(value, str) or not value:
        return None
    if column in URL_COLUMNS and value.startswith(("http://", "https://")):
        shown = readable_url(value)
        # Scheme and www. cut, so the part that differs (the id and the Arabic slug) shows before the ellipsis.
        short = re.sub(r"^https?://(www\.)?", "", shown)
        return (f'<a class="na-url" href="{html.escape(value)}" title="{html.escape(shown)}" dir="ltr">'
                f"{html.escape(short)}</a>")
    if column in KEY_COLUMNS and value.count(":") >= 2 and " " not in value:
        return f'<a href="{html.escape(article_link(value, database))}">{html.escape(value)}</a>'
    if not _ARABIC_SCRIPT.search(value):
        return None
    text = html.escape(value)
    if column in MARKED_COLUMNS:
        text = text.replace(html.escape(MARK), "<mark>").replace(html.escape(END_MARK), "</mark>")
    return f'<div class="na-rtl" dir="rtl" lang="{_lang(row)}">{text}</div>'


def _ops_html(ops: Sequence[Sequence[str]]) -> str:
    out = []
    for op, text in ops:
        if op == "equal":
            out.append(html.escape(text))
            continue
        core = text.rstrip()
        tag = "del" if op == "delete" else "ins"
        # The space goes outside the mark, so a struck word and its replacement stay two words.
        out.append(f"<{tag}>{html.escape(core)}</{tag}>{html.escape(text[len(core):])}")
    return "".join(out)


def _para(body: str, lang: str) -> str:
    return f'<p dir="rtl" lang="{lang}">{body}</p>'


def diff_html(d: Mapping[str, Any], lang: str) -> str:
    """An edit as a reader sees it: deleted words struck through in red, inserted words in green."""
    parts = []
    for field in ("title", "lead"):
        if d[field]["changed"]:
            parts.append(f"<h4>{field}</h4>" + _para(_ops_html(d[field]["diff"]), lang))
    body = d["body"]
    if body["added"] or body["removed"] or body["changed"]:
        parts.append(f"<h4>body: {body['changed']} changed, {body['added']} added, {body['removed']} removed</h4>")
        for p in body["paragraphs"]:
            if p["op"] == "changed":
                parts.append(_para(_ops_html(p["diff"]), lang))
            elif p["op"] == "added":
                parts.append(_para(f"<ins>{html.escape(p['text'])}</ins>", lang))
            elif p["op"] == "removed":
                parts.append(_para(f"<del>{html.escape(p['text'])}</del>", lang))
    tags = d.get("tags") or {}
    if tags.get("added") or tags.get("removed"):
        marks = [f"<del>{html.escape(t)}</del>" for t in tags["removed"]]
        marks += [f"<ins>{html.escape(t)}</ins>" for t in tags["added"]]
        parts.append("<h4>tags</h4>" + _para(" ".join(marks), lang))
    return "\n".join(parts) or "<p>no differences in the text (only metadata changed)</p>"


def article_html(database: str, article: Mapping[str, Any], versions: Sequence[Mapping[str, Any]]) -> str:
    """The article page: its identity, every version with its date, and the word diff of each edit."""
    lang = "ckb" if article.get("edition") == "ckb" else "ar"
    current = versions[-1] if versions else {}
    esc = html.escape
    url = article.get("url") or ""
    rows = [
        f'<h1 dir="rtl" lang="{lang}">{esc(current.get("title") or article["key"])}</h1>',
        f'<p class="na-meta">{esc(article["key"])} · {esc(EDITION_NAMES.get(article.get("edition"), article.get("edition") or ""))}'
        f' · published {esc(article.get("published_at") or "?")} · {len(versions)} version(s) · status {esc(article.get("status") or "")}'
        f'<br><a href="{esc(url)}" dir="ltr">{esc(readable_url(url))}</a></p>',
    ]
    for i, version in enumerate(versions):
        head = (f'<h3 class="na-meta">version {version["version"]} · fetched {esc(version.get("fetched_at") or "")}'
                f'{" · re-extracted" if version.get("origin") == "reextract" else ""}</h3>')
        if i == 0:
            body = "".join(_para(esc(p), lang) for p in (version.get("body") or "").split("\n\n") if p)
            content = (_para(f"<strong>{esc(version.get('title') or '')}</strong>", lang)
                       + (_para(esc(version["lead"]), lang) if version.get("lead") else "") + body)
        else:
            content = diff_html(diff_versions(versions[i - 1], version), lang)
        rows.append(f'<section class="na-version">{head}{content}</section>')
    table = f"/{quote(database)}/versions?article_key={quote(article['key'])}"
    rows.append(f'<p class="na-meta"><a href="{esc(table)}">these versions as a table</a></p>')
    return "\n".join(rows)


def page(title: str, body: str, database: str | None = None) -> str:
    crumbs = '<a href="/">home</a>' + (f' / <a href="/{quote(database)}">{html.escape(database)}</a>' if database else "")
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<link rel="stylesheet" href="/-/static/app.css"><link rel="stylesheet" href="{CSS_PATH}">'
            f'</head><body><header><nav>{crumbs}</nav></header>'
            f'<div class="content na-article">{body}</div></body></html>')
