"""The generic body extractor (crawler/extract/blocks.py, body.py, bodypick.py) on markup the benchmark has."""

from __future__ import annotations

import time
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lxml import etree
from parsel import Selector

from crawler.extract import extract_article
from crawler.extract.blocks import segment
from crawler.extract.body import extract
from crawler.extract.bodypick import declared_paragraphs, generic_body

S1 = "The delegations met on Sunday in Erbil, and the talks lasted for more than six hours."
S2 = "Officials said a technical committee would report on the pipeline within a week, or two."
S3 = "The next round is planned for December, when the budget law goes to parliament again."
AR1 = "أربيل (كوردستان 24)- اجتمع الوفدان، يوم الأحد، في أربيل لبحث استئناف تصدير النفط عبر خط الأنابيب."
AR2 = "وقال مسؤولون إن لجنة فنية ستقدم تقريرها خلال أسبوع؛ وستُعقد الجولة المقبلة في كانون الأول."
NAV = "<nav><ul><li><a href='/'>Home</a></li><li><a href='/w'>World</a></li></ul></nav>"


def body_of(html: str) -> list[str]:
    return extract(Selector(text=html).root)


def page(inner: str, head: str = "") -> str:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{NAV}{inner}</body></html>"


def test_paragraphs_in_document_order_headline_and_nav_left_out() -> None:
    html = page(f"<article><h1>Talks resume</h1><p>{S1}</p><h2>Next steps</h2><p>{S2}</p><p>{S3}</p></article>")
    assert body_of(html) == [S1, "Next steps", S2, S3]


def test_br_separated_text_in_a_div() -> None:
    html = page(f"<div class='text'>{S1}<br>{S2}<br><br>{S3}<br/><br/></div>")
    assert body_of(html) == [f"{S1}\n{S2}", S3]  # <br><br> splits paragraphs, one <br> is a line break


def test_text_directly_in_divs_and_table_cells() -> None:
    assert body_of(page(f"<div><div>{S1}</div><div>{S2}</div></div>")) == [S1, S2]
    legacy = f"<table><tr><td><a href='/'>Home</a></td></tr><tr><td>{S1}<br><br>{S2}</td></tr></table>"
    assert body_of(page(legacy)) == [S1, S2]


def test_a_page_wrapped_in_one_form() -> None:
    html = page(f"<form id='aspnetForm' action='/x.aspx'><div class='story'><p>{AR1}</p><p>{AR2}</p></div>"
                "<input type='hidden' name='__VIEWSTATE' value='x'></form>")
    assert body_of(html) == [AR1, AR2]


def test_split_body_merged_and_boxes_between_left_out() -> None:
    html = page(
        f"<div class='article'><div class='body-part'><p>{S1}</p><p>{S2}</p></div>"
        "<div class='related-stories'><p><a href='/a'>An older story about the same pipeline talks</a></p></div>"
        "<div class='newsletter'><p>Get the latest news in your inbox every morning, sign up now.</p></div>"
        f"<div class='body-part'><p>{S3}</p><p>{S1.replace('Sunday', 'Monday')}</p></div>"
        "<div id='comments'><p>Great article, thanks for writing it, I agree with every word here.</p></div>"
        "</div>")
    assert body_of(html) == [S1, S2, S3, S1.replace("Sunday", "Monday")]


def test_a_link_list_inside_the_body_is_dropped_with_its_label() -> None:
    links = "".join(f"<li><a href='/{i}'>Another story number {i} about the region</a></li>" for i in range(4))
    html = page(f"<article><p>{S1}</p><p>Read more:</p><ul>{links}</ul><p>{S2}</p><p>{S3}</p></article>")
    assert body_of(html) == [S1, S2, S3]


def test_teaser_list_with_summaries_does_not_outweigh_a_short_article() -> None:
    teaser = ("<div class='item'><h3><a href='/s/{0}'>Another headline number {0}</a></h3><p>A summary of another "
              "story, with commas, and more words, about something else entirely, in the region {0}.</p></div>")
    html = page(f"<h1>Talks</h1><div class='main'><p>{S1}</p><p>{S2}</p></div>"
                f"<div class='list'>{''.join(teaser.format(i) for i in range(8))}</div>")
    assert body_of(html) == [S1, S2]
    # A blog post's own title links to itself: one linked heading is not a teaser list.
    post = f"<div class='post'><h2><a href='/p/1'>The post</a></h2><div class='entry'><p>{S1}</p></div></div>"
    assert body_of(page(post)) == [S1]


def test_lists_that_are_body_stay() -> None:
    items = "".join(f"<li>{s}</li>" for s in (S2, S3))
    html = page(f"<article><p>{S1}</p><ul>{items}</ul><p>{S1.replace('Erbil', 'Duhok')}</p></article>")
    assert body_of(html) == [S1, S2, S3, S1.replace("Erbil", "Duhok")]


def test_byline_date_captions_and_credits_left_out() -> None:
    html = page(
        "<article><div class='byline'>By Lana Mohammed</div><p><time datetime='2026-11-20'>20 Nov 2026</time></p>"
        f"<figure><img src='/a.jpg'><figcaption>The delegations in Erbil</figcaption></figure><p>{S1}</p>"
        f"<p>Delegates arrive at the meeting (Image: GETTY)</p><p>{S2}</p><p>Advertisement</p><p>{S3}</p>"
        "<div class='cta'><p>Join the conversation</p></div></article>")
    assert body_of(html) == [S1, S2, S3]


def test_short_last_paragraph_of_the_article_stays() -> None:
    # Arabic is compact: a one-line closing paragraph beside the others is the article's, not furniture.
    html = page(f"<div class='story'><p>{AR1}</p><p>{AR2}</p><p>ويستمر المعرض عشرة أيام.</p><p>بلا نقطة في آخرها</p>"
                "<div class='tags'><a href='/t/1'>وسم</a><a href='/t/2'>آخر</a></div></div>")
    assert body_of(html) == [AR1, AR2, "ويستمر المعرض عشرة أيام.", "بلا نقطة في آخرها"]


def test_comment_thread_denser_than_the_article_does_not_win() -> None:
    comments = "".join(f"<li class='comment'><p>{S3} Comment {i}, and more words, and more.</p></li>"
                       for i in range(12))
    html = page(f"<article class='post'><p>{S1}</p><p>{S2}</p></article>"
                f"<section class='comments'><ol class='commentlist'>{comments}</ol></section>")
    assert body_of(html) == [S1, S2]


def test_a_page_named_has_sidebar_or_author_keeps_its_article() -> None:
    # Furniture names only count inside the chosen container and when they are a minority of it.
    html = page(f"<div class='layout has-sidebar'><article class='post author-lana tag-oil'><p>{S1}</p>"
                f"<p>{S2}</p><p>{S3}</p></article></div>")
    assert body_of(html) == [S1, S2, S3]


def test_arabic_text_is_byte_exact() -> None:
    odd = "ڕاگه\u200cیه\u200cنراوێکی  حكـــومة\u064e  «قال»؟"  # ZWNJ, tatweel, a fatha, guillemets, ؟
    html = page(f"<div class='story'><p>{AR1}</p><p>{AR2} {odd}</p></div>")
    assert body_of(html) == [AR1, f"{AR2} {odd}".replace("  ", " ")]  # only whitespace runs collapse


def test_inline_markup_never_splits_words() -> None:
    html = page(f"<article><p><b>ال</b>حكومة<!-- c -->{AR1}</p><p>{S1} <a href='/x'>link</a> <i>it</i></p>"
                f"<p>{S2}</p></article>")
    assert body_of(html) == [f"الحكومة{AR1}", f"{S1} link it", S2]


def test_short_paragraphs_only() -> None:
    html = page("<div class='brief'><p>وصل الوفد.</p><p>بدأت المحادثات.</p></div><footer><p>حقوق</p></footer>")
    assert body_of(html) == ["وصل الوفد.", "بدأت المحادثات."]


def test_no_text_no_body() -> None:
    assert body_of("<html><body><div><img src='/x.jpg'></div></body></html>") == []
    assert body_of(page("")) == []


def test_deep_nesting_is_walked_without_recursion() -> None:
    root = etree.Element("html")
    el = etree.SubElement(root, "body")
    for _ in range(10_000):
        el = etree.SubElement(el, "div")
    for text in (S1, S2):
        etree.SubElement(el, "p").text = text
    assert extract(root) == [S1, S2]
    assert len(segment(root).blocks) == 2


def test_hostile_markup_stays_linear() -> None:
    for html in ("<div>x " * 100_000, "<p><a>" * 50_000, "<br>" * 100_000, "<li>" * 100_000 + S1):
        started = time.monotonic()
        extract(Selector(text=html).root)
        assert time.monotonic() - started < 2.0


def test_hostile_declared_body_stays_linear() -> None:
    for text in ("<a" * 50_000, "<p>" * 30_000, "a <b " * 20_000, "\n" * 100_000):
        started = time.monotonic()
        declared_paragraphs(text)
        assert time.monotonic() - started < 2.0


def test_declared_body_html_is_stripped() -> None:
    assert declared_paragraphs("<body><p>First <b>one</b>.</p><p class='x'>Second</p></body>") == [
        "First one.", "Second"]
    assert declared_paragraphs("Line one\n\n  Line   two \n") == ["Line one", "Line two"]
    assert declared_paragraphs("a < b and c > d") == ["a < b and c > d"]  # not markup
    assert declared_paragraphs("") == [] and declared_paragraphs(None) == []


def test_declared_body_weighed_against_the_dom() -> None:
    dom = Selector(text=page(f"<article><p>{S1}</p><p>Photo gallery of the day in pictures</p><p>{S2}</p>"
                             "</article>")).root
    full = f"{S1}\n{S2}\n{S3}\n{S3.replace('December', 'January')}\n{S2.replace('week', 'month')}"
    assert generic_body(dom, full) == (full.split("\n"), "jsonld")  # the DOM found much less
    agree = f"<p>{S1}</p><p>{S2}</p>"
    assert generic_body(dom, agree) == ([S1, S2], "fallback")  # agree: the DOM's extra line goes
    assert generic_body(dom, S1[:40]) == ([S1, "Photo gallery of the day in pictures", S2], "fallback")  # excerpt
    assert generic_body(Selector(text=page("")).root, S1) == ([S1], "jsonld")


def test_extract_article_records_the_generic_layers() -> None:
    html = page(f"<div class='story'><p>{AR1}</p><p>{AR2}</p></div>").encode()
    fields = extract_article(html, url="https://example.org/a", content_type="text/html; charset=utf-8",
                             selectors={}, tz="UTC", fetched_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert (fields["body"], fields["sources"]["body"]) == ([AR1, AR2], "fallback")


PAGES = Path(__file__).parent / "fixtures" / "pages"
FIXTURES = sorted(p.name.removesuffix(".expected.json") for p in PAGES.glob("*.expected.json"))


@pytest.mark.parametrize("name", FIXTURES)
def test_without_a_profile_the_site_family_gives_the_profiles_body(name: str) -> None:
    """The generic layer alone on our own fixture pages: the paragraphs the profile's selectors give."""
    doc = json.loads((PAGES / f"{name}.expected.json").read_text("utf-8"))
    inp = doc["input"]
    html = (PAGES / f"{name}.html").read_text("utf-8").encode(inp.get("encode_as", "utf-8"))
    fields = extract_article(html, url=inp["url"], content_type=inp["content_type"], selectors={}, tz="+03:00",
                             fetched_at=datetime.fromisoformat(inp["fetched_at"]))
    expected = doc["expected"]["body"]
    if name == "genc_selectors_only":
        # Its lead (p.lead under the h1) is found only by the profile here: without one it opens the body.
        assert fields["body"][-len(expected):] == expected and len(fields["body"]) <= len(expected) + 1
    else:
        assert fields["body"] == expected
