"""The archive on a real SQLite file: versions, observations, transactions, search, diff, history, export."""

from __future__ import annotations

import copy
import csv
import io
import json
import sqlite3
import zlib
from urllib.parse import quote
from typing import Any

import pytest

from archive import diff, export, history, stats
from archive.errors import ArchiveError, QueryError
from archive.query import build_match
from archive.search import search
from archive.store import Archive

KEY = "kurdistan24:ar:100001"
URL = "https://www.kurdistan24.net/ar/story/100001/وفد-الحكومة"
RAW = ("<html><head><meta charset='utf-8'></head><body><h1>وفد من الحكومة</h1>" * 40 + "</body></html>").encode()


def make_item(key: str = KEY, **changes: Any) -> dict[str, Any]:
    site, edition, article_id = key.split(":")
    item: dict[str, Any] = {
        "kind": "article", "key": key, "site": site, "edition": edition, "article_id": article_id,
        "url": URL if key == KEY else f"https://www.kurdistan24.net/{edition}/story/{article_id}/x",
        "fetched_url": URL, "canonical_url": None,
        "title": "وفد من الحكومة الاتحادية يصل إلى أربيل",
        "lead": "وصل وفد حكومي رفيع إلى العاصمة.",
        "body": ["أربيل (كوردستان 24)- وصل وفد من الحكومة الاتحادية إلى أربيل اليوم لبحث ملف الرواتب.",
                 "وقال المتحدث إن الاجتماع كان إيجابياً، وإن الطرفين اتفقا على لقاء ثان.",
                 "ومن المقرر أن يعود الوفد غداً."],
        "author": "كوردستان 24", "section": "العراق", "tags": ["أربيل", "بغداد"],
        "images": [{"url": "https://cdn1.kurdistan24.net/images/2024/01/photo1.jpg?w=800", "caption": "صورة أرشيفية"}],
        "published_at": "2024-01-15T10:00:00+03:00", "published_approx": False, "modified_at": None,
        "dateline_place": "أربيل", "dateline_agency": "كوردستان 24",
        "fetched_at": "2024-01-15T08:00:00+00:00", "http_status": 200,
        "raw_html": RAW, "encoding": "utf-8", "replacement_chars": 0,
        "sources": {"title": "jsonld", "body": "selector"}, "dropped": [], "extractor_version": "1",
        "etag": '"v1"', "last_modified": None,
    }
    item.update(changes)
    return item


def observation(outcome: str, key: str | None = KEY, **changes: Any) -> dict[str, Any]:
    item = {"kind": "observation", "key": key, "url": URL, "fetched_url": URL, "outcome": outcome,
            "reason": "HTTP 404" if outcome == "gone" else "challenge page", "http_status": 404,
            "fetched_at": "2024-01-16T08:00:00+00:00"}
    item.update(changes)
    return item


def count(archive: Archive, table: str, where: str = "1", *params: Any) -> int:
    return archive.db.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "sub" / "archive.db") as a:
        yield a


@pytest.fixture
def crawl(archive):
    return archive.start_crawl("kurdistan24", ["ar", "ckb"], None)


# --- schema ----------------------------------------------------------------------------------------
def test_schema_pragmas_and_idempotent_migration(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as a:
        assert a.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert a.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert a.db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert a.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert a.db.execute("PRAGMA user_version").fetchone()[0] == 4
        tables = set(a.db.table_names())
    assert {"articles", "versions", "crawls", "fetches", "search_fts"} <= tables and "articles_fts" not in tables
    with Archive(path) as again:  # reopening migrates nothing and loses nothing
        assert set(again.db.table_names()) == tables


def test_unusable_paths_raise_archive_error(tmp_path):
    not_db = tmp_path / "notes.db"
    not_db.write_bytes(b"this is not a database at all, just text" * 100)
    with pytest.raises(ArchiveError, match="notes.db"):
        Archive(not_db)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ArchiveError, match="archive.db"):
        Archive(blocker / "archive.db")


# --- versions --------------------------------------------------------------------------------------
def test_same_content_twice_is_unchanged(archive, crawl):
    assert archive.record_article(crawl, make_item()) == "new"
    assert archive.record_article(crawl, make_item(fetched_at="2024-01-16T08:00:00+00:00", etag='"v2"')) == "unchanged"
    assert count(archive, "versions") == 1
    row = archive.db.execute("SELECT version_count, current_version, last_seen_at, etag, first_seen_at "
                             "FROM articles").fetchone()
    assert row == (1, 1, "2024-01-16T08:00:00+00:00", '"v2"', "2024-01-15T08:00:00+00:00")
    crawl_row = archive.finish_crawl(crawl)
    assert (crawl_row["new_articles"], crawl_row["unchanged"], crawl_row["outcome"]) == (1, 1, "completed")
    assert crawl_row["duration_s"] >= 0 and crawl_row["finished_at"]
    assert [r[0] for r in archive.db.execute("SELECT outcome FROM fetches ORDER BY id")] == ["new", "unchanged"]


def test_display_only_noise_is_unchanged(archive, crawl):
    archive.record_article(crawl, make_item())
    noisy = make_item(
        title="وفدٌ مِن الحُكومة  الاتحاديـــة يصل إلى   أربيل",  # harakat, tatweel, double spaces
        body=["أربيل (كوردستان 24)- وصل وفد من الحكومة الاتحادية إلى أربيل اليوم لبحث ملف الرواتب. ",
              "", "وقال المتحدث إن الاجتماع كان إيجابياً، وإن الطرفين اتفقا على لقاء ثان.",
              "ومن المقرر أن يعود الوفد غداً."],
        # another CDN host and query string: same photo; new dates: not content
        images=[{"url": "https://cdn2.kurdistan24.net/images/2024/01/photo1.jpg?w=1200", "caption": "صورة أرشيفية"}],
        modified_at="2024-01-15T12:00:00+03:00", published_at="2024-01-15T10:05:00+03:00",
        fetched_at="2024-01-15T09:00:00+00:00")
    assert archive.record_article(crawl, noisy) == "unchanged"
    assert count(archive, "versions") == 1


def test_edited_paragraph_makes_version_2(archive, crawl):
    archive.record_article(crawl, make_item())
    edited = make_item(fetched_at="2024-01-15T10:00:00+00:00")
    edited["body"][1] = "وقال المتحدث إن الاجتماع كان سلبياً، وإن الطرفين اختلفا على كل شيء."
    assert archive.record_article(crawl, edited) == "version"
    assert count(archive, "versions") == 2
    change = json.loads(archive.db.execute("SELECT change FROM versions WHERE version = 2").fetchone()[0])
    assert change == {"title": False, "lead": False, "body": {"added": 0, "removed": 0, "changed": 1}, "meta": [],
                      "kinds": ["body"]}
    assert archive.db.execute("SELECT change FROM versions WHERE version = 1").fetchone()[0] is None
    assert archive.db.execute("SELECT current_version, version_count FROM articles").fetchone() == (2, 2)
    # recording the same edited content again is harmless
    assert archive.record_article(crawl, edited) == "unchanged"
    assert count(archive, "versions") == 2


def test_title_edit_and_swapped_photo(archive, crawl):
    archive.record_article(crawl, make_item())
    assert archive.record_article(crawl, make_item(title="وفد من الحكومة الاتحادية يصل إلى السليمانية")) == "version"
    photo = [{"url": "https://cdn1.kurdistan24.net/images/2024/01/photo2.jpg", "caption": "صورة أرشيفية"}]
    assert archive.record_article(crawl, make_item(title="وفد من الحكومة الاتحادية يصل إلى السليمانية",
                                                   images=photo, tags=["أربيل"])) == "version"
    rows = archive.db.execute("SELECT change FROM versions WHERE version > 1 ORDER BY version")
    changes = [json.loads(c) for (c,) in rows]
    assert changes == [
        {"title": True, "lead": False, "body": {"added": 0, "removed": 0, "changed": 0}, "meta": [], "kinds": ["title"]},
        {"title": False, "lead": False, "body": {"added": 0, "removed": 0, "changed": 0}, "meta": ["tags", "images"],
         "kinds": ["metadata"]},
    ]


def test_added_paragraph_counts(archive, crawl):
    archive.record_article(crawl, make_item())
    longer = make_item()
    longer["body"] = longer["body"][:2] + ["وأكد المتحدث أن الحكومة ستواصل الحوار مع الإقليم."] + longer["body"][2:]
    assert archive.record_article(crawl, longer) == "version"
    change = json.loads(archive.db.execute("SELECT change FROM versions WHERE version = 2").fetchone()[0])
    assert change["body"] == {"added": 1, "removed": 0, "changed": 0}


def test_gone_then_returned_keeps_versions(archive, crawl):
    archive.record_article(crawl, make_item())
    assert archive.record_observation(crawl, observation("gone")) == "gone"
    row = archive.db.execute("SELECT status, gone_at FROM articles").fetchone()
    assert row == ("gone", "2024-01-16T08:00:00+00:00")
    assert count(archive, "versions") == 1
    assert list(archive.known_articles("kurdistan24")) == []
    assert list(archive.known_articles("kurdistan24", status="gone")) == [(KEY, URL)]
    back = make_item(fetched_at="2024-01-17T08:00:00+00:00")
    assert archive.record_article(crawl, back) == "unchanged"
    assert archive.db.execute("SELECT status, gone_at FROM articles").fetchone() == ("live", None)
    assert archive.db.execute("SELECT outcome, reason FROM fetches ORDER BY id DESC LIMIT 1").fetchone() == (
        "unchanged", "returned after gone")
    assert archive.finish_crawl(crawl)["gone"] == 1


def test_404_on_unknown_key_is_failed(archive, crawl):
    assert archive.record_observation(crawl, observation("gone", key="kurdistan24:ar:999")) == "failed"
    assert archive.record_observation(crawl, observation("gone", key=None)) == "failed"
    reasons = [r for (r,) in archive.db.execute("SELECT reason FROM fetches ORDER BY id")]
    assert all(r.startswith("HTTP 404") for r in reasons)
    assert count(archive, "articles") == 0
    assert archive.finish_crawl(crawl)["failed"] == 2


def test_blocked_never_creates_a_version(archive, crawl):
    archive.record_article(crawl, make_item())
    assert archive.record_observation(crawl, observation("blocked", http_status=403)) == "blocked"
    assert archive.record_observation(crawl, observation("blocked", key="kurdistan24:ar:5")) == "blocked"
    assert count(archive, "versions") == 1 and count(archive, "articles") == 1
    assert archive.db.execute("SELECT status, last_checked_at FROM articles").fetchone() == (
        "live", "2024-01-16T08:00:00+00:00")
    with pytest.raises(ArchiveError, match="outcome"):
        archive.record_observation(crawl, observation("exploded"))
    assert archive.finish_crawl(crawl)["blocked"] == 2


def test_duplicate_of_points_at_the_earliest(archive, crawl):
    for n in ("10", "11", "12"):
        archive.record_article(crawl, make_item(key=f"kurdistan24:ar:{n}"))
    rows = archive.db.execute("SELECT key, duplicate_of FROM articles ORDER BY key").fetchall()
    assert rows == [("kurdistan24:ar:10", None), ("kurdistan24:ar:11", "kurdistan24:ar:10"),
                    ("kurdistan24:ar:12", "kurdistan24:ar:10")]


def test_one_transaction_per_article(archive, crawl, monkeypatch):
    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Archive, "_index_fts", boom)  # runs after the article and version inserts
    with pytest.raises(RuntimeError):
        archive.record_article(crawl, make_item())
    assert not archive.db.conn.in_transaction
    assert [count(archive, t) for t in ("articles", "versions", "fetches", "search_fts")] == [0, 0, 0, 0]
    assert archive.db.execute("SELECT new_articles FROM crawls").fetchone()[0] == 0
    monkeypatch.undo()
    assert archive.record_article(crawl, make_item()) == "new"
    monkeypatch.setattr(Archive, "_index_fts", boom)
    with pytest.raises(RuntimeError):
        archive.record_article(crawl, make_item(title="عنوان جديد تماما"))
    assert count(archive, "versions") == 1 and count(archive, "fetches") == 1
    assert archive.db.execute("SELECT current_version, version_count FROM articles").fetchone() == (1, 1)


def test_unknown_crawl_is_an_error(archive):
    with pytest.raises(ArchiveError, match="crawl"):
        archive.record_article(12345, make_item())


def test_raw_html_is_compressed(archive, crawl):
    archive.record_article(crawl, make_item())
    blob, size, encoding = archive.db.execute("SELECT raw_html, raw_size, raw_encoding FROM versions").fetchone()
    assert len(blob) < len(RAW) and size == len(RAW) and encoding == "utf-8"
    assert zlib.decompress(blob) == RAW
    assert history.raw_html(archive.db, KEY, 1) == RAW


def test_known_articles_streams_and_filters(archive, crawl):
    archive.record_article(crawl, make_item())
    archive.record_article(crawl, make_item(key="kurdistan24:ckb:7", title="هەواڵ", body=["دەقی هەواڵ"]))
    result = archive.known_articles("kurdistan24", ["ckb"])
    assert iter(result) is result  # a generator, not a list
    assert [k for k, _ in result] == ["kurdistan24:ckb:7"]
    assert [k for k, _ in archive.known_articles("kurdistan24")] == [KEY, "kurdistan24:ckb:7"]
    assert list(archive.known_articles("othersite")) == []


# --- history, export, stats ------------------------------------------------------------------------
def test_history_order_and_resolve(archive, crawl):
    archive.record_article(crawl, make_item())
    archive.record_article(crawl, make_item(fetched_at="2024-01-15T09:00:00+00:00"))
    archive.record_article(crawl, make_item(title="عنوان معدل", fetched_at="2024-01-15T10:00:00+00:00"))
    archive.record_observation(crawl, observation("gone", fetched_at="2024-01-15T11:00:00+00:00"))
    h = history.history(archive.db, KEY)
    assert [v["version"] for v in h["versions"]] == [1, 2]
    assert h["versions"][1]["change"]["title"] is True
    assert [(e["outcome"], e["version"]) for e in h["events"]] == [
        ("new", 1), ("unchanged", 1), ("version", 2), ("gone", 2)]
    assert h["article"]["status"] == "gone"
    assert history.get_version(archive.db, KEY, 1)["title"] == "وفد من الحكومة الاتحادية يصل إلى أربيل"
    assert history.get_version(archive.db, KEY, -1)["version"] == 2
    assert history.get_version(archive.db, KEY, 3) is None
    assert history.resolve(archive.db, KEY) == KEY
    assert history.resolve(archive.db, URL + "?utm_source=twitter#top") == KEY
    assert history.resolve(archive.db, quote(URL, safe=":/")) == KEY  # percent-encoded slug
    assert history.resolve(archive.db, "https://www.kurdistan24.net/ar/story/100001",
                           url_to_key=lambda u: "kurdistan24:ar:" + u.rstrip("/").split("/")[-1]) == KEY
    assert history.resolve(archive.db, "https://www.kurdistan24.net/ar/story/100001/another-slug?fbclid=1") == KEY
    assert history.resolve(archive.db, "https://www.kurdistan24.net/ar/story/100001") == KEY
    assert history.resolve(archive.db, "https://www.kurdistan24.net/ar/story/1000") is None
    assert history.resolve(archive.db, "100001") == KEY
    assert history.resolve(archive.db, "kurdistan24:ar:404") is None
    assert history.history(archive.db, "nope") is None
    text = history.format_history(h)
    assert "v2" in text and "gone" in text


def test_export_jsonl_and_csv(archive, crawl):
    archive.record_article(crawl, make_item())
    archive.record_article(crawl, make_item(title="عنوان معدل"))
    records = list(export.export_records(archive.db))
    assert len(records) == 1
    r = records[0]
    assert list(r) == list(export.FIELDS)
    assert (r["key"], r["edition"], r["version"], r["title"], r["status"]) == (KEY, "ar", 2, "عنوان معدل", "live")
    assert r["body"] == "\n\n".join(make_item()["body"])
    assert r["tags"] == ["أربيل", "بغداد"]
    assert r["images"] == [{"url": "https://cdn1.kurdistan24.net/images/2024/01/photo1.jpg?w=800",
                            "caption": "صورة أرشيفية"}]
    assert len(list(export.export_records(archive.db, all_versions=True))) == 2
    out = io.StringIO()
    assert export.write_jsonl(export.export_records(archive.db, all_versions=True), out) == 2
    lines = out.getvalue().splitlines()
    assert "عنوان معدل" in lines[1] and json.loads(lines[0])["version"] == 1
    out = io.StringIO()
    assert export.write_csv(export.export_records(archive.db), out) == 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert json.loads(rows[0]["tags"]) == ["أربيل", "بغداد"] and rows[0]["version"] == "2"
    assert rows[0]["body"] == r["body"]


def test_stats(archive, crawl):
    archive.record_article(crawl, make_item())
    archive.record_article(crawl, make_item(title="عنوان معدل"))
    archive.record_article(crawl, make_item(key="kurdistan24:ckb:7", title="هەواڵ", body=["دەقی هەواڵ"]))
    archive.record_observation(crawl, observation("gone", key="kurdistan24:ckb:7"))
    archive.finish_crawl(crawl, "interrupted")
    s = stats.stats(archive)
    assert s["articles"] == 2 and s["articles_by_status"] == {"gone": 1, "live": 1}
    assert s["articles_by_edition"] == {"ar": {"live": 1}, "ckb": {"gone": 1}}
    assert (s["versions"], s["articles_edited"]) == (3, 1)
    assert s["fetches"] == {"gone": 1, "new": 2, "version": 1}
    assert s["last_crawl"]["outcome"] == "interrupted" and s["size_bytes"] > 0
    assert "articles: 2" in stats.format_stats(s)


# --- search ----------------------------------------------------------------------------------------
@pytest.fixture
def corpus(archive, crawl):
    archive.record_article(crawl, make_item(key="kurdistan24:ar:1"))
    archive.record_article(crawl, make_item(
        key="kurdistan24:ar:2", title="برلمان كوردستان يعقد جلسة", lead="جلسة اعتيادية.",
        body=["عقد برلمان كوردستان جلسة بحضور ممثلين عن الوزارات والحكومة في اربيل.",
              "وناقش الأعضاء مشروع قانون الموازنة."], tags=[], images=[]))
    archive.record_article(crawl, make_item(
        key="kurdistan24:ckb:3", title="سەرۆکی هەرێمی کوردستان پێشوازی لە شاندێک کرد", lead=None,
        body=["هەولێر (کوردستان24)- سەرۆکی هەرێمی کوردستان ئەمڕۆ پێشوازی لە شاندێکی حکوومەتی عێراق کرد."],
        tags=[], images=[]))
    return archive


def keys(archive: Archive, query: str, **kw: Any) -> list[str]:
    return sorted(r["key"] for r in search(archive.db, query, **kw))


@pytest.mark.parametrize("query", ["الحكومة", "والحكومة", "الحُكُومَةِ", "اربيل", "أربيل", "بأربيل"])
def test_search_clitics_hamza_harakat(corpus, query):
    assert keys(corpus, query, edition="ar") == ["kurdistan24:ar:1", "kurdistan24:ar:2"]


def test_search_phrase_not_or_edition(corpus):
    assert keys(corpus, '"الحكومة الاتحادية"') == ["kurdistan24:ar:1"]
    assert keys(corpus, '"الاتحادية اليوم"') == []  # the words are in the text, but not side by side
    assert keys(corpus, "الحكومة -برلمان") == ["kurdistan24:ar:1"]
    assert keys(corpus, "الحكومة NOT برلمان") == ["kurdistan24:ar:1"]
    assert keys(corpus, "الموازنة OR الرواتب") == ["kurdistan24:ar:1", "kurdistan24:ar:2"]
    assert keys(corpus, "الحكومة الموازنة") == ["kurdistan24:ar:2"]
    assert keys(corpus, "كوردستان", edition="ckb") == ["kurdistan24:ckb:3"]
    assert keys(corpus, "هەولێر") == ["kurdistan24:ar:1", "kurdistan24:ar:2", "kurdistan24:ckb:3"]  # Erbil
    assert keys(corpus, "كردستان") == ["kurdistan24:ar:1", "kurdistan24:ar:2", "kurdistan24:ckb:3"]  # كوردستان


def test_search_result_fields(corpus):
    [hit] = search(corpus.db, "الموازنة", sort="rank")
    assert (hit["key"], hit["title"], hit["published_at"]) == (
        "kurdistan24:ar:2", "برلمان كوردستان يعقد جلسة", "2024-01-15T10:00:00+03:00")
    assert "الموازنة" in hit["snippet"] and len(hit["snippet"]) <= 210
    assert hit["url"].endswith("/ar/story/2/x") and hit["matched_in"] == "body"


def test_search_follows_the_current_version(corpus, crawl):
    corpus.record_article(crawl, make_item(key="kurdistan24:ar:2", title="برلمان كوردستان يعقد جلسة",
                                           body=["نص جديد بالكامل عن الانتخابات."], tags=[], images=[]))
    assert keys(corpus, "الموازنة") == []
    assert keys(corpus, "الانتخابات") == ["kurdistan24:ar:2"]


@pytest.mark.parametrize("query, message", [
    ('"unbalanced', "unbalanced quote"), ("", "empty"), ("   ", "empty"), ("OR", "OR"), ("AND OR", "AND"),
    ("الحكومة OR", "ends with OR"), ("NOT الحكومة", "only excluded"), ("-الحكومة", "only excluded"),
    ("، ؛ ...", "no searchable"), ("الحكومة OR -برلمان", "cannot OR"),
])
def test_malformed_queries(corpus, query, message):
    with pytest.raises(QueryError, match=message):
        search(corpus.db, query)


@pytest.mark.parametrize("query", ["اربيل*", "^اربيل", "a + b", "x\" OR \"y", "{title body}"])
def test_fts_syntax_in_user_input_is_inert(corpus, query):
    search(corpus.db, query)  # no sqlite error: every term reaches FTS5 as a quoted string


@pytest.mark.parametrize("query, message", [
    ("title_key:اربيل", "unknown field title_key:"), ("body:اربيل", "unknown field body:"),
    ("url:kurdistan24", "unknown field url:"), ("NEAR(a b)", "NEAR is not supported"),
])
def test_unsupported_syntax_is_an_error(corpus, query, message):
    with pytest.raises(QueryError, match=message):
        search(corpus.db, query)


def test_build_match_uses_analysed_terms():
    match = build_match("الحكومات", edition="ar")  # one term for every form: الحكومة, حكومي, والحكومات
    assert match.startswith('(("حكوم" OR "وحكوم" OR "فحكوم" OR "بحكوم"') and "*" not in match
    assert build_match("2024") == '(("2024"))'
    assert build_match("Erbil") == '(("erbil"))'
    assert build_match("انتخ*", edition="ar").startswith('(("انتخ"* OR "وانتخ"*')
    assert build_match("كتاب", edition="ar").count('"تاب"') == 0  # ك of كتاب is the word's own letter


# --- diff ------------------------------------------------------------------------------------------
def test_word_diff_one_word():
    ops = diff.word_diff("أعلن الوزير اليوم عن خطة", "أعلن الرئيس اليوم عن خطة")
    assert ops == [("equal", "أعلن "), ("delete", "الوزير "), ("insert", "الرئيس "), ("equal", "اليوم عن خطة")]
    assert diff.format_diff(ops, color=False) == "أعلن [-الوزير-] {+الرئيس+} اليوم عن خطة"
    assert diff.format_diff(ops, color=True) == (
        "أعلن \x1b[31mالوزير\x1b[0m \x1b[32mالرئيس\x1b[0m اليوم عن خطة")


def test_word_diff_arabic_comma():
    ops = diff.word_diff("قال الوزير إن الاتفاق تم", "قال الوزير، إن الاتفاق تم")
    assert ops == [("equal", "قال الوزير"), ("insert", "، "), ("equal", "إن الاتفاق تم")]
    assert diff.format_diff(ops, color=False) == "قال الوزير{+،+} إن الاتفاق تم"


def test_diff_versions(archive, crawl):
    archive.record_article(crawl, make_item())
    edited = make_item(title="وفد من الحكومة الاتحادية يصل إلى السليمانية", tags=["أربيل", "السليمانية"])
    edited["body"] = [edited["body"][0], "وقال المتحدث إن الاجتماع كان إيجابياً، وإن الطرفين اتفقا على لقاء ثالث."]
    archive.record_article(crawl, edited)
    d = diff.diff_versions(history.get_version(archive.db, KEY, 1), history.get_version(archive.db, KEY, 2))
    assert d["title"]["changed"] and not d["lead"]["changed"]
    assert (d["body"]["added"], d["body"]["removed"], d["body"]["changed"]) == (0, 1, 1)
    assert d["tags"] == {"added": ["السليمانية"], "removed": ["بغداد"]}
    text = diff.format_diff(d, color=False)
    assert "title: وفد من الحكومة الاتحادية يصل إلى [-أربيل-] {+السليمانية+}" in text
    assert "{+ثالث+}" in text and "[-ثان-]" in text
    json.dumps(d, ensure_ascii=False)  # the CLI prints it with --json
    assert copy.deepcopy(d) == d


def test_sqlite_file_is_a_plain_database(tmp_path):
    path = tmp_path / "plain.db"
    with Archive(path) as a:
        crawl_id = a.start_crawl("kurdistan24", ["ar"], "http://127.0.0.1:8000")
        a.record_article(crawl_id, make_item())
    conn = sqlite3.connect(path)  # analysts open it with anything (Datasette, sqlite3)
    assert conn.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", ['"اربيل"']).fetchone() == (1,)
    conn.close()
