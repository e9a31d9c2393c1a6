"""Encodings end to end: each charset case crawled from a real server yields the exact Arabic, or is flagged."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from archive.text import display
from tests.conftest import crawl_json
from tests.fault_server import FaultServer, page

TITLE = "الحكومة تعلن خطة جديدة لتأهيل الطرق في أربيل ودهوك"
PARAGRAPHS = [
    "أربيل (كوردستان 24)- أعلنت حكومة إقليم كوردستان، اليوم الثلاثاء، عن خطة جديدة لتأهيل الطرق الرئيسية.",
    "وقال المتحدث باسم الحكومة إن المرحلة الأولى تشمل 120 كيلومتراً وستنتهي قبل نهاية العام الجاري.",
    "وأضاف أن «المشروع» يموَّل من الموازنة العامة بالتعاون مع القطاع الخاص.",
]


def html(title: str, paragraphs: list[str], head: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<html lang="ar"><head>{head}<title>{title} | Kurdistan24</title></head><body><article>'
            f'<div class="intro"><h1 itemprop="Title">{title}</h1></div><div class="reader-content">{body}</div>'
            "</article></body></html>")


def mojibake(text: str) -> str:
    """UTF-8 bytes read as windows-1252 (bytes it leaves undefined as latin-1): the usual double encoding."""
    out = []
    for b in text.encode("utf-8"):
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


PLAIN = html(TITLE, PARAGRAPHS)
META_1256 = html(TITLE, PARAGRAPHS, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">')
META_UTF8 = html(TITLE, PARAGRAPHS, '<meta charset="utf-8">')
BROKEN = PLAIN.encode().replace("المرحلة".encode(), "المر".encode() + b"\xff\xfe" + "حلة".encode())

# id -> (body bytes, Content-Type, expected encoding, expected U+FFFD count)
CASES: dict[int, tuple[bytes, str, str, int]] = {
    1: (b"\xef\xbb\xbf" + PLAIN.encode(), "text/html; charset=utf-8", "utf-8", 0),           # UTF-8 with BOM
    2: (b"\xef\xbb\xbf" + PLAIN.encode(), "text/html; charset=windows-1256", "utf-8", 0),    # BOM beats label
    3: (PLAIN.encode(), "text/html", "utf-8", 0),                                           # UTF-8, undeclared
    4: (META_UTF8.encode(), "text/html", "utf-8", 0),                                       # UTF-8 in <meta>
    5: (PLAIN.encode("cp1256"), "text/html; charset=windows-1256", "windows-1256", 0),      # 1256 in the header
    6: (META_1256.encode("cp1256"), "text/html", "windows-1256", 0),                        # 1256 in <meta> only
    7: (PLAIN.encode("cp1256"), "text/html", "windows-1256", 0),                            # 1256, undeclared
    8: (PLAIN.encode(), "text/html; charset=windows-1256", "utf-8", 0),                     # UTF-8 labelled 1256
    9: (PLAIN.encode("cp1256"), "text/html; charset=utf-8", "windows-1256", 0),             # 1256 labelled UTF-8
    10: (PLAIN.encode("cp1256"), "text/html; charset=iso-8859-1", "windows-1256", 0),       # 1256 labelled latin-1
    11: (META_UTF8.encode("cp1256"), "text/html", "windows-1256", 0),                       # 1256, <meta> says UTF-8
    12: (html(mojibake(TITLE), [mojibake(p) for p in PARAGRAPHS]).encode(), "text/html; charset=utf-8", "utf-8", 0),
    13: (BROKEN, "text/html; charset=utf-8", "utf-8", 2),                                   # invalid bytes: flagged
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = str(tmp_path_factory.mktemp("charsets") / "archive.db")
    routes: dict[str, Any] = {"/robots.txt": page("", content_type="text/plain")}
    for n, (body, ctype, _enc, _bad) in CASES.items():
        routes[f"/ar/story/{n}/x"] = page(body, content_type=ctype)
    routes["/ar"] = page("".join(f'<article><a href="/ar/story/{n}/x">{n}</a></article>' for n in CASES))
    routes["/ar/latest"] = routes["/ar"]  # the profile's listing: a 404 there would be reported
    with FaultServer(routes) as srv:
        report = crawl_json("--db", db, "--base-url", srv.base_url)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        versions = {int(r["article_key"].rsplit(":", 1)[1]): dict(r) for r in conn.execute("SELECT * FROM versions")}
    finally:
        conn.close()
    return {"report": report, "versions": versions}


def test_every_case_is_archived(crawled):
    assert sorted(crawled["versions"]) == sorted(CASES)
    assert crawled["report"]["crawl"]["failed"] == 0


@pytest.mark.parametrize("n", sorted(CASES))
def test_correct_arabic_or_flagged(crawled, n: int):
    v = crawled["versions"][n]
    _body, _ctype, encoding, bad = CASES[n]
    assert (v["raw_encoding"], v["replacement_chars"]) == (encoding, bad)
    assert v["title"] == display(TITLE)
    got = v["body"].split("\n\n")
    if bad:
        # The damage is visible (U+FFFD) and counted, never silently turned into other letters.
        assert got[1] == PARAGRAPHS[1].replace("المرحلة", "المر\ufffd\ufffdحلة")
        assert [got[0], got[2]] == [PARAGRAPHS[0], PARAGRAPHS[2]]
    else:
        assert got == PARAGRAPHS
    # No mojibake signature (UTF-8 Arabic read as windows-1252) anywhere in what was stored.
    assert not any(marker in v["title"] + v["body"] for marker in ("Ø", "Ù", "Ã"))
