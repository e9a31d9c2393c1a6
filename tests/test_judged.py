"""Search quality on a judged set (tests/judged/): micro-averaged precision and recall must stay >= 0.95."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from archive.search import search
from archive.store import Archive

JUDGED = Path(__file__).parent / "judged"
FLOOR = 0.95


def load() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    docs = json.loads((JUDGED / "documents.json").read_text("utf-8"))["documents"]
    queries = json.loads((JUDGED / "queries.json").read_text("utf-8"))["queries"]
    return docs, queries


def build(path: Path) -> Archive:
    """Index every judged document through the real archive write path (display -> key -> FTS)."""
    docs, _ = load()
    archive = Archive(path)
    crawl = archive.start_crawl("judged", ["ar", "ckb"], None)
    for n, doc in enumerate(docs):
        archive.record_article(crawl, {
            "key": f"judged:{doc['edition']}:{doc['id']}", "url": f"https://example.org/{doc['id']}",
            "title": doc["title"], "body": [doc["body"]],
            "fetched_at": f"2024-01-01T00:{n // 60:02d}:{n % 60:02d}+00:00",
        })
    archive.finish_crawl(crawl)
    return archive


def evaluate(archive: Archive) -> dict[str, Any]:
    """Per query (run within its edition, newest first, up to 100): what came back, hits, misses and false
    hits; totals and micro-averaged P/R."""
    _, queries = load()
    per_query = []
    tp = retrieved = relevant = 0
    for q in queries:
        got = {r["key"].rsplit(":", 1)[1] for r in search(archive.db, q["query"], limit=100, edition=q["edition"])}
        want = set(q["relevant"])
        per_query.append({"query": q["query"], "edition": q["edition"], "missed": sorted(want - got), "false": sorted(got - want)})
        tp += len(got & want)
        retrieved += len(got)
        relevant += len(want)
    return {"precision": tp / retrieved, "recall": tp / relevant, "tp": tp, "retrieved": retrieved,
            "relevant": relevant, "queries": per_query}


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    archive = build(tmp_path_factory.mktemp("judged") / "judged.db")
    yield archive
    archive.close()


def test_judged_set_is_big_enough_and_consistent():
    docs, queries = load()
    ids = [d["id"] for d in docs]
    assert len(ids) == len(set(ids)) >= 90
    assert len(queries) >= 50
    assert {d["edition"] for d in docs} == {"ar", "ckb"} == {q["edition"] for q in queries}
    for q in queries:
        assert q["relevant"] and set(q["relevant"]) <= set(ids), q["query"]


def test_precision_and_recall_floor(judged):
    result = evaluate(judged)
    wrong = [q for q in result["queries"] if q["missed"] or q["false"]]
    summary = f"P={result['precision']:.3f} R={result['recall']:.3f}; off: {wrong}"
    assert result["precision"] >= FLOOR, summary
    assert result["recall"] >= FLOOR, summary


def test_known_limits_stay_known(judged):
    """The misses the light stemmer accepts (broken plurals, derived words) and its false hits are pinned,
    so an improvement or a regression shows up here by name. Fixed by the analysed index: مسئول/مسؤول,
    الكهربائي/كهرباء, مطاردة (a chase) no longer an airport, كوردستان/كردستان, هەولێر/أربيل."""
    result = evaluate(judged)
    off = {(q["query"], q["edition"]): (q["missed"], q["false"]) for q in result["queries"] if q["missed"] or q["false"]}
    assert off == {
        ("داعش", "ar"): (["a14"], []),  # الدواعش: a broken plural
        ("الكرد", "ar"): (["a60"], []),  # الأكراد: a broken plural
        ("پەرلەمان", "ckb"): (["k09"], []),  # پەرلەمانتاران (members of parliament): a derived word
        ("سلام", "ar"): ([], ["a06"]),  # سلامة (safety) loses its ة like any feminine noun
        ("مسؤول", "ar"): ([], ["a51"]),  # مسؤولية (responsibility) loses its ية like any nisba adjective
        ("مسئول", "ar"): ([], ["a51"]),
        ("کوردستان", "ckb"): ([], ["k14"]),  # the channel's name کوردستان24
        ("كردستان", "ckb"): ([], ["k14"]),
    }
    assert (result["tp"], result["retrieved"], result["relevant"]) == (208, 213, 211)
