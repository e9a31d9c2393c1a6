"""Exports for analysts and web archivists: filters, CSV with BOM, Parquet, WARC, raw pages kept inside their folder."""

from __future__ import annotations

import csv
import io
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from archive import export
from archive.errors import ArchiveError
from archive.export_pages import contained, safe_name, write_pages
from archive.extras import MissingExtra
from archive.filters import Filters
from archive.store import Archive
from tests.conftest import run_cli

PAGE = "<html><head><meta charset='utf-8'><title>{t}</title></head><body><h1>{t}</h1></body></html>"


def item(key: str, title: str, published: str | None, fetched: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "url": f"https://www.kurdistan24.net/{key.split(':')[1]}/story/{key.rsplit(':', 1)[1]}/x",
            "title": title, "body": [f"{title}: نص الخبر الكامل مع تفاصيل كثيرة."], "published_at": published,
            "fetched_at": fetched, "http_status": 200, "encoding": "utf-8",
            "raw_html": PAGE.format(t=title).encode("utf-8"), **extra}


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "a.db"
    with Archive(path) as a:
        crawl = a.start_crawl("kurdistan24", ["ar", "ckb"], None)
        a.record_article(crawl, item("kurdistan24:ar:1", "وفد يصل إلى أربيل", "2024-01-10T10:00:00+03:00",
                                     "2024-01-10T08:00:00+00:00"))
        a.record_article(crawl, item("kurdistan24:ar:1", "وفد حكومي يصل إلى أربيل", "2024-01-10T10:00:00+03:00",
                                     "2024-01-11T08:00:00.250+00:00"))
        a.record_article(crawl, item("kurdistan24:ar:2", "جلسة البرلمان", "2024-01-20T10:00:00+03:00",
                                     "2024-01-20T08:00:00+00:00"))
        a.record_article(crawl, item("kurdistan24:ckb:3", "کۆبوونەوەی پەرلەمان", None, "2024-01-25T08:00:00+00:00"))
        a.db.execute("UPDATE articles SET duplicate_of = 'kurdistan24:ar:1' WHERE key = 'kurdistan24:ar:2'")
        a.db.conn.commit()
    return str(path)


def keys(proc: Any) -> list[str]:
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line)["key"] for line in proc.stdout.splitlines()]


def test_filters(db):
    assert keys(run_cli("export", "--db", db)) == ["kurdistan24:ar:1", "kurdistan24:ar:2", "kurdistan24:ckb:3"]
    assert keys(run_cli("export", "--db", db, "--since", "2024-01-15")) == ["kurdistan24:ar:2", "kurdistan24:ckb:3"]
    assert keys(run_cli("export", "--db", db, "--until", "2024-01-20", "--since", "2024-01-20")) == ["kurdistan24:ar:2"]
    assert keys(run_cli("export", "--db", db, "--lang", "ckb")) == ["kurdistan24:ckb:3"]
    assert keys(run_cli("export", "--db", db, "--key", "kurdistan24:ar:2", "--key", "kurdistan24:ckb:3")) == [
        "kurdistan24:ar:2", "kurdistan24:ckb:3"]
    assert keys(run_cli("export", "--db", db, "--key", "kurdistan24:ar:*", "--all-versions")) == [
        "kurdistan24:ar:1", "kurdistan24:ar:1", "kurdistan24:ar:2"]
    assert keys(run_cli("export", "--db", db, "--no-duplicates", "--lang", "ar")) == ["kurdistan24:ar:1"]
    with Archive(db) as a:  # a key's own _ or % is not a wildcard
        assert list(export.export_records(a.db, filters=Filters(keys=["kurdistan24_ar*"]))) == []
        assert len(list(export.export_records(a.db, filters=Filters(keys=["kurdistan24:ar*"])))) == 2


@pytest.mark.parametrize("args, message", [
    (["--since", "last week"], "--since expects a date as YYYY-MM-DD"),
    (["--bom"], "--bom applies to --format csv only"),
    (["--format", "parquet"], "--format parquet needs -o FILE"),
    (["--format", "pages"], "--format pages needs -o FOLDER"),
    (["--key", "*"], "--key needs an article key"),
    (["-o", "/nonexistent-dir/x.jsonl"], "cannot write /nonexistent-dir/x.jsonl"),
    (["--json"], "--json needs -o"),
])
def test_usage_errors(db, args, message):
    proc = run_cli("export", "--db", db, *args)
    assert proc.returncode == 2
    assert proc.stderr.startswith("newsarchive: ") and message in proc.stderr and "Traceback" not in proc.stderr


def test_csv_with_and_without_bom(db, tmp_path):
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    assert run_cli("export", "--db", db, "--format", "csv", "-o", str(plain)).returncode == 0
    proc = run_cli("export", "--db", db, "--format", "csv", "--bom", "-o", str(excel), "--json")
    assert json.loads(proc.stdout) == {"format": "csv", "output": str(excel), "records": 3}
    assert excel.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(excel.read_text("utf-8-sig"))))
    assert [r["title"] for r in rows] == ["وفد حكومي يصل إلى أربيل", "جلسة البرلمان", "کۆبوونەوەی پەرلەمان"]
    assert list(rows[0]) == list(export.FIELDS)
    proc = run_cli("export", "--db", db, "--format", "csv", "--bom", "--lang", "ckb")  # to standard output
    assert proc.stdout.startswith("\ufeffkey,url,")


def test_parquet(db, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "a.parquet"
    proc = run_cli("export", "--db", db, "--format", "parquet", "--all-versions", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == f"4 records written to {out}\n"
    table = pq.read_table(out)
    assert table.column_names == list(export.FIELDS)
    assert str(table.schema.field("version").type) == "int64"
    records = table.to_pylist()
    with Archive(db) as a:
        assert records == list(export.export_records(a.db, all_versions=True))
    empty = tmp_path / "empty.parquet"
    assert run_cli("export", "--db", db, "--format", "parquet", "--lang", "fa", "-o", str(empty)).returncode == 0
    assert pq.read_table(empty).num_rows == 0 and pq.read_table(empty).schema == table.schema


def test_parquet_without_pyarrow(db, tmp_path, monkeypatch):
    from archive.export_parquet import write_parquet

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    with Archive(db) as a, pytest.raises(MissingExtra, match=r"pip install 'newsarchive\[parquet\]'"):
        write_parquet(export.export_records(a.db), tmp_path / "x.parquet")
    assert not (tmp_path / "x.parquet").exists()


def test_warc(db, tmp_path):
    pytest.importorskip("warcio")
    from warcio.archiveiterator import ArchiveIterator

    out = tmp_path / "a.warc.gz"
    proc = run_cli("export", "--db", db, "--format", "warc", "--lang", "ar", "-o", str(out), "--json")
    assert json.loads(proc.stdout) == {"format": "warc", "output": str(out), "records": 3, "without_html": 0}
    with open(out, "rb") as fp:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.rec_headers.get_header("WARC-Date"),
                    r.rec_headers.get_header("WARC-Record-ID"),
                    r.http_headers.get_statuscode() if r.http_headers else None, r.content_stream().read())
                   for r in ArchiveIterator(fp)]
    assert records[0][0] == "warcinfo"
    url = "https://www.kurdistan24.net/ar/story/1/x"
    assert [r[:3] + r[4:] for r in records[1:]] == [
        ("response", url, "2024-01-10T08:00:00Z", "200", PAGE.format(t="وفد يصل إلى أربيل").encode()),
        ("response", url, "2024-01-11T08:00:00Z", "200", PAGE.format(t="وفد حكومي يصل إلى أربيل").encode()),
        ("response", "https://www.kurdistan24.net/ar/story/2/x", "2024-01-20T08:00:00Z", "200",
         PAGE.format(t="جلسة البرلمان").encode()),
    ]
    ids = [r[3] for r in records[1:]]
    assert len(set(ids)) == 3 and all(str(uuid.UUID(i[10:-1])) == i[10:-1] for i in ids)
    again = tmp_path / "b.warc.gz"
    run_cli("export", "--db", db, "--format", "warc", "--lang", "ar", "-o", str(again))
    with open(again, "rb") as fp:
        assert [r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(fp)][1:] == ids


def test_pages_stay_inside_their_folder(db, tmp_path):
    with Archive(db) as a:
        crawl = a.start_crawl("kurdistan24", ["ar"], None)
        a.record_article(crawl, item("evil:../..:../../../outside", "مقال بمعرف خبيث", None, "2024-01-26T08:00:00+00:00"))
        folder = tmp_path / "out" / "pages"
        counts = write_pages(a.db, folder)
    assert counts == {"files": 5, "without_html": 0}
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert "kurdistan24/ar/1/v1.html" in written and "kurdistan24/ar/1/v2.html" in written
    assert "kurdistan24/ckb/3/v1.html" in written and "index.jsonl" in written
    evil = [p for p in written if p.startswith("evil/")]
    assert len(evil) == 1 and ".." not in evil[0].split("/")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["pages"]  # nothing beside the folder
    assert not any(tmp_path.parent.glob("outside*"))
    index = [json.loads(line) for line in (folder / "index.jsonl").read_text("utf-8").splitlines()]
    assert index[-1]["key"] == "evil:../..:../../../outside" and index[-1]["file"] == evil[0]
    assert (folder / evil[0]).read_bytes() == PAGE.format(t="مقال بمعرف خبيث").encode()


def test_safe_names():
    assert safe_name("kurdistan24") == "kurdistan24" and safe_name("v2.html") == "v2.html"
    assert safe_name("هەولێر") == "هەولێر"  # letters of any script are fine in a file name
    for bad in ("..", ".", "../x", "a/b", "..\\..\\x", ".hidden", "", "a\x00b"):
        name = safe_name(bad)
        assert "/" not in name and "\\" not in name and not name.startswith(".") and name not in ("", ".", "..")
    assert safe_name("a/b") != safe_name("a_b")  # sanitised names carry a hash of the original


def test_contained_checks_the_resolved_path(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    assert contained(root, "..", "x") == root / safe_name("..") / "x"
    (root / "link").symlink_to(tmp_path)  # a folder inside root that leads outside it
    with pytest.raises(ArchiveError, match="refusing to write outside"):
        contained(root, "link", "x")
