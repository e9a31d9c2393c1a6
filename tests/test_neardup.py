"""Near-duplicates across articles: MinHash + LSH kept in SQLite, exact check, duplicate_of, dedupe command."""

from __future__ import annotations

import json
from typing import Any

import pytest

from archive import neardup
from archive.store import Archive
from tests.conftest import run_cli

ORIGINAL = [
    ("أربيل (كوردستان 24)- أعلنت إدارة مطار أربيل الدولي، اليوم الأحد، استئناف الرحلات المباشرة إلى عدد من "
     "المدن الأوروبية بعد توقف دام ثلاثة أسابيع بسبب أعمال صيانة المدرج الرئيسي."),
    ("وقال مدير المطار في مؤتمر صحفي إن الرحلات ستبدأ بثلاث رحلات أسبوعية إلى فرانكفورت وفيينا وستوكهولم، على "
     "أن يرتفع عددها تدريجياً مع بداية الموسم السياحي في الربيع المقبل."),
    ("وأضاف أن أعمال الصيانة شملت تأهيل أنظمة الإنارة وتوسيع صالة المسافرين القادمين، مشيراً إلى أن المطار "
     "استقبل أكثر من مليون ونصف مليون مسافر خلال العام الماضي."),
    ("ويعد مطار أربيل الدولي من أكبر المطارات في العراق، ويرتبط برحلات منتظمة مع أكثر من ثلاثين مدينة في "
     "الشرق الأوسط وأوروبا."),
    ("وكانت سلطة الطيران المدني قد أغلقت المدرج في مطلع الشهر الماضي لإجراء فحوصات فنية دورية، وحولت الرحلات "
     "خلال تلك الفترة إلى مطار السليمانية الدولي."),
    ("وأكد مدير المطار أن المسافرين الذين ألغيت رحلاتهم خلال فترة الإغلاق يمكنهم استرداد قيمة تذاكرهم أو "
     "تغيير مواعيد سفرهم دون أي رسوم إضافية حتى نهاية الشهر الجاري."),
]
# The same story republished by another outlet: new first paragraph, one sentence added at the end.
# (At the 0.8 threshold a rewritten part must stay under about a fifth of the story: a typical six
# paragraphs, not a four-paragraph brief.)
SYNDICATED = [
    ("بغداد (وكالات)- قالت مصادر في سلطة الطيران المدني إن مطار العاصمة الإقليمية سيعود إلى العمل بكامل "
     "طاقته خلال أيام."),
    *ORIGINAL[1:],
    "ولم تعلن أي شركة طيران أخرى عن خطط مماثلة حتى الآن.",
]
# Another story on the same topic and with the same names, written independently.
SAME_TOPIC = [
    ("أربيل (كوردستان 24)- افتتح وزير النقل في حكومة إقليم كوردستان، اليوم، صالة جديدة للمسافرين المغادرين في "
     "مطار أربيل الدولي بطاقة استيعابية تصل إلى ثلاثة آلاف مسافر يومياً."),
    ("وأوضح الوزير في كلمة خلال حفل الافتتاح أن المشروع نفذته شركة محلية خلال ثمانية عشر شهراً، وأن الصالة "
     "تضم بوابات إلكترونية ومطاعم ومنطقة للأسواق الحرة."),
    "ويعد مطار أربيل الدولي من أكبر المطارات في العراق، ويسعى إلى جذب شركات طيران جديدة خلال العام المقبل.",
]


def item(key: str, body: list[str], fetched: str, title: str = "عنوان") -> dict[str, Any]:
    return {"key": key, "url": f"https://www.kurdistan24.net/ar/story/{key.rsplit(':', 1)[1]}/x", "title": title,
            "body": body, "fetched_at": fetched}


def record(a: Archive, crawl: int, key: str, body: list[str], fetched: str) -> str | None:
    """record_article, then what the store's hook does once archive/store.py calls it."""
    a.record_article(crawl, item(key, body, fetched))
    body_key = a.db.execute("SELECT v.body_key FROM versions v JOIN articles a ON a.key = v.article_key "
                            "AND v.version = a.current_version WHERE a.key = ?", [key]).fetchone()[0]
    with a.db.atomic():
        neardup.ensure_tables(a.db)
        return neardup.index_article(a.db, key, body_key)


def marks(a: Archive) -> dict[str, str | None]:
    return dict(a.db.execute("SELECT key, duplicate_of FROM articles ORDER BY key").fetchall())


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "a.db") as a:
        yield a


def test_lsh_parameters_are_datasketchs_choice():
    from datasketch.lsh import _optimal_param

    assert _optimal_param(neardup.LSH_THRESHOLD, neardup.NUM_PERM, 0.5, 0.5) == (neardup.BANDS, neardup.ROWS)


def test_syndicated_copy_is_marked_same_topic_is_not(archive):
    crawl = archive.start_crawl("kurdistan24", ["ar"], None)
    assert record(archive, crawl, "kurdistan24:ar:1", ORIGINAL, "2024-01-01T08:00:00+00:00") is None
    assert record(archive, crawl, "kurdistan24:ar:2", SAME_TOPIC, "2024-01-02T08:00:00+00:00") is None
    assert record(archive, crawl, "kurdistan24:ar:3", SYNDICATED, "2024-01-03T08:00:00+00:00") == "kurdistan24:ar:1"
    assert marks(archive) == {"kurdistan24:ar:1": None, "kurdistan24:ar:2": None, "kurdistan24:ar:3": "kurdistan24:ar:1"}
    a, b, c = (neardup.shingles(archive.db.execute("SELECT body_key FROM versions WHERE article_key = ?",
                                                   [k]).fetchone()[0]) for k in ("kurdistan24:ar:1",
                                                                                 "kurdistan24:ar:3",
                                                                                 "kurdistan24:ar:2"))
    jaccard, containment = neardup.similarity(a, b)
    assert jaccard < neardup.MATCH <= containment  # found through containment: the copy added text
    assert max(neardup.similarity(a, c)) < 0.2
    # Nothing deleted, and both tables are real tables a later crawl keeps adding to.
    assert archive.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
    assert archive.db.execute("SELECT count(*) FROM lsh_bands").fetchone()[0] == 3 * neardup.BANDS
    assert archive.db.execute("SELECT count(*) FROM minhash").fetchone()[0] == 3


def test_index_survives_reopening_and_edits_clear_the_mark(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as a:
        crawl = a.start_crawl("kurdistan24", ["ar"], None)
        record(a, crawl, "kurdistan24:ar:1", ORIGINAL, "2024-01-01T08:00:00+00:00")
    with Archive(path) as a:  # a later crawl, a new process: the LSH index is in the file
        crawl = a.start_crawl("kurdistan24", ["ar"], None)
        assert record(a, crawl, "kurdistan24:ar:9", SYNDICATED, "2024-01-05T08:00:00+00:00") == "kurdistan24:ar:1"
        # The copy is rewritten into another story (keeping two closing paragraphs): a new version, no
        # longer a duplicate. (Not shorter than half: the store's false-edit guard would hold that back.)
        rewritten = SAME_TOPIC + ORIGINAL[4:]
        assert record(a, crawl, "kurdistan24:ar:9", rewritten, "2024-01-06T08:00:00+00:00") is None
        assert a.db.execute("SELECT version_count FROM articles WHERE key = 'kurdistan24:ar:9'").fetchone() == (2,)
        assert marks(a)["kurdistan24:ar:9"] is None


def test_an_older_article_seen_late_becomes_the_original(archive):
    crawl = archive.start_crawl("kurdistan24", ["ar"], None)
    record(archive, crawl, "kurdistan24:ar:5", SYNDICATED, "2024-01-05T08:00:00+00:00")
    record(archive, crawl, "kurdistan24:ar:4", ORIGINAL, "2024-01-01T08:00:00+00:00")  # first seen earlier
    assert marks(archive) == {"kurdistan24:ar:4": None, "kurdistan24:ar:5": "kurdistan24:ar:4"}


def test_short_bodies_are_left_to_the_exact_hash(archive):
    crawl = archive.start_crawl("kurdistan24", ["ar"], None)
    assert record(archive, crawl, "kurdistan24:ar:1", ["التفاصيل لاحقاً"], "2024-01-01T08:00:00+00:00") is None
    # Same key text: the store's content-hash rule marks it, and index_article keeps that mark.
    assert record(archive, crawl, "kurdistan24:ar:2", ["التفاصيل لاحقاً."], "2024-01-02T08:00:00+00:00") == (
        "kurdistan24:ar:1")
    # Six words: too little text to call another short body "the same story".
    assert record(archive, crawl, "kurdistan24:ar:3", ["التفاصيل الكاملة لاحقاً في تقرير مفصل"],
                  "2024-01-03T08:00:00+00:00") is None
    assert archive.db.execute("SELECT count(*) FROM minhash").fetchone()[0] == 0


def test_rebuild_is_deterministic(tmp_path):
    results = []
    for run in range(2):
        with Archive(tmp_path / f"r{run}.db") as a:
            crawl = a.start_crawl("kurdistan24", ["ar"], None)
            for key, body, day in [("kurdistan24:ar:3", SYNDICATED, 3), ("kurdistan24:ar:1", ORIGINAL, 1),
                                   ("kurdistan24:ar:2", SAME_TOPIC, 2), ("kurdistan24:ar:4", ORIGINAL[:-1], 4)]:
                a.record_article(crawl, item(key, body, f"2024-01-0{day}T08:00:00+00:00"))
            assert neardup.rebuild(a.db) == 2
            assert neardup.rebuild(a.db) == 2  # again: same answer, nothing piles up
            signatures = a.db.execute("SELECT article_key, signature FROM minhash ORDER BY article_key").fetchall()
            bands = a.db.execute("SELECT band, bucket, article_key FROM lsh_bands ORDER BY 3, 1").fetchall()
            results.append((marks(a), signatures, bands))
    assert results[0] == results[1]
    assert results[0][0] == {"kurdistan24:ar:1": None, "kurdistan24:ar:2": None,
                             "kurdistan24:ar:3": "kurdistan24:ar:1", "kurdistan24:ar:4": "kurdistan24:ar:1"}
    assert len(results[0][1]) == 4 and len(results[0][1][0][1]) == neardup.NUM_PERM * 4


def test_dedupe_command_and_hiding_duplicates(tmp_path):
    db = tmp_path / "a.db"
    with Archive(db) as a:
        crawl = a.start_crawl("kurdistan24", ["ar"], None)
        a.record_article(crawl, item("kurdistan24:ar:1", ORIGINAL, "2024-01-01T08:00:00+00:00", "مطار أربيل"))
        a.record_article(crawl, item("kurdistan24:ar:2", SYNDICATED, "2024-01-02T08:00:00+00:00", "مطار أربيل"))
    proc = run_cli("dedupe", "--db", str(db), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"near_duplicates": 1, "duplicates": [
        {"key": "kurdistan24:ar:2", "duplicate_of": "kurdistan24:ar:1"}]}
    proc = run_cli("search", "--db", str(db), "--json", "--no-duplicates", "مطار")
    assert [r["key"] for r in json.loads(proc.stdout)] == ["kurdistan24:ar:1"]
    proc = run_cli("search", "--db", str(db), "--json", "مطار")
    assert sorted(r["key"] for r in json.loads(proc.stdout)) == ["kurdistan24:ar:1", "kurdistan24:ar:2"]
    proc = run_cli("export", "--db", str(db), "--no-duplicates")
    assert [json.loads(line)["key"] for line in proc.stdout.splitlines()] == ["kurdistan24:ar:1"]
