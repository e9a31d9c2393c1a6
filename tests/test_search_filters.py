"""Search for analysts: title-only field filter, date range, edition, duplicates hidden, ar_query() in plain SQLite."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

import archive.sqlfunc
from archive.errors import QueryError
from archive.query import build_match, word_terms
from archive.search import search
from archive.store import Archive
from tests.conftest import run_cli


def item(key: str, title: str, body: str, published: str | None, fetched: str = "2024-03-01T08:00:00+00:00",
         **extra: Any) -> dict[str, Any]:
    return {"key": key, "url": f"https://www.kurdistan24.net/x/{key.rsplit(':', 1)[1]}", "title": title,
            "body": [body], "published_at": published, "fetched_at": fetched, **extra}


@pytest.fixture
def store(tmp_path):
    with Archive(tmp_path / "a.db") as a:
        crawl = a.start_crawl("kurdistan24", ["ar", "ckb"], None)
        a.record_article(crawl, item("kurdistan24:ar:1", "أربيل تستضيف مؤتمراً للاستثمار",
                                     "افتتح في المدينة مؤتمر دولي للاستثمار بمشاركة عشرين دولة.",
                                     "2024-02-10T09:00:00+03:00"))
        a.record_article(crawl, item("kurdistan24:ar:2", "مؤتمر للاستثمار في بغداد",
                                     "قال وزير إن الوفد سيتوجه إلى أربيل بعد انتهاء أعمال المؤتمر.",
                                     "2024-02-20T23:30:00+03:00"))
        # No publication date: the day it was first seen counts.
        a.record_article(crawl, item("kurdistan24:ar:3", "بأربيل معرض للكتاب",
                                     "يفتتح معرض الكتاب أبوابه للزوار يوم الخميس المقبل في القاعة الكبرى.", None,
                                     fetched="2024-02-25T22:00:00+00:00"))
        a.record_article(crawl, item("kurdistan24:ckb:4", "کۆنفرانسێک لە هەولێر",
                                     "کۆنفرانسێکی نێودەوڵەتی بۆ وەبەرهێنان لە شاری هەولێر دەستی پێکرد.",
                                     "2024-02-10T10:00:00+03:00"))
        a.db.execute("UPDATE articles SET duplicate_of = 'kurdistan24:ar:1' WHERE key = 'kurdistan24:ar:2'")
        a.db.conn.commit()
        yield a


def keys(a: Archive, query: str, **kw: Any) -> list[str]:
    return sorted(r["key"] for r in search(a.db, query, **kw))


def test_title_field_filter(store):
    # Erbil in either language: the Sorani article writes هەولێر.
    assert keys(store, "أربيل") == ["kurdistan24:ar:1", "kurdistan24:ar:2", "kurdistan24:ar:3", "kurdistan24:ckb:4"]
    assert keys(store, "أربيل", edition="ar") == ["kurdistan24:ar:1", "kurdistan24:ar:2", "kurdistan24:ar:3"]
    assert keys(store, "title:أربيل", edition="ar") == ["kurdistan24:ar:1", "kurdistan24:ar:3"]
    assert keys(store, "أربيل", title_only=True) == ["kurdistan24:ar:1", "kurdistan24:ar:3", "kurdistan24:ckb:4"]
    assert keys(store, "عنوان:أربيل", edition="ar") == ["kurdistan24:ar:1", "kurdistan24:ar:3"]
    assert keys(store, 'title:"مؤتمر للاستثمار"') == ["kurdistan24:ar:2"]
    assert keys(store, "مؤتمر -title:بغداد") == ["kurdistan24:ar:1"]
    assert keys(store, "title:بغداد OR title:معرض") == ["kurdistan24:ar:2", "kurdistan24:ar:3"]
    assert keys(store, "TITLE:هەولێر", edition="ckb") == ["kurdistan24:ckb:4"]
    assert build_match("title:اربيل", edition="ar").startswith('(title : ("اربيل" OR "واربيل"')


def test_date_range_edition_and_duplicates(store):
    everything = ["kurdistan24:ar:1", "kurdistan24:ar:2", "kurdistan24:ar:3"]
    assert keys(store, "أربيل", edition="ar", since="2024-02-10", until="2024-02-25") == everything
    # The site's own date counts: 23:30 on the 20th in Erbil is the 20th, not the 20th UTC + 1.
    assert keys(store, "أربيل", since="2024-02-20", until="2024-02-20") == ["kurdistan24:ar:2"]
    assert keys(store, "أربيل", since="2024-02-11") == ["kurdistan24:ar:2", "kurdistan24:ar:3"]
    assert keys(store, "أربيل", until="2024-02-19") == ["kurdistan24:ar:1", "kurdistan24:ckb:4"]
    assert keys(store, "أربيل", since="2024-02-25") == ["kurdistan24:ar:3"]  # first seen that day
    assert keys(store, "أربيل", edition="ar", no_duplicates=True) == ["kurdistan24:ar:1", "kurdistan24:ar:3"]
    assert keys(store, "هەولێر", edition="ckb", since="2024-02-10") == ["kurdistan24:ckb:4"]
    assert keys(store, "هەولێر", edition="ar") == everything  # the Sorani name finds the Arabic articles


@pytest.mark.parametrize("kwargs, message", [
    ({"since": "10/02/2024"}, "--since expects a date as YYYY-MM-DD"),
    ({"until": "2024-02-30"}, "--until expects a date"),
    ({"since": "2024-03-01", "until": "2024-02-01"}, "is after --until"),
])
def test_bad_filters_are_query_errors(store, kwargs, message):
    with pytest.raises(QueryError, match=message):
        search(store.db, "أربيل", **kwargs)


@pytest.mark.parametrize("query, message", [
    ("title: أربيل", "title: needs a word"), ("title:", "title: needs a word"), ('title:"أربيل', "unbalanced"),
])
def test_malformed_field_queries(store, query, message):
    with pytest.raises(QueryError, match=message):
        search(store.db, query)


def test_single_letter_clitic_or_root_letter():
    # ك, و, ب may be clitics (كالحكومة, وأربيل) or the word's own letter (كهرباء, وزارة, بغداد): the index
    # keeps them, the query adds them as exact terms; a long typed word is also read without one.
    assert word_terms("كهرباء", ("ar",))[:3] == ["كهرباء", "هرباء", "وكهرباء"]
    assert "هرباء" in word_terms("كهرباء", ("ar",))  # the clitic reading of a long word: harmless
    assert word_terms("وزاره", ("ar",))[0] == "وزار" and "زار" not in word_terms("وزاره", ("ar",))
    assert {"اربيل", "واربيل", "باربيل"} <= set(word_terms("باربيل", ("ar",)))
    assert word_terms("ههولێر", ("ckb",)) == ["اربيل"]  # a key token: ە is already ه
    terms = word_terms("كهرباء", ("ar", "ckb", "plain"))
    assert len(terms) == len(set(terms))


def test_ar_query_in_plain_sqlite(store):
    conn = sqlite3.connect(store.path)
    archive.sqlfunc.register(conn)  # the documented one-line setup
    sql = "SELECT a.key FROM search_fts JOIN articles a ON a.search_id = search_fts.rowid WHERE search_fts MATCH ?"
    rows = conn.execute(sql.replace("?", "ar_query('بأربيل')") + " ORDER BY a.key").fetchall()
    assert [k for (k,) in rows] == ["kurdistan24:ar:1", "kurdistan24:ar:2", "kurdistan24:ar:3", "kurdistan24:ckb:4"]
    rows = conn.execute(sql.replace("?", "ar_query(?, 1)") + " ORDER BY a.key", ["أربيل"]).fetchall()
    assert [k for (k,) in rows] == ["kurdistan24:ar:1", "kurdistan24:ar:3", "kurdistan24:ckb:4"]
    assert conn.execute("SELECT ar_key('الحُكُومَةِ ٢٠٢٤')").fetchone() == ("الحكومه 2024",)
    assert conn.execute("SELECT ar_query('أربيل')").fetchone()[0] == build_match("أربيل")
    # A malformed query is an SQLite error whose message says what is wrong, not "user-defined function raised".
    with pytest.raises(sqlite3.OperationalError, match=r'ar_query: unbalanced quote in .*close the phrase'):
        conn.execute(sql.replace("?", "ar_query(?)"), ['"أربيل']).fetchall()
    with pytest.raises(sqlite3.OperationalError, match="ar_query: empty query"):
        conn.execute(sql.replace("?", "ar_query(NULL)")).fetchall()
    conn.close()


def test_search_cli_filters_and_errors(store):
    db = str(store.path)
    proc = run_cli("search", "--db", db, "--json", "--title-only", "--since", "2024-02-01", "--no-duplicates", "أربيل")
    assert proc.returncode == 0, proc.stderr
    assert sorted(r["key"] for r in json.loads(proc.stdout)) == ["kurdistan24:ar:1", "kurdistan24:ar:3",
                                                                 "kurdistan24:ckb:4"]
    for args, message in [(['"أربيل'], "unbalanced quote"), (["--since", "yesterday", "أربيل"], "--since expects"),
                          (["title:"], "title: needs a word")]:
        proc = run_cli("search", "--db", db, *args)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith("newsarchive: ") and message in proc.stderr
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
