"""The batched writer (prepare + batch scope) and one record_article per item make the very same archive."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archive import neardup
from archive.batch import write_batch
from archive.prepare import KEY, compute, prepare, prepared
from archive.store import Archive
from tests.fault_server import article_html
from tests.test_neardup import ORIGINAL, SAME_TOPIC, SYNDICATED

LONG = [f"فقرة رقم {i} من خبر طويل عن المشاريع الجديدة في أربيل والسليمانية ودهوك هذا العام." for i in range(8)]


def art(n: int, at: str, body: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    item = {"kind": "article", "key": f"kurdistan24:ar:{n}", "site": "kurdistan24", "edition": "ar",
            "article_id": str(n), "url": f"https://www.kurdistan24.net/ar/story/{n}/x", "http_status": 200,
            "title": f"عنوان الخبر رقم {n}", "lead": f"مقدمة الخبر {n}", "body": body or LONG,
            "author": "كاتب", "section": "سياسة", "tags": ["أربيل", "حكومة"],
            "images": [{"url": f"https://example.org/img/{n}.jpg", "caption": "صورة"}],
            "published_at": "2024-05-01T09:00:00+03:00", "fetched_at": at,
            "raw_html": article_html(n).encode(), "extractor_version": "test", "etag": f'"e{n}"'}
    item.update(extra)
    return item


def obs(n: int, at: str, outcome: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "observation", "key": f"kurdistan24:ar:{n}", "url": f"https://www.kurdistan24.net/ar/story/{n}/x",
            "outcome": outcome, "reason": f"test {outcome}", "http_status": 200, "fetched_at": at, **extra}


def crawls() -> list[list[dict[str, Any]]]:
    """Four crawls: first sight (with an exact copy and a syndicated near-copy), an unchanged recrawl with
    observations, edits and false edits, then confirmations, returns and glitches."""
    t = "2024-05-0{}T10:00:{:02d}+00:00"
    first = [art(1, t.format(1, 0)), art(2, t.format(1, 1), body=ORIGINAL), art(3, t.format(1, 2), body=SYNDICATED),
             art(4, t.format(1, 3), body=SAME_TOPIC), art(5, t.format(1, 4), body=LONG),  # 5, 9, 10: copies of 1
             art(6, t.format(1, 5), body=["قصير جدا"], published_at=None, published_approx=True),
             obs(7, t.format(1, 6), "failed"), obs(8, t.format(1, 7), "gone"),
             art(9, t.format(1, 8), title="عنوان مع � علامة", raw_html="<html>نص</html>", encoding="utf-8"),
             art(10, t.format(1, 9), raw_html=None, replacement_chars=3)]
    second = [art(1, t.format(2, 0)), art(2, t.format(2, 1), body=ORIGINAL),
              obs(3, t.format(2, 2), "not_modified"), obs(4, t.format(2, 3), "gone"),
              obs(5, t.format(2, 4), "redirected", redirected_to="https://www.kurdistan24.net/ar/story/1/x"),
              obs(6, t.format(2, 5), "blocked"),
              art(6, t.format(2, 6), body=["قصير جدا"], published_at="2024-04-30T08:00:00+03:00")]
    edited = LONG[:-1] + ["فقرة أخيرة معدلة عن المشاريع الجديدة في أربيل هذا العام."]
    third = [art(1, t.format(3, 0), body=edited),  # a real edit
             art(2, t.format(3, 1), body=ORIGINAL[:1]),  # body shrank: held as suspect
             art(3, t.format(3, 2), body=SYNDICATED, tags=[], images=[], author=None),  # metadata lost: suspect
             obs(4, t.format(3, 3), "gone"),  # still gone
             art(9, t.format(3, 4), extractor_version="test-2", body=LONG + ["إضافة"]),  # extractor changed
             art(11, t.format(3, 5), body=ORIGINAL),  # a later copy of 2
             art(1, t.format(3, 6), body=edited)]  # the same edit twice in one crawl
    fourth = [art(2, t.format(4, 0), body=ORIGINAL[:1]),  # the suspect again: confirmed as an edit
              art(3, t.format(4, 1), body=SYNDICATED),  # the glitch is over: unchanged, suspect transient
              art(4, t.format(4, 2), body=SAME_TOPIC),  # back after gone
              art(5, t.format(4, 3), body=SYNDICATED),  # edited into a copy of 3
              art(12, t.format(4, 4), title=None, body=LONG), {**art(13, t.format(4, 5)), "key": None},
              obs(14, t.format(4, 6), "not_modified"), obs(1, t.format(4, 7), "teleported")]
    return [first, second, third, fourth]


# Compared whole; next_check_at depends on the clock of the write, so only its presence is compared.
TABLES = {
    "articles": "SELECT rowid, key, site, edition, article_id, url, canonical_url, status, first_seen_at, "
                "last_seen_at, last_checked_at, gone_at, current_version, version_count, duplicate_of, published_at, "
                "published_approx, modified_at, etag, last_modified, next_check_at IS NOT NULL, last_changed_at, "
                "redirected_to, search_id FROM articles ORDER BY rowid",
    "versions": "SELECT * FROM versions ORDER BY id",
    "fetches": "SELECT * FROM fetches ORDER BY id",
    "suspects": "SELECT * FROM suspects ORDER BY id",
    "crawls": "SELECT id, site, new_articles, new_versions, unchanged, failed, blocked, gone, suspect, redirected, "
              "not_modified, outcome FROM crawls ORDER BY id",
    "search_fts": "SELECT rowid, title, lead, body FROM search_fts ORDER BY rowid",
    "minhash": "SELECT * FROM minhash ORDER BY article_key",
    "lsh_bands": "SELECT * FROM lsh_bands ORDER BY article_key, band",
}


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {name: [tuple(r) for r in conn.execute(sql)] for name, sql in TABLES.items()}
    finally:
        conn.close()


def one_by_one(path: Path) -> list[Any]:
    outcomes: list[Any] = []
    with Archive(path) as archive:
        for items in crawls():
            crawl_id = archive.start_crawl("kurdistan24", ["ar"], None)
            for item in items:
                write = archive.record_article if item["kind"] == "article" else archive.record_observation
                try:
                    outcomes.append(write(crawl_id, item))
                except Exception as exc:  # noqa: BLE001 - an item's error is part of what is compared
                    outcomes.append(type(exc).__name__)
            archive.finish_crawl(crawl_id, "completed")
    return outcomes


def batched(path: Path, size: int) -> list[Any]:
    """The same items through write_batch: some prepared by the producer, one prepared then changed (stale),
    one prepared by other code (foreign), the rest prepared by write_batch itself."""
    outcomes: list[Any] = []
    with Archive(path) as archive:
        for items in crawls():
            crawl_id = archive.start_crawl("kurdistan24", ["ar"], None)
            ready: list[dict[str, Any]] = []
            for i, item in enumerate(items):
                if item["kind"] == "article" and item["key"] and i % 3 == 0:
                    item = prepare(item)
                elif item["kind"] == "article" and item["key"] and i % 3 == 1:
                    stale = prepare({**item, "body": ["نص آخر تماما لم يعد في الخبر."]})
                    item = {**item, KEY: stale[KEY]}  # the fields of another body: must not be used
                elif item["kind"] == "article" and item["key"]:
                    foreign = prepare(item)
                    item = {**item, KEY: {**foreign[KEY], "version": "0:another-writer"}}
                ready.append(item)
            for at in range(0, len(ready), size):
                outcomes += [r if isinstance(r, str) else type(r).__name__
                             for r in write_batch(archive, crawl_id, ready[at:at + size])]
            archive.finish_crawl(crawl_id, "completed")
    return outcomes


@pytest.mark.parametrize("size", [1, 4, 100])
def test_batched_writer_makes_the_same_archive_as_one_write_per_item(tmp_path: Path, size: int):
    expected = one_by_one(tmp_path / "single.db")
    got = batched(tmp_path / "batched.db", size)
    assert got == expected
    assert expected == [
        "new", "new", "new", "new", "new", "new", "failed", "failed", "new", "new",
        "unchanged", "unchanged", "unchanged", "gone", "redirected", "blocked", "unchanged",
        "version", "suspect", "suspect", "unchanged", "suspect", "new", "unchanged",
        "version", "unchanged", "unchanged", "version", "new", "ArchiveError", "failed", "ArchiveError"]
    single, batch = dump(tmp_path / "single.db"), dump(tmp_path / "batched.db")
    for name in TABLES:
        assert batch[name] == single[name], name
    # The fixtures reach what they are for: near-copies, exact copies, suspects, events.
    dups = {r[1]: r[14] for r in single["articles"]}
    assert dups["kurdistan24:ar:3"] == "kurdistan24:ar:2" and dups["kurdistan24:ar:11"] == "kurdistan24:ar:2"
    assert dups["kurdistan24:ar:1"] is None and dups["kurdistan24:ar:4"] is None
    assert dups["kurdistan24:ar:10"] == "kurdistan24:ar:1"  # the exact copy (same content hash)
    assert dups["kurdistan24:ar:5"] == "kurdistan24:ar:3"  # edited from a copy of 1 into a copy of 3
    assert [(r[1], r[-2]) for r in single["suspects"]] == [
        ("kurdistan24:ar:2", "confirmed"), ("kurdistan24:ar:3", "transient"), ("kurdistan24:ar:9", None)]
    assert [r[2:11] for r in single["crawls"]] == [
        (8, 0, 0, 2, 0, 0, 0, 0, 0), (0, 0, 4, 0, 1, 1, 0, 1, 1), (1, 1, 2, 0, 0, 0, 3, 0, 0),
        (1, 2, 2, 1, 0, 0, 0, 0, 0)]
    assert len(single["lsh_bands"]) == neardup.BANDS * len(single["minhash"]) > 0


def test_a_stale_or_foreign_prepared_item_is_recomputed_never_trusted():
    item = art(1, "2024-05-01T10:00:00+00:00")
    ready = prepare(item)
    assert prepared(ready) == compute(item)
    assert prepared({**ready, "title": "عنوان آخر"}) is None  # changed after prepare()
    assert prepared({**ready, "raw_html": b"<html>other</html>"}) is None
    assert prepared({**ready, KEY: {**ready[KEY], "version": "0:old"}}) is None  # made by other code
    broken = {**ready[KEY], "fields": {**ready[KEY]["fields"], "_raw_z": "not bytes"}}
    assert prepared({**ready, KEY: broken}) is None
    assert prepared(item) is None


def test_a_rolled_back_items_counts_are_not_written(tmp_path: Path):
    with Archive(tmp_path / "a.db") as archive:
        crawl_id = archive.start_crawl("kurdistan24", ["ar"], None)
        archive.db.conn.execute("BEGIN IMMEDIATE")
        with archive.batch_scope() as scope:
            for kept, outcome in ((True, "new"), (False, "new"), (True, "failed"), (False, "suspect")):
                scope.begin_item({}, None)
                scope._count(crawl_id, outcome)
                scope.end_item(kept=kept)
            scope.flush()
        archive.db.conn.commit()
        row = archive.db.execute("SELECT new_articles, failed, suspect FROM crawls WHERE id = ?", [crawl_id]).fetchone()
        assert tuple(row) == (1, 1, 0)


def test_minhash_signature_is_datasketchs():
    bodies = [" ".join(ORIGINAL), " ".join(SYNDICATED), " ".join(SAME_TOPIC), " ".join(LONG), "a b c d e f g"]
    for body in bodies:
        mine = neardup.shingles(body)
        expected = neardup.signature(mine).hashvalues.astype("<u4").tobytes()
        assert neardup.signature_values(mine) == expected
        assert neardup.sketch(body) == (len(mine), expected, neardup.buckets(neardup.signature(mine)))
    assert neardup.sketch("a b c d e f") == (2, None, [])  # under MIN_SHINGLES: no signature


def test_minute_reads_dates_as_strptime_did():
    def by_strptime(when: str | None) -> int:
        from datetime import datetime

        if when:
            for cut, fmt in ((16, "%Y-%m-%dT%H:%M"), (10, "%Y-%m-%d")):
                try:
                    moment = datetime.strptime(when.strip()[:cut].replace(" ", "T"), fmt)
                except ValueError:
                    continue
                return max(0, int((moment - datetime(1970, 1, 1)).total_seconds() // 60))
        return 0

    cases = [None, "", "2024-05-01T09:07:00+03:00", " 2024-05-01 09:07 ", "2024-02-30T10:00", "2024-13-01T10:00",
             "2024-05-01T24:00", "2024-05-01t09:07", "2024-5-1T9:7", "٢٠٢٤-٠٥-٠١T09:07", "1969-12-31T23:59",
             "0000-01-01T00:00", "2024-05-01", "2024-05-01T9:07", "garbage"]
    from archive.searchindex import minute

    for when in cases:
        assert minute(when) == by_strptime(when), when
    assert minute("2024-05-01T09:07:00+03:00") == 19844 * 1440 + 9 * 60 + 7  # 19,844 days after 1970-01-01
