"""The generic layer for the non-body fields (crawler/extract/fields*.py), one rule at a time, exact values."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from crawler.extract import extract_article
from crawler.extract.fields import clean_author, last_crumb

FETCHED = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
P1 = "أربيل (كوردستان24)- عقد برلمان إقليم كوردستان اليوم جلسة اعتيادية لمناقشة مشروع قانون الانتخابات."
P2 = "وقال رئيس اللجنة القانونية إن الكتل السياسية لم تتوصل بعد إلى اتفاق نهائي بشأن المقاعد."
BODY = f"<div class='txt'><p>{P1}</p><p>{P2}</p></div>"


def extract(inner: str, head: str = "") -> dict[str, Any]:
    html = (f"<html><head><meta charset='utf-8'>{head}</head><body><nav><a href='/'>الرئيسية</a></nav>"
            f"<div class='art'><h1>عنوان الخبر</h1>{inner}</div>"
            "<aside class='related'><a href='/ar/story/2'><img src='/r.jpg' alt='خبر آخر'>خبر آخر</a>"
            "<div class='tags'><a href='/t'>وسم الشريط الجانبي</a></div></aside></body></html>")
    return extract_article(html.encode(), url="https://www.kurdistan24.net/ar/story/1", content_type=None,
                           selectors={}, tz="+03:00", fetched_at=FETCHED)


# --- lead -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("markup", [
    "<div class='article-standfirst'>النواب يختلفون على عدد المقاعد المخصصة للمكونات</div>",
    "<p class='storyIntro'>النواب يختلفون على عدد المقاعد المخصصة للمكونات</p>",
    "<div itemprop='description'>النواب يختلفون على عدد المقاعد المخصصة للمكونات</div>",
    "<p><strong>النواب يختلفون على عدد المقاعد المخصصة للمكونات</strong></p>",
    "<h2>النواب يختلفون على عدد المقاعد المخصصة للمكونات</h2>",
])
def test_lead_from_generic_evidence(markup: str) -> None:
    result = extract(markup + BODY)
    assert (result["lead"], result["sources"]["lead"]) == ("النواب يختلفون على عدد المقاعد المخصصة للمكونات", "generic")
    assert result["body"] == [P1, P2]


def test_lead_is_never_og_or_jsonld_description_nor_the_first_paragraph() -> None:
    head = (f"<meta property='og:description' content='{P1}'><meta name='description' content='{P1}'>"
            f"<script type='application/ld+json'>{{\"@type\":\"NewsArticle\",\"description\":\"{P1}\"}}</script>")
    assert extract(BODY, head)["lead"] is None
    # A lead-classed element holding the first body paragraph's own text is the body, not a lead.
    assert extract(f"<div class='txt'><p class='intro'>{P1}</p><p>{P2}</p></div>")["lead"] is None


def test_no_lead_from_after_the_body_or_from_a_sidebar() -> None:
    assert extract(BODY + "<p class='summary'>ملخص في آخر الصفحة بعد نص الخبر كاملا</p>")["lead"] is None


# --- author -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("byline, expected", [
    ("<span class='byline'>By Karwan Ali</span>", "Karwan Ali"),
    ("<div class='writer'>بقلم: هاوري عبد الله</div>", "هاوري عبد الله"),
    ("<div class='post-author'>كتب - محمود السيد</div>", "محمود السيد"),
    ("<div class='reporter'>نووسینی: ئاسۆ مەحمود</div>", "ئاسۆ مەحمود"),
    ("<span class='news-reporter'>Nûçe: Rojda Şêxo</span>", "Rojda Şêxo"),
    ("<a rel='author' href='/a/1'>Byron Kurdi</a>", "Byron Kurdi"),  # "By" only as a word of its own
    ("<div itemprop='author' itemscope><span itemprop='name'>كاروان علي</span> مراسل</div>", "كاروان علي"),
    ("<div class='byline'>By <a class='byline-name' href='/a'>Karwan Ali</a> · 07 October 2020</div>", "Karwan Ali"),
])
def test_author_from_bylines(byline: str, expected: str) -> None:
    result = extract(byline + BODY)
    assert (result["author"], result["sources"]["author"]) == (expected, "generic")


@pytest.mark.parametrize("raw, expected", [
    ("بقلم أحمد", "أحمد"), ("By: Jane Doe", "Jane Doe"), ("Bylaw Committee", "Bylaw Committee"),
    ("by", None),  # a label alone is no name
    ("  كاروان   علي ", "كاروان علي"), ("نص طويل " * 20, None), (None, None),
])
def test_clean_author(raw: str | None, expected: str | None) -> None:
    assert clean_author(raw) == expected


def test_meta_author_prefix_is_stripped_too() -> None:
    assert extract(BODY, "<meta name='author' content='بقلم: سامان أحمد'>")["author"] == "سامان أحمد"


# --- tags -------------------------------------------------------------------------------------------------
def test_tags_rel_tag_without_categories() -> None:
    tags = ("<footer><a rel='category tag' href='/c'>كوردستان</a> <a rel='tag' href='/t1'>البرلمان</a>"
            "<a rel='tag' href='/t2'>#الانتخابات</a><a rel='tag' href='/t1'>البرلمان</a></footer>")
    result = extract(BODY + tags)
    assert (result["tags"], result["section"]) == (["البرلمان", "الانتخابات"], "كوردستان")


def test_tags_by_class_inside_the_article_only() -> None:
    result = extract(BODY + "<ul class='story-keywords'><li>أربيل</li><li>بغداد</li></ul>")
    assert result["tags"] == ["أربيل", "بغداد"]
    assert extract(BODY)["tags"] == []  # the sidebar's tag box is not the article's


# --- section ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("crumbs, expected", [
    (["الرئيسية", "سياسة", "عنوان الخبر"], "سياسة"),
    (["الرئيسية", "سياسة"], "سياسة"),
    (["Home", "عنوان الخبر"], None),
    (["الرئيسية"], None),
    (["Home ›", "Politics ›", "A very long headline that the trail cuts…"], "Politics"),
])
def test_last_crumb(crumbs: list[str], expected: str | None) -> None:
    title = "A very long headline that the trail cuts short" if "Home ›" in crumbs else "عنوان الخبر"
    assert last_crumb(crumbs, title) == expected


def test_section_from_a_kicker_above_the_title() -> None:
    html = (f"<html><body><div class='art'><a class='story-category' href='/c'>اقتصاد</a><h1>عنوان الخبر</h1>"
            f"{BODY}</div></body></html>")
    result = extract_article(html.encode(), url="https://www.kurdistan24.net/ar/story/1", content_type=None,
                             selectors={}, tz="+03:00", fetched_at=FETCHED)
    assert (result["section"], result["sources"]["section"]) == ("اقتصاد", "generic")


# --- images -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("markup, expected", [
    ("<figure><img src='/a.jpg' alt='بديل'><figcaption>تعليق</figcaption></figure>", [("/a.jpg", "تعليق")]),
    ("<figure><img src='/blank.gif' data-src='/lazy.jpg'><div class='photo-caption'>تعليق</div></figure>",
     [("/lazy.jpg", "تعليق")]),
    ("<img src='data:image/gif;base64,R0l=' data-lazy-src='/l2.jpg' alt='بديل'>", [("/l2.jpg", "بديل")]),
    ("<img srcset='/s-480.jpg 480w, /s-1200.jpg 1200w, /s-800.jpg 800w'>", [("/s-1200.jpg", None)]),
    ("<div class='pic'><img src='/c.jpg'><span class='caption'>تعليق خارج figure</span></div>",
     [("/c.jpg", "تعليق خارج figure")]),
    ("<div><a href='/big.jpg'><img src='/t.jpg'></a><em>تعليق بخط مائل</em></div>", [("/t.jpg", "تعليق بخط مائل")]),
    ("<img src='/icon.png' width='16' height='16'><img class='author-avatar' src='/me.jpg'>", []),
    ("<a href='/ar/story/9'><img src='/card.jpg'></a>", []),  # a teaser card for another article
])
def test_images_and_captions(markup: str, expected: list[tuple[str, str | None]]) -> None:
    result = extract(markup + BODY)
    got = [(i["url"].removeprefix("https://www.kurdistan24.net"), i["caption"]) for i in result["images"]]
    assert got == expected
    if expected:
        assert result["sources"]["images"] == "generic"


def test_head_image_only_without_article_images() -> None:
    head = "<meta property='og:image' content='https://static.kurdistan24.net/og.jpg'>"
    assert extract(BODY, head)["images"] == [{"url": "https://static.kurdistan24.net/og.jpg", "caption": None}]
    assert extract("<figure><img src='/a.jpg'></figure>" + BODY, head)["images"] == [
        {"url": "https://www.kurdistan24.net/a.jpg", "caption": None}]


# --- rules added after the held-out pages (drift_holdout_*) ------------------------------------------------
def test_title_the_page_title_names_beats_a_blog_name_heading() -> None:
    html = ("<html><head><title>كوردستان24: حملة لزراعة مليون شجرة في حلبجة</title></head><body>"
            "<div id='header-wrapper'><h1>كوردستان24</h1></div><div class='post'>"
            f"<h3 class='post-title'>حملة لزراعة مليون شجرة في حلبجة</h3>{BODY}</div></body></html>")
    result = extract_article(html.encode(), url="https://www.kurdistan24.net/ar/story/1", content_type=None,
                             selectors={}, tz="+03:00", fetched_at=FETCHED)
    assert (result["title"], result["sources"]["title"]) == ("حملة لزراعة مليون شجرة في حلبجة", "generic")
    # The usual page: the first h1 is what the <title> names, the fallback layer keeps it.
    usual = extract(BODY, "<title>عنوان الخبر | كوردستان24</title>")
    assert (usual["title"], usual["sources"]["title"]) == ("عنوان الخبر", "fallback")


@pytest.mark.parametrize("markup, expected", [
    ("<div class='news-item-sub'>نرخی یەک مسقاڵ زێڕ گەیشتە ٤٥٠ هەزار دینار</div>", "نرخی یەک مسقاڵ زێڕ گەیشتە ٤٥٠ هەزار دینار"),
    ("<div class='news-date'>الأربعاء، 07 أكتوبر 2020 - 12:09 م</div>", None),
    ("<div class='story-byline'>بقلم كاروان علي من أربيل اليوم</div>", None),
])
def test_a_plain_block_right_under_the_headline_is_the_lead(markup: str, expected: str | None) -> None:
    assert extract(markup + BODY)["lead"] == expected


def test_a_body_right_under_the_headline_is_no_lead() -> None:
    assert extract(BODY)["lead"] is None
    assert extract(f"<p>{P1}</p><p>{P2}</p>")["lead"] is None


def test_microformat_abbr_title_date() -> None:
    markup = ("<span class='post-timestamp'><abbr class='published' title='2016-09-12T09:40:00+03:00'>9:40 ص</abbr>"
              "</span>")
    result = extract(markup + BODY)
    assert (result["published_at"], result["sources"]["published_at"]) == ("2016-09-12T09:40:00+03:00", "generic")


def test_amp_img_and_a_lone_caption_beside_the_picture() -> None:
    amp = ("<figure><amp-img src='https://static.kurdistan24.net/h.jpg' layout='responsive' alt='بديل'></amp-img>"
           "<figcaption>مبنى المستشفى</figcaption></figure>")
    assert extract(amp + BODY)["images"] == [{"url": "https://static.kurdistan24.net/h.jpg", "caption": "مبنى المستشفى"}]
    lone = "<div class='pic'><img src='/g.jpg' alt=''><div class='pic-text'>دوکانێکی زێڕفرۆشی</div></div>"
    assert extract(lone + BODY)["images"] == [{"url": "https://www.kurdistan24.net/g.jpg", "caption": "دوکانێکی زێڕفرۆشی"}]
    two = "<div class='pic'><img src='/g.jpg' alt=''><div>نص</div><div>نص آخر</div></div>"
    assert extract(two + BODY)["images"] == [{"url": "https://www.kurdistan24.net/g.jpg", "caption": None}]
