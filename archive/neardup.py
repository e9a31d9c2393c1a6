"""Near-duplicate articles: MinHash of 5-word shingles of the body key, LSH bands kept in SQLite, exact check.

A syndicated copy or a republished story gets `articles.duplicate_of` = the earliest matching article
(by first_seen_at, then key); nothing is deleted. LSH buckets live in the database, so each crawl adds
to the same index and no in-memory index has to be rebuilt.
"""

from __future__ import annotations

import hashlib
import sqlite3
from typing import Any

from archive.schema import as_database

SHINGLE_WORDS = 5
NUM_PERM = 128
SEED = 1
SCHEME = "affine32"
# datasketch's own choice for threshold 0.5 with 128 permutations (lsh._optimal_param(0.5, 128, 0.5, 0.5)),
# kept as constants because the bands are stored: tests/test_neardup.py checks they still agree.
LSH_THRESHOLD = 0.5
BANDS, ROWS = 25, 5
MATCH = 0.8  # Jaccard or containment at or above this marks a duplicate
# Fewer shingles than this (a body under 7 words) is too little text to call two articles the same story.
MIN_SHINGLES = 3
# Part of every bucket hash: signatures made with other parameters can never share a bucket.
PARAMS = f"minhash:{SCHEME}:{NUM_PERM}:{SEED}:{SHINGLE_WORDS}:{BANDS}x{ROWS}"


def ensure_tables(db: Any) -> None:
    """Create the signature and band tables (idempotent; safe inside a transaction)."""
    db = as_database(db)
    db.execute("CREATE TABLE IF NOT EXISTS minhash (article_key TEXT PRIMARY KEY REFERENCES articles(key), "
               "shingles INTEGER NOT NULL, signature BLOB NOT NULL)")
    db.execute("CREATE TABLE IF NOT EXISTS lsh_bands (band INTEGER NOT NULL, bucket TEXT NOT NULL, "
               "article_key TEXT NOT NULL REFERENCES articles(key))")
    db.execute("CREATE INDEX IF NOT EXISTS lsh_bands_bucket ON lsh_bands (band, bucket)")
    db.execute("CREATE INDEX IF NOT EXISTS lsh_bands_article ON lsh_bands (article_key)")


def shingles(body_key: str) -> set[str]:
    """Every run of SHINGLE_WORDS consecutive words of the key text."""
    words = (body_key or "").split()
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(shingle_set: set[str]) -> Any:
    """The MinHash of a shingle set (datasketch, seeded: the same text gives the same signature anywhere)."""
    # Imported here: datasketch loads numpy and scipy (about half a second), which commands that
    # never index an article should not pay for.
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch(sorted(s.encode("utf-8") for s in shingle_set))
    return minhash


def buckets(minhash: Any) -> list[tuple[int, str]]:
    """(band, bucket) for each LSH band of the signature."""
    return bands_of(minhash.hashvalues.astype("<u4").tobytes())


def bands_of(values: bytes) -> list[tuple[int, str]]:
    """(band, bucket) for each LSH band of a signature's little-endian uint32 values."""
    width = ROWS * 4
    return [(band, hashlib.sha1(PARAMS.encode() + values[band * width:(band + 1) * width]).hexdigest()[:20])
            for band in range(BANDS)]


_PERMUTATIONS: list[Any] = []


def signature_values(shingle_set: set[str]) -> bytes:
    """The same MinHash as signature() (datasketch's affine32 scheme: sha1's first 4 bytes, the MurmurHash3
    finalizer, then a*h+b mod 2**32), as little-endian uint32 bytes, with every shingle hashed in one
    numpy step instead of a Python call per shingle per permutation (tests/test_neardup.py checks equality)."""
    import numpy as np

    if not _PERMUTATIONS:
        a, b = signature(set()).permutations  # datasketch's seeded parameters, made once per process
        _PERMUTATIONS.append((np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)))
    a, b = _PERMUTATIONS[0]
    sha1 = hashlib.sha1
    hv = np.frombuffer(b"".join([sha1(s.encode("utf-8")).digest()[:4] for s in shingle_set]), dtype="<u4")
    hv = hv.astype(np.uint32)
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    hv = hv ^ (hv >> np.uint32(16))
    return (hv[:, None] * a + b).min(axis=0).astype("<u4").tobytes()


def sketch(body_key: str) -> tuple[int, bytes | None, list[tuple[int, str]]]:
    """(shingle count, signature bytes, bands) of a body key; no signature below MIN_SHINGLES."""
    mine = shingles(body_key)
    if len(mine) < MIN_SHINGLES:
        return len(mine), None, []
    values = signature_values(mine)
    return len(mine), values, bands_of(values)


def similarity(a: set[str], b: set[str]) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set in the larger) of two shingle sets."""
    if not a or not b:
        return 0.0, 0.0
    common = len(a & b)
    return common / len(a | b), common / min(len(a), len(b))


def _order(db: Any, art_key: str) -> tuple[str, str] | None:
    row = db.execute("SELECT first_seen_at, key FROM articles WHERE key = ?", [art_key]).fetchone()
    return (row[0] or "", row[1]) if row else None


def _body_key(db: Any, art_key: str) -> str:
    row = db.execute("SELECT v.body_key FROM articles a JOIN versions v ON v.article_key = a.key "
                     "AND v.version = a.current_version WHERE a.key = ?", [art_key]).fetchone()
    return (row[0] or "") if row else ""


# One statement for every band (SQLite runs each OR term on the (band, bucket) index) instead of one per band.
_CANDIDATES = ("SELECT DISTINCT article_key FROM lsh_bands WHERE article_key != ? AND ("
               + " OR ".join(["(band = ? AND bucket = ?)"] * BANDS) + ")")


def _matches(db: Any, art_key: str, body_key: str, bands: list[tuple[int, str]]) -> list[str]:
    """Keys of other articles sharing an LSH bucket whose current body really is a near-copy."""
    params: list[Any] = [art_key]
    for band, bucket in bands:
        params += [band, bucket]
    candidates = {other for (other,) in db.execute(_CANDIDATES, params)} if len(bands) == BANDS else set()
    if not candidates:
        return []
    mine = shingles(body_key)
    found = []
    for other in sorted(candidates):
        jaccard, containment = similarity(mine, shingles(_body_key(db, other)))
        if jaccard >= MATCH or containment >= MATCH:
            found.append(other)
    return found


def index_article(db: Any, art_key: str, body_key: str,
                  sketched: tuple[int, bytes | None, list[tuple[int, str]]] | None = None,
                  ensured: bool = False) -> str | None:
    """(Re)index the article's current body and set its `duplicate_of`; returns that value.

    Call inside the store's transaction after writing a new article or version. A body too short to
    judge keeps whatever duplicate_of it had (the store's exact content-hash rule). `sketched`: sketch(body_key)
    computed earlier (archive/prepare.py); `ensured`: the tables are known to exist (a batch checked once).
    `db` may be a plain sqlite3 connection."""
    if not isinstance(db, sqlite3.Connection):
        db = as_database(db)
    if not ensured:
        ensure_tables(db)  # no-op once they exist; an archive made before them needs no migration
    db.execute("DELETE FROM lsh_bands WHERE article_key = ?", [art_key])
    db.execute("DELETE FROM minhash WHERE article_key = ?", [art_key])
    count, values, bands = sketched if sketched is not None else sketch(body_key)
    me = _order(db, art_key)
    if count < MIN_SHINGLES or values is None or me is None:
        row = db.execute("SELECT duplicate_of FROM articles WHERE key = ?", [art_key]).fetchone()
        return row[0] if row else None
    earlier, later = [], []
    for other in _matches(db, art_key, body_key, bands):
        order = _order(db, other)
        if order is not None:
            (earlier if order < me else later).append((order, other))
    original = min(earlier)[1] if earlier else None
    db.execute("UPDATE articles SET duplicate_of = ? WHERE key = ?", [original, art_key])
    # An article indexed out of order (an older story seen late, or edited into a copy of a newer one):
    # the newer copies point at it unless they already point at something even earlier.
    for _, other in later:
        db.execute("UPDATE articles SET duplicate_of = ? WHERE key = ? AND (duplicate_of IS NULL OR "
                   "(SELECT o.first_seen_at, o.key FROM articles o WHERE o.key = articles.duplicate_of) > (?, ?))",
                   [art_key, other, *me])
    db.execute("INSERT INTO minhash (article_key, shingles, signature) VALUES (?, ?, ?)", [art_key, count, values])
    getattr(db, "conn", db).executemany("INSERT INTO lsh_bands (band, bucket, article_key) VALUES (?, ?, ?)",
                   [(band, bucket, art_key) for band, bucket in bands])
    return original


def rebuild(db: Any) -> int:
    """Recompute every signature, band and near-duplicate mark in archive order, in one transaction;
    returns how many articles are marked as near-duplicates."""
    db = as_database(db)
    ensure_tables(db)
    marked = 0
    with db.atomic():
        db.execute("DELETE FROM lsh_bands")
        db.execute("DELETE FROM minhash")
        rows = db.execute("SELECT a.key, v.body_key FROM articles a JOIN versions v ON v.article_key = a.key "
                          "AND v.version = a.current_version ORDER BY a.first_seen_at, a.key").fetchall()
        for art_key, body_key in rows:
            if len(shingles(body_key or "")) >= MIN_SHINGLES:
                marked += index_article(db, art_key, body_key or "") is not None
    return marked
