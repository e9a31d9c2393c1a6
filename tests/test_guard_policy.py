"""The false-edit guard (suspect extractions) and the recheck policy's schedule, on a real SQLite archive."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from archive.policy import DAY, HOUR, MINUTE, interval, next_check_at, parse_tiers
from archive.store import Archive
from tests.test_archive import KEY, make_item

LONG_BODY = [
    "أربيل (كوردستان 24)- وصل وفد من الحكومة الاتحادية إلى أربيل اليوم لبحث ملف الرواتب والموازنة العامة.",
    "وقال المتحدث باسم حكومة الإقليم إن الاجتماع كان إيجابياً، وإن الطرفين اتفقا على عقد لقاء ثان الأسبوع المقبل.",
    "وأضاف أن اللجان الفنية ستواصل عملها لحسم النقاط العالقة قبل نهاية الشهر الجاري بحسب الجدول المتفق عليه.",
]


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "a.db") as a:
        yield a


def outcomes(archive: Archive) -> list[tuple[str, str | None]]:
    return archive.db.execute("SELECT outcome, reason FROM fetches ORDER BY id").fetchall()


def test_truncated_extraction_is_held_then_confirmed_when_seen_again(archive):
    crawl = archive.start_crawl("kurdistan24", ["ar"], None)
    assert archive.record_article(crawl, make_item(body=LONG_BODY)) == "new"
    truncated = make_item(body=LONG_BODY[:1], fetched_at="2024-01-15T09:00:00+00:00")
    assert archive.record_article(crawl, truncated) == "suspect"
    assert archive.db.execute("SELECT version_count FROM articles").fetchone()[0] == 1
    assert outcomes(archive)[-1] == ("suspect", "body shrank from 315 to 100 characters")
    # The page says the same the next time: the publisher really cut it. Now it is an edit.
    again = make_item(body=LONG_BODY[:1], fetched_at="2024-01-15T10:00:00+00:00")
    assert archive.record_article(crawl, again) == "version"
    change = json.loads(archive.db.execute("SELECT change FROM versions WHERE version = 2").fetchone()[0])
    assert change["confirmed_suspect"] == "body shrank from 315 to 100 characters"
    assert archive.db.execute("SELECT resolution FROM suspects").fetchall() == [("confirmed",)]


def test_glitch_is_resolved_as_transient_and_never_an_edit(archive):
    crawl = archive.start_crawl("kurdistan24", ["ar"], None)
    archive.record_article(crawl, make_item(body=LONG_BODY))
    glitch = make_item(body=LONG_BODY, author=None, tags=[], images=[], fetched_at="2024-01-15T09:00:00+00:00")
    assert archive.record_article(crawl, glitch) == "suspect"
    assert outcomes(archive)[-1] == ("suspect", "author, tags, images missing")
    assert archive.record_article(crawl, make_item(body=LONG_BODY, fetched_at="2024-01-15T10:00:00+00:00")) == "unchanged"
    assert archive.db.execute("SELECT resolution FROM suspects").fetchall() == [("transient",)]
    assert archive.db.execute("SELECT count(*) FROM versions").fetchone()[0] == 1


def test_other_extractor_version_is_suspect(archive):
    crawl = archive.start_crawl("kurdistan24", ["ar"], None)
    archive.record_article(crawl, make_item(body=LONG_BODY))
    changed = make_item(body=LONG_BODY + ["فقرة جديدة تماماً عن الموضوع."], extractor_version="2")
    assert archive.record_article(crawl, changed) == "suspect"
    assert outcomes(archive)[-1][1].startswith("extractor changed (1 -> 2)")


def test_a_real_small_edit_is_not_suspect(archive):
    crawl = archive.start_crawl("kurdistan24", ["ar"], None)
    archive.record_article(crawl, make_item(body=LONG_BODY))
    edited = make_item(body=[LONG_BODY[0], LONG_BODY[1].replace("إيجابياً", "مثمراً"), LONG_BODY[2]])
    assert archive.record_article(crawl, edited) == "version"


NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def ago(**kw: float) -> str:
    return (NOW - timedelta(**kw)).isoformat()


@pytest.mark.parametrize(("published", "changed", "expected"), [
    (ago(hours=1), None, 10 * MINUTE),
    (ago(hours=5), None, 30 * MINUTE),
    (ago(days=2), None, 3 * HOUR),
    (ago(days=10), None, DAY),
    (ago(days=100), None, 14 * DAY),
    (ago(days=800), None, 60 * DAY),
    (ago(days=100), ago(hours=3), 30 * MINUTE),    # edited recently: watched closely again
    (ago(days=100), ago(days=3), 14 * DAY),
    ((NOW + timedelta(days=1)).isoformat(), None, 10 * MINUTE),  # a future date counts as newborn, not older
])
def test_recheck_interval_by_age_and_recent_edits(published, changed, expected):
    assert interval(NOW, published_at=published, first_seen_at=ago(days=1), last_changed_at=changed) == expected


def test_gone_articles_are_rechecked_daily_then_weekly():
    assert interval(NOW, published_at=ago(days=1), first_seen_at=None, last_changed_at=None,
                    status="gone", gone_at=ago(days=2)) == DAY
    assert interval(NOW, published_at=ago(days=1), first_seen_at=None, last_changed_at=None,
                    status="gone", gone_at=ago(days=9)) == 7 * DAY


def test_first_seen_when_no_publication_date_and_custom_tiers():
    assert interval(NOW, published_at=None, first_seen_at=ago(minutes=20), last_changed_at=None) == 10 * MINUTE
    tiers = parse_tiers("[[3600, 60], [86400, 600]]")
    assert interval(NOW, published_at=ago(hours=2), first_seen_at=None, last_changed_at=None, tiers=tiers) == 600
    assert next_check_at(NOW, tiers, published_at=ago(minutes=5), first_seen_at=None,
                         last_changed_at=None) == "2026-11-23T12:01:00+00:00"
    with pytest.raises(ValueError, match="ascending"):
        parse_tiers("[[86400, 60], [3600, 60]]")


def test_archive_schedules_next_check(archive):
    crawl = archive.start_crawl("kurdistan24", ["ar"], None)
    published = datetime.now(UTC) - timedelta(days=10)
    archive.record_article(crawl, make_item(published_at=published.isoformat()))
    due = datetime.fromisoformat(archive.db.execute("SELECT next_check_at FROM articles WHERE key = ?",
                                                    [KEY]).fetchone()[0])
    assert timedelta(hours=23) < due - datetime.now(UTC) <= timedelta(days=1)
