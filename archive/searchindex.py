"""The search index (search_fts): one row per article, its current version analysed, under a time-ordered docid.

The docid is `minute << 12 | n`, the minute being the article's publication time as the site wrote it
(first seen, when no date was published) and n its place among that minute's articles (a full minute
spills into the next): FTS5 walks a term's matches in docid order, so newest-first is
`ORDER BY rowid DESC LIMIT n` (it stops after n rows) and a date range is a docid range
(archive/search.py). articles.search_id holds each article's docid. Small docid gaps keep the index
small: FTS5 stores each posting as a varint delta from the previous docid.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from archive.analysis import analyse, language

SHIFT = 12
_EPOCH = datetime(1970, 1, 1)
# FTS5 'unicode61' splits on the spaces analyse() leaves; remove_diacritics only knows Latin marks, and
# the analysed text has none left anyway.
TOKENIZE = "unicode61 remove_diacritics 0"
COLUMNS = ("title", "lead", "body")


# The usual shape, read without strptime (a tenth of its time); anything else takes the strptime path below.
_MINUTE = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)", re.ASCII)


def minute(when: str | None) -> int:
    """Minutes since 1970 of an ISO 8601 time's wall clock (its offset ignored, like the date filters)."""
    if when:
        text = when.strip()
        usual = _MINUTE.fullmatch(text[:16].replace(" ", "T"))
        if usual:
            try:
                moment = datetime(*map(int, usual.groups()))
            except ValueError:
                pass  # not a real date: strptime decides, as before
            else:
                return max(0, int((moment - _EPOCH).total_seconds() // 60))
        for cut, fmt in ((16, "%Y-%m-%dT%H:%M"), (10, "%Y-%m-%d")):
            try:
                moment = datetime.strptime(text[:cut].replace(" ", "T"), fmt)
            except ValueError:
                continue
            return max(0, int((moment - _EPOCH).total_seconds() // 60))
    return 0


def minute_iso(minute_count: int) -> str:
    """The wall-clock YYYY-MM-DDTHH:MM of a minute() value."""
    return (_EPOCH + timedelta(minutes=minute_count)).strftime("%Y-%m-%dT%H:%M")


class DocIds:
    """Docid allocation for a bulk build (migration, benchmark): the first free docid of each minute."""

    def __init__(self) -> None:
        self.taken: set[int] = set()

    def __call__(self, when: str | None) -> int:
        new = minute(when) << SHIFT
        while new in self.taken:
            new += 1
        self.taken.add(new)
        return new


def allocate(db: Any, when: str | None) -> int:
    """The first docid of `when`'s minute no article holds."""
    base = minute(when) << SHIFT
    top = db.execute("SELECT max(search_id) FROM articles WHERE search_id >= ? AND search_id < ?",
                     [base, base + (1 << SHIFT)]).fetchone()[0]
    new = base if top is None else top + 1
    while db.execute("SELECT 1 FROM articles WHERE search_id = ?", [new]).fetchone():
        new += 1
    return new


def day_range(since: str | None, until: str | None) -> tuple[int, int]:
    """The docids of articles dated since..until (inclusive days), with a day's margin on each side so an
    article whose date was refined after indexing is still found; the exact filter runs after."""
    low = minute(since) - 24 * 60 if since else 0
    high = (minute(until) + 2 * 24 * 60) if until else (1 << 30)
    return max(0, low) << SHIFT, (high << SHIFT) - 1


def create(db: Any) -> None:
    db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5({', '.join(COLUMNS)}, "
               f"tokenize = '{TOKENIZE}')")


def analysed(lang: str, title_key: str | None, lead_key: str | None, body_key: str | None) -> tuple[str, str, str, str]:
    """(lang, title, lead, body) as the index stores them: what archive/prepare.py computes ahead."""
    return lang, analyse(title_key, lang), analyse(lead_key, lang), analyse(body_key, lang)


def index_article(db: Any, rowid: int, title_key: str | None, lead_key: str | None, body_key: str | None,
                  ahead: tuple[str, str, str, str] | None = None) -> int:
    """(Re)index article `rowid` with these key layers; its new docid. `ahead`: analysed() of the same
    layers, computed earlier for a language that is used only if it is the article's."""
    row = db.execute("SELECT edition, coalesce(published_at, first_seen_at), search_id FROM articles "
                     "WHERE rowid = ?", [rowid]).fetchone()
    edition, when, old = row
    lang = language(edition)
    if ahead is None or ahead[0] != lang:
        ahead = analysed(lang, title_key, lead_key, body_key)
    if old is not None:
        db.execute("DELETE FROM search_fts WHERE rowid = ?", [old])
    # An edit keeps its docid unless the publication minute changed (an approximate date made exact).
    new = old if old is not None and old >> SHIFT == minute(when) else allocate(db, when)
    db.execute("INSERT INTO search_fts (rowid, title, lead, body) VALUES (?, ?, ?, ?)", [new, *ahead[1:]])
    if old != new:
        db.execute("UPDATE articles SET search_id = ? WHERE rowid = ?", [new, rowid])
    return new


def rebuild(db: Any) -> int:
    """Refill search_fts from every article's current version (migration, repair, a new analyser)."""
    db.execute("DELETE FROM search_fts")
    db.execute("UPDATE articles SET search_id = NULL")
    count, last = 0, 0
    docid = DocIds()
    while True:
        page = db.execute(
            "SELECT a.rowid, a.edition, coalesce(a.published_at, a.first_seen_at), v.title_key, v.lead_key, "
            "v.body_key FROM articles a JOIN versions v ON v.article_key = a.key AND v.version = a.current_version "
            "WHERE a.rowid > ? ORDER BY a.rowid LIMIT 2000", [last]).fetchall()
        if not page:
            break
        fts, ids = [], []
        for rowid, edition, when, title, lead, body in page:
            lang, new = language(edition), docid(when)
            fts.append((new, analyse(title, lang), analyse(lead, lang), analyse(body, lang)))
            ids.append((new, rowid))
        raw = getattr(db, "conn", db)  # a sqlite_utils Database or a plain connection
        raw.executemany("INSERT INTO search_fts (rowid, title, lead, body) VALUES (?, ?, ?, ?)", fts)
        raw.executemany("UPDATE articles SET search_id = ? WHERE rowid = ?", ids)
        count += len(page)
        last = page[-1][0]
    db.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
    return count
