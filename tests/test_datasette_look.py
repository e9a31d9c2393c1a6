"""Datasette as an Arabic reader sees it: RTL cells, decoded URLs, display-text snippets, folded column notes, and
the article page with the word diff of each edit; over real HTTP, and in headless chromium with screenshots."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import datasette_pages as pages
from archive.store import Archive
from tests.conftest import serve_process, until_answering
from tests.pngdecode import colour_count, decode, distinct_colours
from tests.test_datasette import free_port

pytest.importorskip("datasette")

SLUG = urllib.parse.quote("وفد-الحكومة-الاتحادية-يصل-إلى-أربيل-لبحث-ملف-الرواتب-والموازنة-العامة")
URL = "https://www.kurdistan24.net/ar/story/{n}/" + SLUG
KEY = "kurdistan24:ar:1"
SHOTS = Path(os.environ.get("NEWSARCHIVE_SCREENSHOTS", tempfile.gettempdir())) / "newsarchive-datasette"


def item(n: int, title: str, body: list[str], fetched: str, edition: str = "ar") -> dict:
    return {"key": f"kurdistan24:{edition}:{n}", "url": URL.format(n=n), "title": title, "body": body,
            "lead": "وصل وفد من الحكومة الاتحادية إلى أربيل صباح اليوم.",
            "published_at": "2024-01-15T10:00:00+03:00", "fetched_at": fetched}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("look") / "newsarchive.db"
    with Archive(path) as a:
        crawl = a.start_crawl("kurdistan24", ["ar", "ckb"], None)
        a.record_article(crawl, item(1, "وفد الحكومة الاتحادية يصل إلى أربيل لبحث ملف الرواتب والموازنة العامة للعام المقبل",
                                     ["وصل وفد من الحكومة الاتحادية إلى أربيل اليوم لبحث ملف الرواتب.",
                                      "وقال المتحدث إن الاجتماع كان إيجابياً."], "2024-01-15T08:00:00+00:00"))
        a.record_article(crawl, item(2, "برلمان كوردستان يناقش الموازنة",
                                     ["عقد برلمان إقليم كوردستان جلسة لمناقشة قانون الموازنة."],
                                     "2024-01-15T08:01:00+00:00"))
        a.record_article(crawl, item(3, "شاندێکی حکوومەتی فیدراڵ گەیشتە هەولێر",
                                     ["ئەمڕۆ شاندێکی حکوومەتی فیدراڵ گەیشتە هەولێر."], "2024-01-15T08:02:00+00:00",
                                     edition="ckb"))
        a.finish_crawl(crawl)
        crawl = a.start_crawl("kurdistan24", ["ar"], None)
        a.record_article(crawl, item(1, "وفد حكومي يصل إلى أربيل لبحث ملف الرواتب والموازنة العامة للعام المقبل",
                                     ["وصل وفد من الحكومة الاتحادية إلى أربيل مساء أمس لبحث ملف الرواتب.",
                                      "وقال المتحدث إن الاجتماع كان إيجابياً.", "وسيعقد لقاء ثان الأسبوع المقبل."],
                                     "2024-01-16T08:00:00+00:00"))
        a.finish_crawl(crawl)
    port = free_port()
    proc = serve_process(path, port)
    base = f"http://127.0.0.1:{port}"
    try:
        until_answering(proc, lambda: fetch(f"{base}/-/newsarchive.css"))
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def search_url(base: str, q: str) -> str:
    return f"{base}/newsarchive/search?q={urllib.parse.quote(q)}"


def article_url(base: str) -> str:
    return base + pages.article_link(KEY, "newsarchive")


def test_search_shows_display_text_with_marks_rtl(server):
    page = fetch(search_url(server, "حكومة"))
    # The display text, its matched word marked: not the folded key (الحكومه) nor the index terms (حكوم).
    assert '<div class="na-rtl" dir="rtl" lang="ar">وصل وفد من <mark>الحكومة</mark> الاتحادية' in page
    assert "الحكومه" not in page and "حكوم " not in page
    assert 'class="na-url"' in page and ">kurdistan24.net/ar/story/1/وفد-الحكومة-الاتحادية" in page  # decoded
    assert f'href="{pages.article_link(KEY, "newsarchive")}"'.replace("&", "&amp;") in page
    page = fetch(search_url(server, "أربيل"))  # the Sorani article writes هەولێر
    assert 'lang="ckb"' in page and "<mark>هەولێر</mark>" in page


def test_table_pages_fold_column_notes_below_the_rows(server):
    page = fetch(f"{server}/newsarchive/latest_versions")
    assert pages.CSS_PATH in page and "Column descriptions (" in page  # the folding script
    assert '<div class="na-rtl" dir="rtl" lang="ar">وفد حكومي يصل إلى أربيل' in page
    assert "td.col-title" in fetch(f"{server}{pages.CSS_PATH}")


def test_article_page_shows_versions_and_word_diffs(server):
    page = fetch(article_url(server))
    assert "2 version(s)" in page and "version 1 · fetched 2024-01-15" in page and "version 2 · fetched 2024-01-16" in page
    assert "<del>الحكومة الاتحادية</del> <ins>حكومي</ins>" in page  # the title's edit
    assert "<del>اليوم</del> <ins>مساء أمس</ins>" in page  # a word changed in paragraph 1
    assert "<ins>وسيعقد لقاء ثان الأسبوع المقبل.</ins>" in page  # an added paragraph
    with pytest.raises(urllib.error.HTTPError) as missing:
        fetch(server + pages.article_link("kurdistan24:ar:404", "newsarchive"))
    assert missing.value.code == 404


def shoot(url: str, png: Path, size: str = "1280,1000") -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                        f"--screenshot={png}", f"--window-size={size}", url],
                       capture_output=True, timeout=120, check=False)
    assert png.is_file(), f"chromium wrote no screenshot of {url}"


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_pages_render_in_chromium(server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    shots = {"search": search_url(server, "حكومة"), "latest_versions": f"{server}/newsarchive/latest_versions",
             "article": article_url(server)}
    pixels = {}
    for name, url in shots.items():
        png = SHOTS / f"{name}.png"
        png.unlink(missing_ok=True)
        shoot(url, png)
        pixels[name] = decode(png)
        assert distinct_colours(pixels[name]) > 50, name  # text was drawn, not a blank or error page
    assert colour_count(pixels["search"], "ffe066") > 300  # the marked words' yellow
    assert colour_count(pixels["article"], "d3f9d8") > 300  # inserted words, green
    assert colour_count(pixels["article"], "ffe3e3") > 300  # deleted words, red
