"""No regular expression can be driven into catastrophic backtracking: 100 000-character adversarial inputs, time-bounded."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from w3lib.html import remove_tags_with_content

from archive.query import build_match
from archive.text import display, key, split_dateline
from crawler.extract import extract_article
from crawler.extract.block import detect_block
from crawler.extract.charset import decode_html
from crawler.extract.dates import parse_absolute, resolve_relative
from crawler.extract.scan import first_title, strip_elements
from crawler.feeds import FeedError, parse_feed
from crawler.site import load_site
from pipelines.clean import Boilerplate

N = 100_000
BOUND = 2.0  # seconds; each case takes milliseconds, quadratic ones took 1 to 74 s before the fixes
PROFILE = load_site("kurdistan24")
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SITE = "https://www.kurdistan24.net"


def bounded(call: Callable[[], Any]) -> None:
    started = time.monotonic()
    try:
        call()
    except (ValueError, FeedError):
        pass  # refusing the input is fine; hanging on it is not
    assert time.monotonic() - started < BOUND


URL_PATHS = ["/" * N, "/ar/story/" + "1" * N + "/x/", "/ar/story/1" + "-" * N, "/public/index.php/ar/story/1-" + "/" * N,
             "/ar/news/" + "0" * N, "/ar/list/category/" + "a/" * (N // 2) + "?", "/ar/" + "ar/" * (N // 3),
             "/ar/category/" + "1" * N + "/" + "x" * N]


@pytest.mark.parametrize("path", URL_PATHS, ids=range(len(URL_PATHS)))
def test_profile_url_regexes(path: str) -> None:
    bounded(lambda: PROFILE.identify(SITE + path))
    bounded(lambda: PROFILE.listing_edition(SITE + path))
    for rule in PROFILE.article_urls:
        bounded(lambda regex=rule.regex: regex.match(path))


BOILERPLATE_LINES = ["منذ " + "ساعات " * (N // 6), "منذ 3" + " " * N + "x", "پێش " * (N // 4), "1" * N + " view",
                     "12 " + "v" * N, "تابعونا على " * (N // 12)]


@pytest.mark.parametrize("line", BOILERPLATE_LINES, ids=range(len(BOILERPLATE_LINES)))
def test_boilerplate_patterns(line: str) -> None:
    boilerplate = Boilerplate(PROFILE.boilerplate)
    bounded(lambda: boilerplate.matches(line))
    for pattern in boilerplate.patterns:  # the raw patterns, on unbounded input (matches() caps the length)
        bounded(lambda pattern=pattern: pattern.search(key(line)))


DATELINES = ["أربيل " * (N // 6), "أ " * (N // 2) + "(", "(" * N, "a (" + "b " * N, "كوردستان (" + " x" * (N // 2),
             "أربيل (كوردستان 24" + " " * N, "أربيل" + " (" * (N // 2) + ")-"]


@pytest.mark.parametrize("text", DATELINES, ids=range(len(DATELINES)))
def test_dateline(text: str) -> None:
    bounded(lambda: split_dateline(text))


DATES = ["2025-06-10T" * (N // 11), "1" * N, "1:" * (N // 2), "12:30 " * (N // 6), "2025/06/10 " * (N // 11),
         "0" * N + "-", "+03:00" * (N // 6), "منذ " + "3 " * (N // 2), "منذ" + " ساعة" * (N // 5), "پێش " + "11 " * (N // 3)]


@pytest.mark.parametrize("text", DATES, ids=range(len(DATES)))
def test_dates(text: str) -> None:
    bounded(lambda: parse_absolute(text, PROFILE.selectors["date_formats"], PROFILE.timezone))
    bounded(lambda: resolve_relative(text, NOW, tz=PROFILE.timezone))


QUERIES = ['"' * N, "a " * (N // 2), "OR " * (N // 3), "-" * N, "NOT " * (N // 4) + "x", '"a' * (N // 2), "(" * N,
           "والحكومة " * (N // 9), "*" * N, "NEAR(" * (N // 5), "a OR " * (N // 5) + "b", "-a " * (N // 3)]


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_query_parser(query: str) -> None:
    bounded(lambda: build_match(query))


MARKUP = ["<title" * (N // 6), "<title>" * (N // 7), "<script>" * (N // 8), "<style x" * (N // 8), "<head>" * (N // 6),
          "<meta charset=" * (N // 14), "<!--" * (N // 4), "<" * N, "<a " * (N // 3), '<a href="' * (N // 9),
          "<title>x</title" + " " * N, "</title>" * (N // 8) + "<title>", "&#" * (N // 2), "&amp" * (N // 4)]


@pytest.mark.parametrize("html", MARKUP, ids=range(len(MARKUP)))
def test_markup_scans(html: str) -> None:
    bounded(lambda: detect_block(200, html, list(PROFILE.block_markers)))
    bounded(lambda: decode_html(html.encode(), None))
    bounded(lambda: extract_article(html.encode(), url=SITE + "/ar/story/1", content_type=None,
                                    selectors=PROFILE.selectors, tz=PROFILE.timezone, fetched_at=NOW))
    bounded(lambda: parse_feed(html.encode(), SITE))


@pytest.mark.parametrize("header", ["text/html; charset=" + " " * N, "charset=" * (N // 8), "charset=\"" + " " * N,
                                    "text/html;" + " " * N + "charset"])
def test_content_type_header(header: str) -> None:
    bounded(lambda: decode_html(b"<p>x</p>", header))


TEXTS = ["Ã" * N, "Ø§" * (N // 2), "Ø " * (N // 2), "\u200c" * N, " \u200c" * (N // 2), "\n \n" * (N // 3),
         "Ã˜Â" * (N // 3), "ـ" * N, "1.2," * (N // 4), "\u202b" * N]


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_text_layers(text: str) -> None:
    bounded(lambda: display(text))
    bounded(lambda: key(text))


# --- the linear scans agree with the regexes they replace ----------------------------------------------
_OLD_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
HIDDEN = ("script", "style", "template", "head")
PIECES = st.sampled_from(["<title>", "</title>", "<title lang=ar>", "</title >", "<script>", "</script>", "<style>",
                          "</style>", "<head>", "</head>", "<header>", "<script/>", "<template>", "</template>",
                          "<p>", "</p>", "x", "نص", " ", "\n", ">", "<", "<scripts>", "</script x>", "</SCRIPT>"])


@settings(max_examples=500, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_linear_scans_agree_with_the_regexes(html: str) -> None:
    m = _OLD_TITLE.search(html)
    assert first_title(html) == (m.group(1) if m else None)
    assert strip_elements(html, HIDDEN) == remove_tags_with_content(html, which_ones=HIDDEN)
