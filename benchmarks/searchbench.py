"""Archive figures: the write rate of Archive.record_article, and search latency over a bulk-built large archive."""

from __future__ import annotations

import hashlib
import random
import sqlite3
import statistics
import time
from collections.abc import Sequence
from typing import Any

from archive.search import search
from archive.store import Archive
from archive.text import key
from benchmarks.sitegen import FIRST_ID, HOST, Site
from benchmarks.vocab import CUM_WEIGHTS, WORDS

# Fixed queries: single words (common and rare), clitic forms, phrases, OR, NOT, two-word ANDs.
QUERIES = ["حكومة", "الحكومة", "البرلمان", "الموازنة الاتحادية", '"إقليم كوردستان"', "أربيل OR دهوك",
           "النفط -تركيا", "والكهرباء", "حلبجة", "المهرجان الثقافية", "مليار دينار", "البيشمركة",
           '"الطائرات المسيرة"', "المفاوضات بغداد", "الجفاف الزراعة", "خانقين"]
SECOND_VERSION_SHARE = 0.1  # one article in ten has two versions (an edit)
# Real news text has a long tail (names, rare words): a third of the words come from 30,000
# pseudo-words, so that document frequencies are not those of a 600-word vocabulary.
TAIL_SHARE, TAIL_SIZE = 0.35, 30_000
_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def _tail(seed: int) -> tuple[list[str], list[float]]:
    rng = random.Random(seed)
    words = sorted({"".join(rng.choices(_LETTERS, k=rng.randint(4, 7))) for _ in range(TAIL_SIZE)})
    rng.shuffle(words)
    cum, total = [], 0.0
    for rank in range(len(words)):
        total += 1.0 / (rank + 1)
        cum.append(total)
    return words, cum


def write_rate(site: Site, items: int, path: str) -> dict[str, float]:
    """record_article() calls per second, on items made from generated pages by the crawl's own path."""
    from benchmarks.measure import our_path

    extract = our_path()
    prepared = []
    for i in range(items):
        body = site.article_page(i)
        fields = extract(body)
        prepared.append({
            **fields, "kind": "article", "key": f"kurdistan24:ar:{FIRST_ID + i}", "site": "kurdistan24",
            "edition": "ar", "article_id": str(FIRST_ID + i), "url": HOST + site.path(i), "http_status": 200,
            "fetched_at": "2024-01-01T00:00:00+00:00", "raw_html": body, "extractor_version": "bench",
            "etag": site.etag(i), "last_modified": site.last_modified(i)})
    with Archive(path) as archive:
        crawl_id = archive.start_crawl("kurdistan24", ["ar"], None)
        started = time.perf_counter()
        for item in prepared:
            archive.record_article(crawl_id, item)
        elapsed = time.perf_counter() - started
        archive.finish_crawl(crawl_id)
    return {"items": items, "per_s": items / elapsed, "ms_per_item": elapsed / items * 1000}


def _text(rng: random.Random, keyed: dict[str, str], sentences: int,
          tail: tuple[list[str], list[float]]) -> tuple[str, str]:
    """(display text, its key layer) of `sentences` generated sentences."""
    shown, keys = [], []
    for _ in range(sentences):
        k = rng.randint(8, 20)
        rare = sum(rng.random() < TAIL_SHARE for _ in range(k))
        words = rng.choices(WORDS, cum_weights=CUM_WEIGHTS, k=k - rare)
        words += rng.choices(tail[0], cum_weights=tail[1], k=rare)
        rng.shuffle(words)
        shown.append(" ".join(words) + ".")
        keys.extend(keyed[w] for w in words)
    return " ".join(shown), " ".join(keys)


def build_search_archive(path: str, versions: int, seed: int = 24) -> dict[str, Any]:
    """A bulk path (benchmarks only): executemany straight into articles, versions and articles_fts.

    Columns as Archive.record_article writes them, key layers built word by word from key() of the
    vocabulary (checked against key() below); no raw HTML (search never reads it).
    """
    started = time.perf_counter()
    with Archive(path) as archive:
        crawl_id = archive.start_crawl("kurdistan24", ["ar"], None)
        archive.finish_crawl(crawl_id)
    tail = _tail(seed)
    keyed = {w: key(w) for w in [*WORDS, *tail[0]]}
    n_articles = round(versions / (1 + SECOND_VERSION_SHARE))
    second = versions - n_articles
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    made = 0
    arts: list[tuple[Any, ...]] = []
    vers: list[tuple[Any, ...]] = []
    fts: list[tuple[Any, ...]] = []

    def flush() -> None:
        with conn:
            conn.executemany("INSERT INTO articles (key, site, edition, article_id, url, status, first_seen_at, "
                             "last_seen_at, last_checked_at, current_version, version_count, published_at) "
                             "VALUES (?, 'kurdistan24', 'ar', ?, ?, 'live', ?, ?, ?, ?, ?, ?)", arts)
            conn.executemany("INSERT INTO versions (article_key, version, crawl_id, fetched_at, url, http_status, "
                             "title, lead, body, title_key, lead_key, body_key, content_hash, extractor_version) "
                             "VALUES (?, ?, ?, ?, ?, 200, ?, ?, ?, ?, ?, ?, ?, 'bench')", vers)
            conn.executemany("INSERT INTO articles_fts (rowid, title_key, lead_key, body_key) VALUES (?, ?, ?, ?)",
                             fts)
        arts.clear()
        vers.clear()
        fts.clear()

    for j in range(n_articles):
        rng = random.Random(seed * 1_000_003 + j)
        art_key, url = f"kurdistan24:ar:{FIRST_ID + j}", f"{HOST}/ar/story/{FIRST_ID + j}"
        title, title_key = _text(rng, keyed, 1, tail)
        lead, lead_key = _text(rng, keyed, 1, tail)
        paras = [_text(rng, keyed, rng.randint(1, 3), tail) for _ in range(rng.randint(6, 14))]
        # Exactly `versions` in all: `second` articles, spread evenly, get a second version.
        count = 2 if (j * second) // n_articles != ((j + 1) * second) // n_articles else 1
        when = "2024-01-01T00:00:00+00:00"
        for number in range(1, count + 1):
            if number == 2:
                paras.append(_text(rng, keyed, 2, tail))
            body, body_key = "\n\n".join(p for p, _ in paras), " ".join(k for _, k in paras)
            digest = hashlib.sha256("\x1e".join([title_key, lead_key, body_key]).encode()).hexdigest()
            vers.append((art_key, number, crawl_id, when, url, title[:-1], lead[:-1], body, title_key, lead_key,
                         body_key, digest))
            made += 1
        if j == 0:
            assert key(body) == body_key and key(title) == title_key, "bulk key layer differs from key()"
        arts.append((art_key, str(FIRST_ID + j), url, when, when, when, count, count, when))
        fts.append((j + 1, title_key, lead_key, body_key))
        if len(vers) >= 5000:
            flush()
    flush()
    conn.close()
    return {"articles": n_articles, "versions": made, "build_s": time.perf_counter() - started}


def search_latency(path: str, rounds: int = 5, queries: Sequence[str] = QUERIES) -> dict[str, Any]:
    """p50/p95 of archive.search.search() over the fixed queries (one untimed warm-up round first)."""
    per_query: dict[str, list[float]] = {q: [] for q in queries}
    hits: dict[str, int] = {}
    with Archive(path) as archive:
        for r in range(rounds + 1):
            for query in queries:
                started = time.perf_counter()
                results = search(archive, query, limit=20)
                if r:
                    per_query[query].append((time.perf_counter() - started) * 1000)
                hits[query] = len(results)
    timings = sorted(t for ts in per_query.values() for t in ts)
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    medians = {q: round(statistics.median(ts), 2) for q, ts in per_query.items()}
    return {"queries": len(queries), "samples": len(timings), "p50_ms": statistics.median(timings),
            "p95_ms": p95, "max_ms": timings[-1], "hits": hits, "median_ms_by_query": medians}
