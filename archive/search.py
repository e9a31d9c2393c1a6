"""Full-text search over the current versions (search_fts), newest first or by relevance, with highlighted snippets.

Orders, both bounded by `limit`, not by the number of matches:
- `date` (the default): newest publication first. The index's docid follows publication time
  (archive/searchindex.py), so FTS5 walks the matches from the newest and stops after `limit` rows.
- `rank`: field-weighted: articles whose title has the words first, then those whose lead has them,
  then the rest; newest first within each. Three newest-first lookups, each stopping after `limit`
  rows. Not bm25: bm25 needs every term's document frequency, which FTS5 computes by reading every
  match of every phrase (a phrase of two common words: 200 ms at 100,000 versions, seconds at a
  million). The trade-off: no weighting by how often or how rare a word is within a tier.
--since/--until become a docid range inside the index lookup; the exact day filter runs after it.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from archive import searchindex
from archive.analysis import EDITION_NAMES, language, term
from archive.errors import QueryError
from archive.filters import Filters
from archive.query import parse
from archive.schema import as_database
from archive.text import key

SNIPPET_CHARS = 200
# Rank tiers, best first: where the words are found says how much the article is about them.
TIERS = ("title", "lead", None)
SORTS = ("date", "rank")
OLD_ARCHIVE = ("this archive was written by an older newsarchive and has no search index yet: a writing "
               "command (newsarchive crawl ..., or newsarchive migrate) upgrades it in place")

Highlights = list[tuple[int, int]]


def search(db: Any, query: str, limit: int = 20, edition: str | None = None, *, title_only: bool = False,
           since: str | None = None, until: str | None = None, no_duplicates: bool = False,
           sort: str = "date") -> list[dict[str, Any]]:
    """Matches in `sort` order: key, url, url_display, edition, edition_name, status, published_at, title,
    title_highlights, snippet, highlights ([start, end) offsets into snippet), matched_in (rank only:
    title, lead or body, the tier that ranked it).

    `since`/`until` are inclusive YYYY-MM-DD days (see archive.filters.Filters); `no_duplicates` hides
    articles marked as copies of an earlier one."""
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    parsed = parse(query, title_only, edition)  # QueryError for an empty or malformed query
    filters = Filters(since=since, until=until, edition=edition, no_duplicates=no_duplicates)
    if limit < 1:
        raise QueryError("limit must be at least 1")
    database = as_database(db)
    low, high = searchindex.day_range(filters.since, filters.until)
    where, where_params = filters.where("a")
    sql = ("SELECT a.rowid AS rid, search_fts.rowid AS docid FROM search_fts "
           "JOIN articles a ON a.search_id = search_fts.rowid "
           f"WHERE search_fts MATCH ? AND search_fts.rowid BETWEEN ? AND ? AND {where} "
           "ORDER BY search_fts.rowid DESC LIMIT ?")
    found: dict[int, tuple[int, int, str | None]] = {}
    for tier in (TIERS if sort == "rank" and not title_only else (None,)):
        if len(found) >= limit:
            break
        try:
            rows = database.execute(sql, [parsed.match(tier), low, high, *where_params, int(limit)]).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table: search_fts" in str(exc) or "no such column: a.search_id" in str(exc):
                raise QueryError(OLD_ARCHIVE) from None
            raise QueryError(f"cannot search for {query!r}: {exc}") from None
        for rid, docid in rows:
            found.setdefault(docid, (rid, docid, (tier or "body") if sort == "rank" else None))
    return _results(database, list(found.values())[:limit], parsed.terms())


def check_edition(db: Any, edition: str) -> None:
    """QueryError naming the archive's editions when it has no article of `edition`."""
    database = as_database(db)
    if database.execute("SELECT 1 FROM articles WHERE edition = ? LIMIT 1", [edition]).fetchone():
        return
    have = [e for (e,) in database.execute("SELECT DISTINCT edition FROM articles ORDER BY edition")]
    raise QueryError(f"no edition {edition!r} in this archive (it has: {', '.join(have) or 'no articles yet'})")


def _results(db: Any, found: Sequence[tuple[int, int, str | None]],
             terms: Sequence[tuple[str, bool]]) -> list[dict[str, Any]]:
    """The articles of `found` (rowid, docid, rank tier), in that order, with their snippets."""
    if not found:
        return []
    marks = ",".join("?" * len(found))
    cursor = db.execute(
        "SELECT a.rowid AS rid, a.key, a.url, a.edition, a.status, a.published_at, a.duplicate_of, v.title, "
        "v.lead, v.body FROM articles a JOIN versions v ON v.article_key = a.key AND v.version = a.current_version "
        f"WHERE a.rowid IN ({marks})", [rid for rid, _, _ in found])
    names = [c[0] for c in cursor.description]
    by_rowid = {row[0]: dict(zip(names, row)) for row in cursor}
    # The analysed text says which fields hold a match, so a body without one is never scanned word by word.
    analysed = {docid: (lead, body) for docid, lead, body in db.execute(
        f"SELECT rowid, lead, body FROM search_fts WHERE rowid IN ({marks})", [d for _, d, _ in found])}
    exact = {t for t, prefix in terms if not prefix}
    prefixes = tuple(t for t, prefix in terms if prefix)
    results = []
    for rid, docid, tier in found:
        row = by_rowid.get(rid)
        if row is None:
            continue
        row.pop("rid")
        lang = language(row["edition"])
        body, lead = row.pop("body") or "", row.pop("lead") or ""
        lead_terms, body_terms = analysed.get(docid, (None, None))
        text, spans = "", []
        for shown, indexed in ((body, body_terms), (lead, lead_terms)):
            at = None if indexed is None else _first_match(indexed, exact, prefixes)
            if indexed is None or at is not None:
                text, spans = snippet(shown, terms, lang, hint=at)
                if spans:
                    break
        if not spans:
            text = window(" ".join((lead or body).split()), 0)[0]
        row["snippet"], row["highlights"] = text, spans
        row["title_highlights"] = matches(row["title"] or "", terms, lang)
        row["url_display"] = readable_url(row["url"])
        row["edition_name"] = EDITION_NAMES.get(row["edition"], row["edition"])
        if tier is not None:
            row["matched_in"] = tier
        results.append(row)
    return results


def readable_url(url: str | None) -> str:
    """A URL as a reader reads it: percent-encoded UTF-8 (Arabic slugs) decoded; invalid bytes stay encoded."""
    if not url or "%" not in url:
        return url or ""
    try:
        return unquote(url, errors="strict")
    except UnicodeDecodeError:
        return url


def _first_match(analysed: str, exact: set[str], prefixes: tuple[str, ...]) -> float | None:
    """Where in the analysed text (0..1) its first matching term is; None when no term matches."""
    tokens = analysed.split()
    for i, t in enumerate(tokens):
        if t in exact or (prefixes and t.startswith(prefixes)):
            return i / len(tokens)
    return None


@lru_cache(maxsize=65536)
def _word_terms(word: str, lang: str) -> tuple[str, ...]:
    return tuple(term(tok, lang) for tok in key(word).split())


def _hit(word: str, exact: set[str], prefixes: tuple[str, ...], lang: str) -> bool:
    return any(t in exact or (prefixes and t.startswith(prefixes)) for t in _word_terms(word, lang))


def matches(text: str, terms: Sequence[tuple[str, bool]], lang: str, start: int = 0,
            end: int | None = None, first: bool = False) -> Highlights:
    """[start, end) spans of the words of `text` whose index terms the query matches."""
    exact = {t for t, prefix in terms if not prefix}
    prefixes = tuple(t for t, prefix in terms if prefix)
    spans = []
    for found in re.finditer(r"\S+", text[:end] if end is not None else text):
        if found.start() < start:
            continue
        if _hit(found.group(), exact, prefixes, lang):
            spans.append(_letters(found))
            if first:
                break
    return spans


def _near(flat: str, hint: float, exact: set[str], prefixes: tuple[str, ...], lang: str) -> int | None:
    """The offset of a matching word near `hint` (a fraction of the text's words), searched outwards.

    The analysed text has one term per key token, and key tokens follow the display words closely, so
    the match is within a few words of the hint: no need to analyse every word before it."""
    words = [m.span() for m in re.finditer(r"\S+", flat)]
    if not words:
        return None
    guess = min(len(words) - 1, round(hint * len(words)))
    for step in range(len(words)):
        for j in (guess - step, guess + step) if step else (guess,):
            if 0 <= j < len(words) and _hit(flat[words[j][0]:words[j][1]], exact, prefixes, lang):
                return words[j][0]
        if guess - step < 0 and guess + step >= len(words):
            break
    return None


def _letters(found: re.Match[str]) -> tuple[int, int]:
    """A word's span without the punctuation around it («أربيل»، -> أربيل)."""
    start, end = found.span()
    text = found.string
    while start < end - 1 and unicodedata.category(text[start])[0] in "PS":
        start += 1
    while end > start + 1 and unicodedata.category(text[end - 1])[0] in "PS":
        end -= 1
    return start, end


def snippet(text: str, terms: Sequence[tuple[str, bool]], lang: str, width: int = SNIPPET_CHARS,
            hint: float | None = None) -> tuple[str, Highlights]:
    """About `width` characters of display text around the first matching word (or the one nearest
    `hint`, a fraction of the words), and the spans of every matching word in it (offsets into the
    returned string); ("", []) when no word matches."""
    flat = " ".join(text.split())
    if hint is None:
        first = [span[0] for span in matches(flat, terms, lang, first=True)]
    else:
        exact = {t for t, prefix in terms if not prefix}
        prefixes = tuple(t for t, prefix in terms if prefix)
        found = _near(flat, hint, exact, prefixes, lang)
        first = [] if found is None else [found]
    if not first:
        return "", []
    piece, offset = window(flat, first[0], width)
    lead = 1 if piece.startswith("…") else 0
    body = piece[lead:].rstrip("…")
    spans = [(s + lead, e + lead) for s, e in matches(body, terms, lang)]
    return piece, spans


def window(text: str, at: int, width: int = SNIPPET_CHARS) -> tuple[str, int]:
    """About `width` characters of `text` (one line) around offset `at`, cut at spaces, with … at the
    cuts; and the offset in `text` where the piece starts."""
    if not text:
        return "", 0
    start = max(0, min(at - width // 3, len(text) - width))
    end = min(len(text), start + width)
    if start > 0:
        space = text.find(" ", start, at) if at > start else -1
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", max(at, start), end)
        end = space if space > at else end
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else ""), start


def marked(text: str, spans: Highlights, before: str, after: str) -> str:
    """`text` with `before`/`after` around each span."""
    out, last = [], 0
    for s, e in spans:
        out += [text[last:s], before, text[s:e], after]
        last = e
    out.append(text[last:])
    return "".join(out)
