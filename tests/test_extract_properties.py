"""Extraction and cleaning on arbitrary bytes, Unicode and HTML: never raises, deterministic; malformed pages still extract."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.text import display, key
from crawler.extract import extract_article
from crawler.site import load_site
from pipelines.clean import Boilerplate, clean_article

PROFILE = load_site("kurdistan24")
FETCHED = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
FIELDS = {"title", "lead", "body", "author", "section", "tags", "images", "published_at", "published_approx",
          "modified_at", "canonical_url", "html_lang", "sources", "encoding", "replacement_chars", "charset_note",
          "dropped"}


def extract(body: bytes, content_type: str | None = "text/html; charset=utf-8") -> dict[str, Any]:
    return extract_article(body, url="https://www.kurdistan24.net/ar/story/1/x", content_type=content_type,
                           selectors=PROFILE.selectors, tz=PROFILE.timezone, fetched_at=FETCHED)


def check(result: dict[str, Any]) -> None:
    assert set(result) == FIELDS
    assert result["title"] is None or (isinstance(result["title"], str) and result["title"].strip())
    assert all(isinstance(p, str) and p.strip() for p in result["body"])
    assert isinstance(result["replacement_chars"], int) and result["replacement_chars"] >= 0


# --- arbitrary input -------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000), st.sampled_from([None, "text/html", "text/html; charset=utf-8",
                                                 "text/html; charset=windows-1256", "text/html; charset=x-bogus"]))
def test_arbitrary_bytes(body: bytes, content_type: str | None) -> None:
    result = extract(body, content_type)
    check(result)
    assert extract(body, content_type) == result


TAGS = ["html", "head", "body", "article", "div", "p", "h1", "h2", "span", "a", "form", "table", "td", "tr",
        "script", "style", "nav", "header", "figure", "figcaption", "img", "time", "br", "title", "meta", "template"]
ATTRS = ['class="reader-content"', 'class="intro"', 'itemprop="Title"', 'class="lead"', 'datetime="2025-06-10T07:30"',
         'property="og:title" content="x"', 'type="application/ld+json"', 'href="/ar/story/2"', 'src="/a.jpg"', ""]
TEXT = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["أربيل (كوردستان 24)- قال", "منذ 3 ساعات", "پێش 11 خولەک", '{"@type": "NewsArticle", "headline": "x"',
     "&amp;", "&#x202B;", "<!--", "-->", "]]>", "\u200c\u200c", "\ufeff", "Ø§Ù„", "2025/06/10 07:30"])


@st.composite
def html_soup(draw: st.DrawFn) -> str:
    """Tag soup: random open and close tags (unclosed, stray, misnested), attributes and text."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 3))
        tag = draw(st.sampled_from(TAGS))
        if kind == 0:
            parts.append(f"<{tag} {draw(st.sampled_from(ATTRS))}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        else:
            parts.append(draw(TEXT))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(html_soup())
def test_arbitrary_html(soup: str) -> None:
    body = soup.encode("utf-8", "surrogatepass")
    result = extract(body)
    check(result)
    assert extract(body) == result


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.lists(st.text(max_size=200), max_size=5))
def test_arbitrary_unicode_in_an_article_page(title: str, paragraphs: list[str]) -> None:
    from html import escape

    page = ('<html><head><meta charset="utf-8"></head><body><article><h1 itemprop="Title">' + escape(title) +
            '</h1><div class="reader-content">' + "".join(f"<p>{escape(p)}</p>" for p in paragraphs) +
            "</div></article></body></html>").encode("utf-8", "surrogatepass")
    result = extract(page)
    check(result)
    assert extract(page) == result


# --- cleaning ------------------------------------------------------------------------------------------
BOILERPLATE = Boilerplate(PROFILE.boilerplate)
FIELD_TEXT = st.text(max_size=120) | st.sampled_from(["اقرأ أيضاً", "منذ 3 ساعات", "تابعونا على تويتر", "12 views",
                                                      "أربيل (كوردستان 24)- قال الوزير", "Ø§Ù„Ø­ÙƒÙˆÙ…Ø©"])


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({
    "title": FIELD_TEXT, "lead": st.none() | FIELD_TEXT, "author": st.none() | FIELD_TEXT,
    "section": st.none() | FIELD_TEXT, "body": st.lists(FIELD_TEXT, max_size=6), "tags": st.lists(FIELD_TEXT, max_size=3),
    "images": st.lists(st.fixed_dictionaries({"url": st.just("https://x/a.jpg"), "caption": st.none() | FIELD_TEXT}),
                       max_size=2),
}))
def test_cleaning_never_raises_is_deterministic_and_idempotent(item: dict[str, Any]) -> None:
    first = clean_article(copy.deepcopy(item), BOILERPLATE)
    assert clean_article(copy.deepcopy(item), BOILERPLATE) == first
    again = clean_article(copy.deepcopy(first), BOILERPLATE)
    for name in ("title", "lead", "author", "section", "tags", "images", "body", "dateline_place", "dateline_agency"):
        assert again[name] == first[name], name
    for paragraph in first["body"]:
        assert paragraph == display(paragraph) and paragraph.strip()
        assert key(paragraph) == key(display(paragraph))


# --- malformed pages still extract ----------------------------------------------------------------------
TITLE = "البرلمان يصوت على قانون الموازنة"
P1 = "أربيل (كوردستان 24)- صوت برلمان إقليم كوردستان اليوم على قانون الموازنة العامة للعام المقبل."
P2 = "وقال رئيس البرلمان إن القانون يضمن رواتب الموظفين ويزيد مخصصات المشاريع الخدمية في المحافظات."

MALFORMED = {
    "unclosed tags": f'<html><head><meta charset="utf-8"><title>{TITLE}</title><body><article><div class="intro">'
                     f'<h1 itemprop="Title">{TITLE}</h1><div class="reader-content"><p>{P1}<p>{P2}<div>',
    "stray end tags": f'<html><body></span></div></p><article><div class="intro"><h1 itemprop="Title">{TITLE}</h1>'
                      f'</b></div></td><div class="reader-content"><p>{P1}</p></tr></i><p>{P2}</p></div></article>'
                      "</article></div></body></html></html>",
    "nested forms": f'<html><body><form><article><form><div class="intro"><h1 itemprop="Title">{TITLE}</h1></div>'
                    f'<form><div class="reader-content"><p>{P1}</p><form><p>{P2}</p></form></div></form></form>'
                    "</article></form></body></html>",
    "misnested inline": f'<html><body><article><div class="intro"><h1 itemprop="Title"><b>{TITLE}</h1></b></div>'
                        f'<div class="reader-content"><p><i>{P1}</p><p>{P2}</i></p></div></article></body></html>',
    "unterminated comment at the end": f'<html><body><article><div class="intro"><h1 itemprop="Title">{TITLE}</h1>'
                                       f'</div><div class="reader-content"><p>{P1}</p><p>{P2}</p></div></article>'
                                       "<!-- footer",
    "attributes without quotes": f"<html><body><article><div class=intro><h1 itemprop=Title>{TITLE}</h1></div>"
                                 f"<div class=reader-content><p>{P1}</p><p>{P2}</p></div></article></body></html>",
}


def test_malformed_html_still_extracts() -> None:
    for name, page in MALFORMED.items():
        result = extract(page.encode())
        assert (result["title"], result["body"]) == (TITLE, [P1, P2]), name
        assert result["sources"]["body"] == "selector", name
