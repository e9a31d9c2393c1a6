"""The generic layer for title, lead, author, tags and section: evidence any layout has (docs/extraction.md).

Used below the profile's selectors, so a page of an unknown layout still gives every field. Each finder
looks inside the article's scope (crawler/extract/fields_page.py: the smallest element holding both the
title and the first body paragraph), never in navigation, sidebars or footers outside it, and returns
None / [] rather than guess. Images are fields_media.py, dates fields_dates.py.
"""

from __future__ import annotations

import re

from collections.abc import Iterable, Sequence
from itertools import islice

from lxml import etree
from parsel import Selector

from .bylines import BYLINE_LINE, byline_name, byline_paragraph
from .crumbs import home_trail
from .headerlines import header_lines
from .fields_page import Page, body_element, in_furniture, marked, order, words
from .selectors import element_text, one_line
from .tree import tagged

__all__ = ["Page", "in_furniture", "title", "lead", "bold_lead", "author", "byline_paragraph", "clean_author", "tags", "section",
           "last_crumb"]

# "By", "بقلم", "كتب", "نووسینی" ... before a name; the colon or dash after them is optional.
_BYLINE = re.compile(
    r"^\s*(?:written\s+by|posted\s+by|by|بقلم|بواسطة|كتب|كتبت|كتبه|إعداد|اعداد|تقرير|المحرر|مراسل|نووسینی|نووسین|"
    r"نووسەر|نوسەر|ئامادەکردنی|نوشته|nivîsandina|nivîskar|ji\s+aliyê|yazan)\s*[:：\-–—|]?\s+(?=\S)", re.I)
_MAX_NAME = 80
_LETTER = re.compile(r"[^\W\d_]")
_DATE_LIKE = re.compile(r"\d{4}|\d{1,2}:\d{2}")  # a year or a clock time: no part of a name
_LABEL_ONLY = re.compile(r"^\s*(?:written\s+by|posted\s+by|by|بقلم|بواسطة|كتب|إعداد|اعداد|تقرير|المحرر|نووسینی|"
                         r"نووسەر|ئامادەکردنی)\s*[:：\-–—|]?\s*$", re.I)
# Class words of the blocks under a headline that are not a standfirst.
_NOT_LEAD = re.compile(r"author|byline|writer|reporter|date|time|stamp|publish|posted|meta|info|share|social|tag|"
                       r"caption|credit|crumb|categor|kicker|views|comment|print|font")
_BLOCKS = frozenset("p div ul ol table figure img picture video iframe form h1 h2 h3 h4 h5 h6".split())
# "Nûçe: Name", "Reporter: Name", "تقرير: Name": one or two label words and a colon before the name.
_LABEL = re.compile(r"^[^\W\d_]+(?:\s[^\W\d_]+)?\s*[:：]\s*(?=\S)")
def title(root: Selector, first_heading: str | None) -> str | None:
    """A headline the <title> names, when the first heading is not it (a blog's name in an h1 above the
    post's own h3). None when the first heading stands: the <title> holds most of it, or nothing better."""
    page = one_line(root.xpath("string(//title[1])").get())
    if not page or not first_heading or _names(page, first_heading):
        return None
    # The itemprop elements as the attributes' parents: the same elements, without reading every element's
    # attributes (crawler/extract/fields_page.py, title_element).
    for node in root.xpath("//h1 | //h2 | //h3 | //@itemprop[. = 'headline']/.."):
        text = one_line(element_text(node))
        if text and text != first_heading and _names(page, text) and not in_furniture(node.root, None):
            return text
    return None


def _names(page_title: str, heading: str) -> bool:
    """The page's <title> is this heading, give or take a site name."""
    return heading in page_title and len(heading) >= 0.5 * len(page_title)


def lead(page: Page) -> str | None:
    """A standfirst: an element marked as lead/summary/intro (class, id, itemprop=description) near the
    title, the first paragraph after the title set apart in bold, or a plain block right under the
    headline; never a body paragraph itself."""
    page.marks  # the page's walk first: the heading then needs no walk of its own for itemprop=headline
    heading, start, scope = page.heading, page.start, page.scope
    top = scope if scope is not None else (heading.getparent() if heading is not None else page.root.root)
    if top is None:
        return None
    roles = [el for el in marked(page, "lead", top)] + [el for el in page.itemprop("description")
                                                          if el.get("itemprop") == "description"]
    under = heading.getnext() if heading is not None else None
    bold = top.xpath("descendant::p[count(*) = 1][strong or b]")
    # Only these few candidates are placed in document order (a walk over the page cost more than the rest).
    start_key = order(start) if start is not None else None
    heading_key = order(heading) if heading is not None else ()
    found: list[tuple[tuple[int, ...], etree._Element]] = []
    for el in {*roles, *bold, *([under] if under is not None else [])}:
        if not isinstance(el.tag, str) or el.tag.lower() in ("meta", "img", "script", "style", "a", "time"):
            continue
        key = order(el)
        if start_key is not None and (key >= start_key or start_key[:len(key)] == key):
            if not (el in roles and start_key[:len(key)] == key):
                continue  # at or after the body's start (an ancestor of it only when marked as a lead)
        after_title = heading is None or (key > heading_key and heading_key != key[:len(heading_key)])
        if el in roles or (after_title and el.tag.lower() == "p" and _all_bold(el)) \
                or (el is under and _plain_block(el, start)):
            found.append((key, el))
    paragraphs = set(page.body)
    first = one_line(page.body[0]) if len(page.body) > 2 else None
    for _, el in sorted(found, key=lambda pair: pair[0]):
        if in_furniture(el, scope):
            continue
        text = one_line(element_text(el))
        if not text or not _lead_like(text, page.title) or _META_LINE.search(text):
            continue
        if sum(1 for _ in el.iter("p")) > 1:
            continue  # a box of paragraphs is text, not a one-block standfirst
        # A block classed as the standfirst (`<p class="entry-summary">` between the photo and the text) that
        # the body took as its first paragraph is still the lead (the caller drops it from the body) when it
        # stands outside the body's container; an intro paragraph among the body's own is the story's.
        if text not in paragraphs or (el in roles and text == first and el.tag.lower() == "p"
                                      and not _beside_body(el, page)):
            return text
    return None


def _beside_body(el: etree._Element, page: Page) -> bool:
    """`el` shares its parent with the body's second paragraph (an intro inside the body's container)."""
    second = body_element(page.root, page.body[1:2])
    if second is None:
        return True  # unknown: keep the paragraph in the body
    block = next((b for b in (second, *second.iterancestors()) if isinstance(b.tag, str) and b.tag.lower() == "p"),
                 second)
    return block.getparent() is el.getparent()


def bold_lead(page: Page) -> str | None:
    """The body's first paragraph as the lead when it is set apart in bold as a whole (`<p><strong>..</strong></p>`)
    and the body goes on for at least two paragraphs: a standfirst the CMS put inside the body container."""
    start, body = page.start, page.body
    if start is None or len(body) < 3 or not isinstance(start.tag, str) or start.tag.lower() not in ("strong", "b"):
        return None
    parent = start.getparent()
    if parent is None or parent.tag != "p" or not _all_bold(parent):
        return None
    text = one_line(element_text(parent))
    if text != one_line(body[0]) or not _lead_like(text, page.title) or len(text) > 400:
        return None
    # Only when the next paragraph opens the story with a dateline ("ERBIL (Kurdistan24) –"): the story
    # starts there, so the bold line above it is no part of it (a bold first paragraph is often the story's).
    return text if _DATELINE.match(body[1]) else None


# "ERBIL (Kurdistan24) –", "هەولێر (کوردستان24)-", "WASHINGTON (Reuters) -": place, (agency), dash or colon.
_DATELINE = re.compile(r"^[^()\n.]{2,40}\([^()\n]{2,30}\)\s*[-–—:]")

# A date or a clock time: the line under a headline holding one is its byline/date line, not a standfirst.
_META_LINE = re.compile(r"\d{4}[/.-]\d{1,2}[/.-]\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|(?<!\d)\d{1,2}:\d{2}(?!\d)")


def _plain_block(el: etree._Element, start: etree._Element | None) -> bool:
    if el.tag.lower() not in ("p", "div", "h2", "h3", "h4", "span", "strong", "b"):
        return False
    if any(_NOT_LEAD.search(w) for w in words(el)):
        return False
    for d in el.iterdescendants():
        if d is start or (isinstance(d.tag, str) and d.tag.lower() in _BLOCKS):
            return False
    return True


def _all_bold(el: etree._Element) -> bool:
    """A paragraph whose whole text sits in one <strong>/<b> (a lead styled apart from the body)."""
    if len(el) != 1 or (el.text or "").strip() or (el[0].tail or "").strip():
        return False
    return isinstance(el[0].tag, str) and el[0].tag.lower() in ("strong", "b")


def _lead_like(text: str, title: str | None) -> bool:
    return text != title and 15 <= len(text) <= 1000 and len(text.split()) >= 3


def author(page: Page) -> str | None:
    """rel=author, itemprop=author (its itemprop=name), then bylines by class; the "By" word removed."""
    root, scope = page.root, page.scope
    for el in page.rel("author") + [e for e in page.itemprop("author") if "author" not in (e.get("rel") or "")]:
        if in_furniture(el, scope) and el.tag.lower() != "link":
            continue
        names = el.xpath(".//*[@itemprop='name' or @property='schema:name' or @property='foaf:name']")
        text = (element_text(names[0]) if names else element_text(el)) or el.get("content")
        name = clean_author(text)
        if name:
            return name
    candidates = [el for el in marked(page, "author", page.top) if not in_furniture(el, scope)]
    if scope is not None:  # <address>: HTML's element for the author of the article it sits in
        candidates += [el for el in tagged(root, "address") if el not in candidates
                       and any(a is scope for a in el.iterancestors()) and not in_furniture(el, scope)]
    # The innermost byline element first: `<div class=byline>By <a class=author-name>X</a> · date</div>`.
    inner = [el for el in candidates if not any(d in candidates for d in el.iterdescendants())]
    for el in inner + candidates:
        name = clean_author(element_text(el))
        if name:
            return name
    # Classless markup: a link to the writer's page (`/author/12/name`, `/writer/...`) in the article.
    for a in _linked(page, _AUTHOR_PATH):
        name = clean_author(element_text(a))
        if name:
            return name
    # A labelled byline line among the few blocks under the headline (`<div class="post-source">نووسینی: ..`),
    # or one of the items of a meta line there (`<div class=meta><span>إعداد: Name</span><span>date</span>`).
    el = page.heading.getnext() if page.heading is not None else None
    for _ in range(4):
        if el is None or el is page.start or any(d is page.start for d in el.iterdescendants()):
            break
        if isinstance(el.tag, str):
            for part in islice(el.iter(etree.Element), _MAX_META_ITEMS):
                m = BYLINE_LINE.match(one_line(element_text(part)) or "")
                name = byline_name(m.group("name")) if m else None
                if name:
                    return name
        el = el.getnext()
    # A labelled byline line further on, before the text (a table layout's `<font><b>كتب: Name</b></font>`).
    for line in header_lines(page):
        m = BYLINE_LINE.match(line)
        name = byline_name(m.group("name")) if m else None
        if name:
            return name
    return None


_MAX_META_ITEMS = 12  # elements of one block under the headline looked at for a byline: a meta line, not a body


_AUTHOR_PATH = re.compile(r"/(?:author|authors|writer|writers|columnist|columnists|reporter|reporters|yazar)/", re.I)
_TAG_PATH = re.compile(r"/(?:tag|tags|keyword|keywords|hashtag|hashtags|etiket)/", re.I)


def _linked(page: Page, path: re.Pattern[str]) -> list[etree._Element]:
    """Links in the article's scope (outside its furniture) whose URL path names a writer or a tag page."""
    scope = page.scope
    if scope is None:
        return []
    return [a for a in scope.iter("a") if path.search(a.get("href") or "") and not in_furniture(a, scope)]


def clean_author(text: str | None) -> str | None:
    """The name from a byline: a leading "By"/"بقلم"/"كتب"/"نووسینی" word and its colon go, nothing else."""
    text = one_line(text)
    if not text:
        return None
    if _LABEL_ONLY.match(text):
        return None  # `<div class=td-author-by>بواسطة</div>`: the label's own box, the name is beside it
    text = _BYLINE.sub("", text, count=1).strip() or text
    text = _LABEL.sub("", text, count=1).strip() or text
    if len(text) > _MAX_NAME or len(text.split()) > 8 or "\n" in text or not _LETTER.search(text) \
            or _DATE_LIKE.search(text):
        return None  # too long for a name, no letter at all (a " - " box), or a date ("20 Nov 2019 08:00 GMT")
    return text


def tags(page: Page) -> list[str]:
    """rel=tag links, then the links (or items) of a tag/keyword list inside the article."""
    scope = page.scope
    # WordPress marks category links rel="category tag": a category is the section, not a tag.
    found = _unique(element_text(a) for a in page.rel("tag")
                    if a.tag == "a" and "category" not in a.get("rel", "").lower().split() and not in_furniture(a, scope)
                    and not _in_category_box(a))
    if found:
        return found
    for top in (scope, scope.getparent() if scope is not None else None):
        if top is None:
            continue
        for el in marked(page, "tags", top):
            if in_furniture(el, scope) or _holds_article(el, page):
                continue
            links = [a for a in el.iter("a")] or [li for li in el.iter("li")]
            found = _unique(element_text(a) for a in links)
            if found:
                return found
    # Classless markup: the article's links to tag pages (`/tag/erbil`).
    return _unique(element_text(a) for a in _linked(page, _TAG_PATH))


def _in_category_box(a: etree._Element) -> bool:
    """A WordPress block theme's `<div class="taxonomy-category wp-block-post-terms"><a rel=tag>`: the
    category's terms, not tags (its box names a category and no tag)."""
    parent = a.getparent()
    if parent is None:
        return False
    found = words(parent)
    return any(w in ("category", "categories") for w in found) and not any(w in ("tag", "tags") for w in found)


def _holds_article(el: etree._Element, page: Page) -> bool:
    """`<article class="post tag-budget tag-electricity">` (WordPress post classes): a box holding the headline
    or the body's start is the article, not a tag list."""
    return any(part is not None and (part is el or any(a is el for a in part.iterancestors()))
               for part in (page.heading, page.start))


def section(page: Page) -> str | None:
    """The last breadcrumb that is not the article itself (the home crumb alone is no section);
    else rel=category / itemprop=articleSection; else a kicker above the headline."""
    root, scope, title = page.root, page.scope, page.title
    trails = [el for el in page.marks if "BreadcrumbList" in (el.get("itemtype") or "")]
    trails += [el for el in page.marks if el.tag == "nav" and "breadcrumb" in (el.get("aria-label") or "").lower()]
    trails += marked(page, "crumbs", root.root)  # breadcrumbs sit above the article, outside its scope
    for trail in trails:
        items = [el for el in trail.iter("li")] or [el for el in trail.iter("a", "span") if len(el) == 0]
        crumbs = [c for c in (one_line(element_text(el)) for el in items) if c]
        if crumbs:
            return last_crumb(crumbs, title)
    for el in page.rel("category") + page.itemprop("articleSection"):
        if in_furniture(el, scope):
            continue
        text = one_line(element_text(el)) or one_line(el.get("content"))
        if text and len(text) <= 60:
            return text
    heading = page.heading
    if heading is not None and scope is not None:
        kickers = set(marked(page, "kicker", scope))
        for el in scope.iter() if kickers else ():
            if el is heading:
                break  # a kicker comes before the headline
            if el in kickers and not in_furniture(el, scope):
                text = one_line(element_text(el))
                if text and len(text) <= 40 and len(text.split()) <= 4:
                    return text
    crumbs = home_trail(page)
    return last_crumb(crumbs, title) if crumbs else None


def last_crumb(crumbs: Sequence[str], title: str | None) -> str | None:
    """The last crumb that is not the article itself; None when only the home crumb is left."""
    names = [c.strip(" >»/|›‹«") for c in crumbs]
    # The article's own crumb is its title, sometimes cut short with an ellipsis.
    names = [c for c in names if c and c != title
             and not (title and len(c) > 20 and title.startswith(c.rstrip("….").strip()))]
    return names[-1] if len(names) >= 2 else None


def _unique(texts: Iterable[str]) -> list[str]:
    out: list[str] = []
    for raw in texts:
        text = one_line(raw)
        text = text.lstrip("#").strip() if text else None
        if text and len(text) <= 80 and text not in out:
            out.append(text)
    return out
