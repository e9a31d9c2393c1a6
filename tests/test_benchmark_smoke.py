"""The benchmark keeps working: a smoke-size run (N=200) writes every figure with sane values; no timing goals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

FIGURES = {
    "extraction": ["pages", "mean_page_kb", "ours_ms", "lxml_parse_ms", "trafilatura_ms", "ratio_vs_parse",
                   "speedup_vs_trafilatura"],
    "crawl": ["pages_archived", "failed", "elapsed_s", "wall_s", "rate_pages_s", "noop_rate_pages_s",
              "ratio_vs_noop", "settings"],
    "server": ["rate_pages_s", "headroom_vs_noop"],
    "reextract": ["pages", "ms_per_page"],
    "memory": ["n", "peak_rss_mb", "n2", "peak_rss_mb_n2", "ratio"],
    "archive": ["versions", "raw_html_compressed_bytes", "raw_html_bytes", "db_bytes", "write_per_s"],
    "search": ["articles", "versions", "p50_ms", "p95_ms", "samples", "hits"],
    "rerun": ["elapsed_s", "fraction_of_first", "article_fetches", "answered_304", "fraction_304", "versions_added"],
    "edits": ["edited", "found", "missed", "spurious", "exact"],
}


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "benchmarks.run", "--n", "200", "--quick", "--json", str(out)],
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "goal" in proc.stdout and "search p95" in proc.stdout  # the table was printed
    return json.loads(Path(out).read_text(encoding="utf-8"))


def test_every_figure_is_written(figures: dict) -> None:
    for section, keys in FIGURES.items():
        missing = [k for k in keys if k not in figures.get(section, {})]
        assert not missing, f"{section}: {missing}"
    assert [g["key"] for g in figures["goals"]][:3] == ["extraction.speedup_vs_trafilatura",
                                                        "extraction.ratio_vs_parse", "crawl.ratio_vs_noop"]


def test_crawls_archive_the_whole_site(figures: dict) -> None:
    assert figures["crawl"]["pages_archived"] == 200
    assert figures["crawl"]["failed"] == 0
    assert figures["archive"]["versions"] == 200
    assert figures["reextract"]["pages"] == 200
    assert figures["memory"]["n2"] == 400


def test_unchanged_rerun_adds_nothing_and_edits_are_found_exactly(figures: dict) -> None:
    assert figures["rerun"]["versions_added"] == 0
    assert 0 <= figures["rerun"]["fraction_304"] <= 1
    assert figures["edits"]["edited"] == 4  # 2% of 200
    assert figures["edits"] == {**figures["edits"], "found": 4, "missed": [], "spurious": [], "exact": True}


def test_sizes_and_rates_are_sane(figures: dict) -> None:
    archive = figures["archive"]
    assert 60_000 <= archive["raw_html_bytes"] <= 125_000  # the generator's page sizes
    assert 1_000 < archive["raw_html_compressed_bytes"] < archive["raw_html_bytes"]
    assert figures["search"]["versions"] == 2000
    hits = figures["search"]["hits"]  # the generated archive is deterministic: so are the result counts
    assert (hits["حكومة"], hits["الحكومة"], hits['"إقليم كوردستان"'], hits['"الطائرات المسيرة"']) == (20, 20, 15, 0)
    assert figures["search"]["p50_ms"] <= figures["search"]["p95_ms"]
    assert figures["memory"]["peak_rss_mb"] > 20
    for value in (figures["extraction"]["ours_ms"], figures["crawl"]["rate_pages_s"],
                  figures["crawl"]["noop_rate_pages_s"], figures["server"]["rate_pages_s"]):
        assert value > 0
    if figures["extraction"]["trafilatura_ms"] is None:  # trafilatura is optional (the bench extra)
        assert figures["extraction"]["speedup_vs_trafilatura"] is None


def test_scale_rows_for_0_1_and_n_workers(figures: dict) -> None:
    rows = figures["scale"]["crawls"]
    assert [r["workers"] for r in rows] == sorted({0, 1, os.cpu_count() or 1})
    assert [r["archived"] for r in rows] == [200] * len(rows)
    # In the crawl's process with 0 workers; else all but the first 20 pages (the pool's start threshold).
    assert [r["pool_pages"] for r in rows] == [0] + [180] * (len(rows) - 1)
    assert all(r["cpu_ms_per_article"] > 0 and r["ratio_vs_noop"] > 0 for r in rows)
    assert figures["scale"]["noop"]["cpu_ms_per_article"] > 0

