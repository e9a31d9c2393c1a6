"""Extraction health per crawl: per-field counts stored with the crawl, usual shares, layout-change warnings."""

from __future__ import annotations

import sqlite3

import pytest

from archive import health, schema
from archive.store import Archive

FULL = {"title": "t", "lead": "l", "body": ["b"], "author": "a", "section": "s", "tags": ["x"],
        "images": [{"url": "u", "caption": "c"}], "published_at": "2020-01-01T00:00:00+03:00", "modified_at": None}


def counts(articles: int, **found: int) -> health.FieldCounts:
    c = health.FieldCounts()
    c.articles = articles
    c.found = {f: found.get(f, articles) for f in health.FIELDS}
    return c


def run(archive: Archive, c: health.FieldCounts, outcome: str = "completed", editions: list[str] | None = None) -> int:
    crawl_id = archive.start_crawl("kurdistan24", editions or ["ar"], None)
    health.save(archive.db, crawl_id, c)
    archive.finish_crawl(crawl_id, outcome)
    return crawl_id


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "a.db") as a:
        yield a


def test_field_counts_per_item() -> None:
    c = health.FieldCounts()
    c.add(FULL)
    c.add({**FULL, "lead": None, "tags": [], "images": [{"url": "u", "caption": None}], "author": ""})
    c.add({"title": "t", "body": ["b"]})
    assert c.as_dict() == {"articles": 3, "title": 3, "lead": 1, "body": 3, "author": 1, "section": 2, "tags": 1,
                           "images": 2, "captions": 1, "published_at": 2, "modified_at": 0}


def test_a_drop_below_half_the_usual_share_is_reported(archive) -> None:
    for lead in (19, 20, 18, 19):
        run(archive, counts(20, lead=lead, modified_at=2))
    now = run(archive, counts(25, lead=3, modified_at=0, author=12))
    found = health.crawl_health(archive.db, now)
    assert found["usual"]["lead"] == 0.95 and found["usual"]["author"] == 1.0
    assert found["fields"]["lead"] == {"found": 3, "share": 0.12}
    # modified_at went 10% -> 0%, but it is too rare a field to judge; author 48% is just under half of 100%.
    assert found["warnings"] == ["layout change? lead found on 12% of pages, usually 95%",
                                 "layout change? author found on 48% of pages, usually 100%"]
    assert health.format_health(found)[1:] == ["  warning: layout change? lead found on 12% of pages, usually 95%",
                                               "  warning: layout change? author found on 48% of pages, usually 100%"]
    assert found["baseline_crawls"] == [4, 3, 2, 1]


def test_the_baseline_is_the_last_five_completed_crawls_of_the_same_editions(archive) -> None:
    for _ in range(3):
        run(archive, counts(20, lead=0))                     # old crawls without leads: beyond the last five
    for _ in range(5):
        run(archive, counts(20))
    run(archive, counts(20, lead=0), outcome="failed: disk_full")  # not a baseline
    run(archive, counts(5, lead=0))                          # too few articles to be a baseline
    run(archive, counts(20, lead=0), editions=["ckb"])       # another edition set
    now = run(archive, counts(20, lead=2))
    found = health.crawl_health(archive.db, now)
    assert found["baseline_crawls"] == [8, 7, 6, 5, 4]
    assert found["warnings"] == ["layout change? lead found on 10% of pages, usually 100%"]


@pytest.mark.parametrize("previous, articles", [(2, 20), (3, 9)])
def test_no_judgement_without_enough_history_or_pages(archive, previous: int, articles: int) -> None:
    for _ in range(previous):
        run(archive, counts(20))
    now = run(archive, counts(articles, lead=0))
    found = health.crawl_health(archive.db, now)
    assert found["warnings"] == []
    assert (found["usual"] is None) == (previous < health.MIN_BASELINE)


def test_reading_health_writes_nothing(archive) -> None:
    for _ in range(4):
        run(archive, counts(20))
    now = run(archive, counts(20, lead=0))
    before = archive.db.conn.total_changes
    assert health.crawl_health(archive.db, now)["warnings"]
    assert archive.db.conn.total_changes == before
    assert archive.db.execute("SELECT count(*) FROM versions").fetchone()[0] == 0


def test_an_unmeasured_crawl_has_no_health(archive) -> None:
    crawl_id = archive.start_crawl("kurdistan24", ["ar"], None)
    assert health.crawl_health(archive.db, crawl_id) is None
    assert health.format_health(None) == []


def test_an_existing_archive_is_migrated_in_place(tmp_path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    db = schema.Database(conn)
    schema.MIGRATIONS[1](db)  # an archive written before field_counts existed
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO crawls (site, editions, started_at, outcome) VALUES ('kurdistan24', 'ar', 'x', 'completed')")
    conn.commit()
    conn.close()
    with Archive(path) as a:
        assert a.db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert a.db.execute("SELECT id, field_counts FROM crawls").fetchall() == [(1, None)]
        assert health.crawl_health(a.db, 1) is None
        new = run(a, counts(12, lead=6))
        assert health.crawl_health(a.db, new)["fields"]["lead"] == {"found": 6, "share": 0.5}
