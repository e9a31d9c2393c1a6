"""Archive figures: the write rate of Archive.record_article, and search latency over a bulk-built large archive."""

from __future__ import annotations

import hashlib
import random
import re
import sqlite3
import statistics
import time
from collections.abc import Sequence
from typing import Any

from archive import searchindex
from archive.analysis import analyse
from archive.filters import Filters
from archive.search import search
from archive.store import Archive
from archive.text import key
from benchmarks.sitegen import FIRST_ID, HOST, Site
from benchmarks.vocab import CUM_WEIGHTS, WORDS

# Fixed queries: single words (common and rare), clitic forms, phrases, OR, NOT, two-word ANDs.
QUERIES = ["حكومة", "الحكومة", "البرلمان", "الموازنة الاتحادية", '"إقليم كوردستان"', "أربيل OR دهوك",
           "النفط -تركيا", "والكهرباء", "حلبجة", "المهرجان الثقافية", "مليار دينار", "البيشمركة",
           '"الطائرات المسيرة"', "المفاوضات بغداد", "الجفاف الزراعة", "خانقين"]
# Words in most articles, and filters (a date range inside the index lookup, an edition, titles only).
FILTERED: list[tuple[str, dict[str, Any]]] = [
    ("في", {}), ("من", {}), ("كردستان", {}), ("في", {"since": "2024-01-01", "until": "2024-03-31"}),
    ("حكومة", {"since": "2019-06-01", "until": "2019-06-30"}), ("الحكومة", {"edition": "ar"}),
    ("البرلمان", {"title_only": True}), ('"إقليم كوردستان"', {"since": "2025-01-01", "edition": "ar"}),
]
YEARS = (2016, 2026)  # publication dates spread over ten years, in no relation to the storage order
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


def build_search_archive(path: str, versions: int, seed: int = 24, baseline: bool = True) -> dict[str, Any]:
    """A bulk path (benchmarks only): executemany straight into articles, versions and search_fts, in one
    transaction per 5,000 versions; with `baseline`, also plain_fts: the key layers in a plain FTS5 table
    (what the archive indexed before the analysed index), for the same-run comparison.

    Columns as Archive.record_article writes them, key layers and analysed text built word by word from
    key()/analyse() of the vocabulary (checked against them below); no raw HTML (search never reads it).
    """
    started = time.perf_counter()
    with Archive(path) as archive:
        crawl_id = archive.start_crawl("kurdistan24", ["ar"], None)
        archive.finish_crawl(crawl_id)
    tail = _tail(seed)
    keyed = {w: key(w) for w in [*WORDS, *tail[0]]}
    analysed = {w: analyse(k, "ar") for w, k in keyed.items()}
    pool = _pool(seed, keyed, analysed, tail)
    n_articles = round(versions / (1 + SECOND_VERSION_SHARE))
    second = versions - n_articles
    conn = sqlite3.connect(path)
    # A throwaway file: no journal, no syncs, a big page cache for the FTS segment merges.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    if baseline:
        conn.execute(f"CREATE VIRTUAL TABLE plain_fts USING fts5(title_key, lead_key, body_key, "
                     f"tokenize = '{searchindex.TOKENIZE}')")
    made = 0
    arts: list[tuple[Any, ...]] = []
    vers: list[tuple[Any, ...]] = []
    fts: list[tuple[Any, ...]] = []
    plain: list[tuple[Any, ...]] = []
    span = (YEARS[1] - YEARS[0]) * 365 * 24 * 60
    first_minute = searchindex.minute(f"{YEARS[0]}-01-01")
    docids = searchindex.DocIds()

    def flush() -> None:
        with conn:
            conn.executemany("INSERT INTO articles (key, site, edition, article_id, url, status, first_seen_at, "
                             "last_seen_at, last_checked_at, current_version, version_count, published_at, "
                             "search_id) VALUES (?, 'kurdistan24', 'ar', ?, ?, 'live', ?, ?, ?, ?, ?, ?, ?)", arts)
            conn.executemany("INSERT INTO versions (article_key, version, crawl_id, fetched_at, url, http_status, "
                             "title, lead, body, title_key, lead_key, body_key, content_hash, extractor_version) "
                             "VALUES (?, ?, ?, ?, ?, 200, ?, ?, ?, ?, ?, ?, ?, 'bench')", vers)
            conn.executemany("INSERT INTO search_fts (rowid, title, lead, body) VALUES (?, ?, ?, ?)", fts)
            conn.executemany("INSERT INTO plain_fts (rowid, title_key, lead_key, body_key) VALUES (?, ?, ?, ?)",
                             plain)
        for rows in (arts, vers, fts, plain):
            rows.clear()

    for j in range(n_articles):
        rng = random.Random(seed * 1_000_003 + j)
        art_key, url = f"kurdistan24:ar:{FIRST_ID + j}", f"{HOST}/ar/story/{FIRST_ID + j}"
        title, title_key, title_an = _pooled(rng, pool, 1)
        lead, lead_key, lead_an = _pooled(rng, pool, 1)
        paras = [_pooled(rng, pool, rng.randint(1, 3)) for _ in range(rng.randint(6, 14))]
        # Exactly `versions` in all: `second` articles, spread evenly, get a second version.
        count = 2 if (j * second) // n_articles != ((j + 1) * second) // n_articles else 1
        minute = first_minute + rng.randrange(span)
        when = f"{searchindex.minute_iso(minute)}:00+03:00"
        for number in range(1, count + 1):
            if number == 2:
                paras.append(_pooled(rng, pool, 2))
            body, body_key = "\n\n".join(p for p, _, _ in paras), " ".join(k for _, k, _ in paras)
            digest = hashlib.sha256("\x1e".join([title_key, lead_key, body_key]).encode()).hexdigest()
            vers.append((art_key, number, crawl_id, when, url, title, lead, body, title_key, lead_key,
                         body_key, digest))
            made += 1
        if j == 0:
            assert key(body) == body_key and key(title) == title_key, "bulk key layer differs from key()"
            assert analyse(body, "ar") == " ".join(a for _, _, a in paras), "bulk analysis differs from analyse()"
        docid = docids(when)
        arts.append((art_key, str(FIRST_ID + j), url, when, when, when, count, count, when, docid))
        fts.append((docid, title_an, lead_an, " ".join(a for _, _, a in paras)))
        if baseline:
            plain.append((j + 1, title_key, lead_key, body_key))
        if len(vers) >= 20_000:
            flush()
    flush()
    conn.execute("PRAGMA journal_mode = WAL")
    sizes = {name: _bytes(conn, name) for name in ("search_fts", "plain_fts" if baseline else "search_fts")}
    conn.close()
    figures = {"articles": n_articles, "versions": made, "build_s": time.perf_counter() - started,
               "index_bytes_per_version": sizes["search_fts"] / made}
    if baseline:
        figures["baseline_index_bytes_per_version"] = sizes["plain_fts"] / made
        figures["index_size_ratio"] = sizes["search_fts"] / sizes["plain_fts"]
    return figures


POOL_SIZE = 60_000


def _pool(seed: int, keyed: dict[str, str], analysed: dict[str, str],
          tail: tuple[list[str], list[float]]) -> list[tuple[str, str, str]]:
    """Generated sentences (display, key, analysed), drawn from by every article: a million versions are
    then built in minutes, with the same word frequencies as sentences made word by word."""
    rng = random.Random(seed)
    pool = []
    for _ in range(POOL_SIZE):
        shown, keys = _text(rng, keyed, 1, tail)
        words = shown[:-1].split()
        pool.append((shown, keys, " ".join(filter(None, (analysed[w] for w in words)))))
    return pool


def _pooled(rng: random.Random, pool: list[tuple[str, str, str]], sentences: int) -> tuple[str, str, str]:
    picked = [pool[rng.randrange(POOL_SIZE)] for _ in range(sentences)]
    if sentences == 1:
        shown, keys, analysed = picked[0]
        return shown[:-1], keys, analysed  # a title or lead: no full stop
    return " ".join(p[0] for p in picked), " ".join(p[1] for p in picked), " ".join(p[2] for p in picked)


def _bytes(conn: sqlite3.Connection, table: str) -> int:
    """Bytes of an FTS5 table and its shadow tables: its pages counted in dbstat (the aggregate sum of
    pgsize is a 32-bit integer in SQLite 3.40 and wraps past 2 GB)."""
    names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                        "(name = ? OR name LIKE ? || '\\_%' ESCAPE '\\')", [table, table])]
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    return page * sum(conn.execute("SELECT count(*) FROM dbstat WHERE name = ?", [name]).fetchone()[0]
                      for name in names)


def _percentiles(timings: list[float]) -> dict[str, float]:
    timings = sorted(timings)
    return {"p50_ms": statistics.median(timings), "p95_ms": timings[min(len(timings) - 1,
            round(0.95 * (len(timings) - 1)))], "max_ms": timings[-1]}


def _baseline_match(query: str) -> str:
    """The plainest FTS5 MATCH for a query: its key words, quoted, all required (phrases kept)."""
    parts = re.findall(r'"[^"]*"|\S+', query)
    out = []
    for part in parts:
        if part in ("OR", "AND", "NOT") or part.startswith("-"):
            continue
        words = key(part.strip('"')).split()
        out.append('"' + " ".join(words) + '"' if part.startswith('"') else " ".join(f'"{w}"' for w in words))
    return " ".join(out)


def search_latency(path: str, rounds: int = 5, queries: Sequence[str] = QUERIES,
                   filtered: Sequence[tuple[str, dict[str, Any]]] = FILTERED) -> dict[str, Any]:
    """p50/p95 of archive.search.search() per sort over the fixed and filtered queries (one untimed warm-up
    round first), and of a plain FTS5 MATCH on plain_fts (bm25 over every match; rowid order) when present."""
    cases = [(q, {}) for q in queries] + list(filtered)
    figures: dict[str, Any] = {"queries": len(cases)}
    hits: dict[str, int] = {}
    with Archive(path) as archive:
        has_plain = bool(archive.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'plain_fts'").fetchone())
        for sort in ("date", "rank"):
            timings, per_query = [], {}
            for r in range(rounds + 1):
                for query, kwargs in cases:
                    started = time.perf_counter()
                    results = search(archive, query, limit=20, sort=sort, **kwargs)
                    elapsed = (time.perf_counter() - started) * 1000
                    if r:
                        timings.append(elapsed)
                        per_query.setdefault(f"{query} {kwargs or ''}".strip(), []).append(elapsed)
                    hits[f"{query} {kwargs or ''}".strip()] = len(results)
            figures[sort] = {**_percentiles(timings), "samples": len(timings),
                             "median_ms_by_query": {q: round(statistics.median(t), 2) for q, t in per_query.items()}}
        if has_plain:
            for name, order in (("plain_bm25", "ORDER BY rank"), ("plain_rowid", "ORDER BY plain_fts.rowid DESC")):
                timings = []
                for r in range(rounds + 1):
                    for query, kwargs in cases:
                        filters = Filters(since=kwargs.get("since"), until=kwargs.get("until"),
                                          edition=kwargs.get("edition"))
                        where, params = filters.where("a")
                        column = "title_key : " if kwargs.get("title_only") else ""
                        sql = (f"SELECT a.rowid FROM plain_fts JOIN articles a ON a.rowid = plain_fts.rowid "
                               f"WHERE plain_fts MATCH ? AND {where} {order} LIMIT 20")
                        started = time.perf_counter()
                        archive.db.execute(sql, [column + "(" + _baseline_match(query) + ")", *params]).fetchall()
                        if r:
                            timings.append((time.perf_counter() - started) * 1000)
                figures[name] = {**_percentiles(timings), "samples": len(timings)}
    worst = max(("date", "rank"), key=lambda s: figures[s]["p95_ms"])
    figures.update(p50_ms=max(figures["date"]["p50_ms"], figures["rank"]["p50_ms"]),
                   p95_ms=figures[worst]["p95_ms"], max_ms=figures[worst]["max_ms"],
                   samples=figures["date"]["samples"] + figures["rank"]["samples"], hits=hits)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m benchmarks.searchbench --versions N`: build an archive of N versions, print the figures."""
    import argparse
    import json
    import tempfile
    from pathlib import Path

    p = argparse.ArgumentParser(description=main.__doc__)
    p.add_argument("--versions", type=int, default=100_000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--keep", metavar="PATH", help="build the archive at PATH and keep it (reused if present)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="searchbench-") as tmp:
        path = args.keep or str(Path(tmp) / "search.db")
        built: dict[str, Any] = {}
        if not Path(path).exists():
            built = build_search_archive(path, args.versions)
            print(json.dumps(built), flush=True)
        figures = {**built, **search_latency(path, rounds=args.rounds)}
    print(table(figures))
    return 0


def table(f: dict[str, Any]) -> str:
    rows = [("order", "p50 ms", "p95 ms", "max ms")]
    for name in ("date", "rank", "plain_bm25", "plain_rowid"):
        if name in f:
            rows.append((name, f"{f[name]['p50_ms']:.1f}", f"{f[name]['p95_ms']:.1f}", f"{f[name]['max_ms']:.1f}"))
    lines = ["  ".join(c.ljust(12) for c in row) for row in rows]
    if "index_bytes_per_version" in f:
        lines.append(f"index bytes/version: {f['index_bytes_per_version']:.0f} (plain key-layer FTS5: "
                     f"{f.get('baseline_index_bytes_per_version', 0):.0f}, ratio {f.get('index_size_ratio', 0):.2f}); "
                     f"{f.get('versions')} versions built in {f.get('build_s', 0):.0f} s")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
