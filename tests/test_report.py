"""`newsarchive report`: exact figures on a known archive, and the demo archive rendered in headless chromium."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from archive.report import render
from archive.report_data import day_axis, first_edit_buckets, gather
from archive.store import Archive
from tests.conftest import run_cli
from tests.pngdecode import colour_count, decode, distinct_colours


def item(key: str, published: str | None, fetched: str, title: str | None = None,
         body: list[str] | None = None) -> dict:
    number = key.rsplit(":", 1)[1]
    # Each article its own text, so neither the exact nor the near-duplicate rule links them.
    return {"key": key, "url": f"https://www.kurdistan24.net/x/{number}", "title": title or f"الخبر رقم {number}",
            "body": body or [f"نص الخبر رقم {number} اليوم."], "published_at": published, "fetched_at": fetched}


def observation(outcome: str, n: int) -> dict[str, Any]:
    return {"key": f"kurdistan24:ar:9{n}", "url": f"https://www.kurdistan24.net/x/9{n}", "outcome": outcome,
            "reason": "HTTP 500" if outcome == "failed" else "challenge page", "fetched_at": "2024-02-02T09:00:00+00:00"}


@pytest.fixture(scope="module")
def known(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "known.db"
    with Archive(path) as a:
        c1 = a.start_crawl("kurdistan24", ["ar", "ckb"], None)
        a.record_article(c1, item("kurdistan24:ar:1", "2024-01-01T10:00:00+03:00", "2024-01-01T08:00:00+00:00"))
        a.record_article(c1, item("kurdistan24:ar:2", "2024-01-01T12:00:00+03:00", "2024-01-01T09:00:00+00:00"))
        a.record_article(c1, item("kurdistan24:ar:3", "2024-01-03T12:00:00+03:00", "2024-01-03T09:00:00+00:00"))
        a.record_article(c1, item("kurdistan24:ckb:4", "2024-01-03T13:00:00+03:00", "2024-01-03T10:00:00+00:00"))
        a.record_article(c1, item("kurdistan24:ar:5", "2024-02-01T08:00:00+03:00", "2024-02-01T09:00:00+00:00"))
        a.record_article(c1, item("kurdistan24:ar:6", None, "2024-02-02T09:00:00+00:00"))  # undated: first seen
        a.record_observation(c1, observation("failed", 1))
        a.record_observation(c1, observation("blocked", 2))
        a.record_observation(c1, observation("blocked", 3))
        a.finish_crawl(c1)
        c2 = a.start_crawl("kurdistan24", ["ar"], None)
        # ar:1 published 07:00 UTC, edited by 10:30 UTC (3.5 hours), then again the next day.
        a.record_article(c2, item("kurdistan24:ar:1", "2024-01-01T10:00:00+03:00", "2024-01-01T10:30:00+00:00",
                                  title="الخبر رقم 1 بعد التعديل"))
        a.record_article(c2, item("kurdistan24:ar:1", "2024-01-01T10:00:00+03:00", "2024-01-02T08:00:00+00:00",
                                  title="الخبر رقم 1 بعد التعديل الثاني"))
        # ar:3 published 09:00 UTC on the 3rd, first edit seen on the 10th at 11:00 (170 hours).
        edited = ["نص الخبر رقم 3 أمس."]
        a.record_article(c2, item("kurdistan24:ar:3", "2024-01-03T12:00:00+03:00", "2024-01-10T11:00:00+00:00",
                                  body=edited))
        a.finish_crawl(c2)
    return path


def bars(html: str, section: str) -> list[str]:
    """The bar classes drawn in one chart section of the page."""
    chunk = html.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<rect class="bar ([^"]+)"', chunk)


def test_helpers():
    assert day_axis(["2024-01-03", "2024-01-01", "2024-02-01", "2024-01-03"]) == [
        "2024-01-01", "2024-01-02", "2024-01-03", 28, "2024-02-01"]
    assert day_axis(["2024-01-01", "2024-01-09"]) == ["2024-01-01", *[f"2024-01-0{d}" for d in range(2, 10)]]
    assert first_edit_buckets([0.0, 0.99, 1.0, 5.9, 23, 24, 71.9, 100, 168, 5000]) == [2, 2, 1, 2, 1, 2]


def test_known_archive_figures(known):
    with Archive(known) as a:
        data = gather(a.db)
    assert data["summary"] == {"articles": 6, "live": 6, "gone": 0, "versions": 9, "edits": 3, "edited_articles": 2,
                               "duplicates": 0, "crawls": 2}
    assert [(r["day"], r["edition"], r["n"]) for r in data["articles_per_day"]] == [
        ("2024-01-01", "ar", 2), ("2024-01-03", "ar", 1), ("2024-01-03", "ckb", 1), ("2024-02-01", "ar", 1),
        ("2024-02-02", "ar", 1)]
    assert [(r["day"], r["n"]) for r in data["edits_per_day"]] == [("2024-01-01", 1), ("2024-01-02", 1),
                                                                   ("2024-01-10", 1)]
    assert data["first_edit"] == {"buckets": [0, 1, 0, 0, 0, 1], "articles": 2, "undated": 0}
    assert [(r["key"], r["version_count"], r["edits"]) for r in data["most_edited"]] == [
        ("kurdistan24:ar:1", 3, 2), ("kurdistan24:ar:3", 2, 1)]
    assert [(c["ok"], c["failed"], c["blocked"]) for c in data["crawl_health"]] == [(6, 1, 2), (3, 0, 0)]
    html = render(data, "known.db", generated="2024-02-03T00:00:00+00:00")
    assert bars(html, "articles-per-day") == ["ed-0", "ed-0", "ed-1", "ed-0", "ed-0"]
    assert html.split('id="articles-per-day"', 1)[1].count('class="gap"') == 1  # 28 empty days, one mark
    assert bars(html, "edits-per-day") == ["edit"] * 3
    assert bars(html, "first-edit") == ["delay", "delay"]
    assert bars(html, "crawl-health") == ["ok", "failed", "blocked", "ok"]
    # Bar heights follow the data: 2 articles on the 1st, twice the single ones.
    heights = re.findall(r'<rect class="bar ed-0"[^>]*height="([\d.]+)"',
                         html.split('id="articles-per-day"', 1)[1].split("</section>", 1)[0])
    assert float(heights[0]) == pytest.approx(2 * float(heights[1]))
    # Most edited: links to diff sections in the same page, which show the words that changed.
    assert re.findall(r'<a href="#(diff-[^"]+)">', html) == ["diff-kurdistan24-ar-1", "diff-kurdistan24-ar-3"]
    for anchor in ("diff-kurdistan24-ar-1", "diff-kurdistan24-ar-3"):
        assert f'id="{anchor}"' in html
    section = html.split('id="diff-kurdistan24-ar-3"', 1)[1]
    assert "<del>اليوم</del>" in section and "<ins>أمس</ins>" in section
    assert "<ins>الثاني</ins>" in html.split('id="diff-kurdistan24-ar-1"', 1)[1]


def test_page_is_self_contained_and_rtl(known, tmp_path):
    out = tmp_path / "r.html"
    proc = run_cli("report", "--db", str(known), "-o", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    html = out.read_text("utf-8")
    assert html.startswith('<!DOCTYPE html>\n<html dir="rtl" lang="ar">')
    assert '<meta charset="utf-8">' in html and "<title>تقرير أرشيف الأخبار</title>" in html
    for needle in ("<script", "src=", "<link", "@import", "url(", "<iframe"):
        assert needle not in html, needle  # nothing to fetch: it opens offline
    assert html.count("<svg") >= 4 and 'direction="ltr">2024-01-01<' in html
    proc = run_cli("report", "--db", str(tmp_path / "missing.db"))
    assert proc.returncode == 2 and "no archive at" in proc.stderr


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_demo_report_renders_in_chromium(tmp_path):
    db, html_path, png = tmp_path / "demo.db", tmp_path / "report.html", tmp_path / "report.png"
    proc = run_cli("demo", "--db", str(db))
    assert proc.returncode == 0, proc.stderr[-2000:]
    proc = run_cli("report", "--db", str(db), "-o", str(html_path))
    assert proc.returncode == 0, proc.stderr
    html = html_path.read_text("utf-8")
    # Expected bars, read straight from the archive: one per (publication day, edition), one edit,
    # one first-edit bucket, and per crawl the healthy, failed and blocked parts.
    conn = sqlite3.connect(db)
    day_editions = conn.execute("SELECT count(DISTINCT substr(coalesce(published_at, first_seen_at), 1, 10) "
                                "|| edition) FROM articles").fetchone()[0]
    conn.close()
    assert len(bars(html, "articles-per-day")) == day_editions >= 10
    assert bars(html, "edits-per-day") == ["edit"]
    assert bars(html, "first-edit") == ["delay"]
    assert bars(html, "crawl-health") == ["ok", "failed", "blocked"] * 2
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                        f"--screenshot={png}", "--window-size=1280,2000", html_path.as_uri()],
                       capture_output=True, timeout=120, check=False)
    assert png.is_file(), "chromium wrote no screenshot"
    pixels = decode(png)
    assert pixels.shape == (2000, 1280, 3)
    assert distinct_colours(pixels) > 100  # text, anti-aliasing and charts, not a blank page
    # Every chart drew its bars: solid areas of each bar colour (see archive/report.py CSS).
    areas = {name: colour_count(pixels, colour) for name, colour in [
        ("arabic articles", "2b6cb0"), ("sorani articles", "d69e2e"), ("edits", "805ad5"),
        ("first edit", "3182ce"), ("healthy fetches", "38a169"), ("failed", "e53e3e"), ("blocked", "dd6b20")]}
    assert all(n >= 150 for n in areas.values()), areas
    assert colour_count(pixels, "f6f7f9") > 200_000  # the page background: a real page was laid out


def test_chart_unit_clears_the_top_tick_and_empty_charts_say_so():
    from archive.svg import Slot, bar_chart

    svg = bar_chart([Slot("2024-01-01", [(8, "edit", "8")])], "label", "مقالات", empty="لا تعديلات في هذه الفترة")
    unit_y = float(re.search(r'<text class="unit" x="[\d.]+" y="([\d.]+)"', svg).group(1))
    tick_ys = [float(y) for y in re.findall(r'<text class="tick" x="[\d.]+" y="([\d.]+)"', svg)]
    assert unit_y + 12 <= min(tick_ys)  # a 12 px line of its own above the top number (was: مقالات8)
    assert 'class="empty"' not in svg
    empty = bar_chart([Slot("2024-01-01"), Slot("2024-01-02")], "label", "تعديلات", empty="لا تعديلات في هذه الفترة")
    assert re.findall(r'<text class="empty"[^>]*>([^<]*)</text>', empty) == ["لا تعديلات في هذه الفترة"]
    assert bar_chart([], "label", empty="لا مقالات بعد").count("لا مقالات بعد") == 1
