"""The generic layer for dates: itemprop and less common meta names, <time> and date-classed elements.

Returns raw strings in priority order; parsing (formats, month names, window) is crawler/extract/dates.py.
"""

from __future__ import annotations

import re

from lxml import etree

from .fields_page import MODIFIED_ROLE, Page, in_furniture, marked, words
from .headerlines import header_lines
from .selectors import element_text
from .tree import tagged

# meta name/property (lower case) -> which date it declares. The common ones are in meta.py.
_META = {
    "pubdate": "published", "publishdate": "published", "publish-date": "published", "publish_date": "published",
    "date": "published", "dc.date": "published", "dc.date.issued": "published", "dcterms.issued": "published",
    "dcterms.created": "published", "dc.date.created": "published", "sailthru.date": "published",
    "parsely-pub-date": "published", "article.published": "published", "published_time": "published",
    "release_date": "published", "original-publish-date": "published", "article:published": "published",
    "lastmod": "modified", "last-modified": "modified", "dcterms.modified": "modified",
    "dc.date.modified": "modified", "article.updated": "modified", "modified_time": "modified",
    "article:modified": "modified", "revised": "modified",
}

# A visible label saying the date that follows is the last update.
_MODIFIED_LABEL = re.compile(r"^\W*(?:updated|last\s+updated|modified|آخر\s+تحديث|تم\s+التحديث|تحديث|"
                             r"محدث|نوێکراوەتەوە|دوایین\s+نوێکردنەوە|rojanekirin|nûkirin|güncelleme)", re.I)
_MAX_LABEL = 120
_PUBLISHED_CLASS = re.compile(r"(?:^|\s)(?:entry-date|published|post-date|pubdate|date-published)(?:\s|$)", re.I)



def declared(page: Page) -> dict[str, list[str]]:
    """itemprop=datePublished/dateModified and meta names other than article:* (raw strings)."""
    out: dict[str, list[str]] = {"published": [], "modified": []}
    for el in page.itemprop("datePublished", "dateModified", "dateCreated"):
        kind = "modified" if "dateModified" in el.get("itemprop", "").split() else "published"
        # hAtom/Blogger: <abbr itemprop="datePublished" title="2016-09-12T09:40:00+03:00">9:40 ص</abbr>
        value = el.get("content") or el.get("datetime") or (el.get("title") if el.tag == "abbr" else None) \
            or element_text(el)
        if value and value.strip():
            out[kind].append(value.strip())
    for el in (m for m in tagged(page.root, "meta") if m.get("content") is not None):  # //meta[@content]
        name = (el.get("name") or el.get("property") or "").strip().lower()
        kind = _META.get(name)
        if kind and el.get("content", "").strip():
            out[kind].append(el.get("content").strip())
    return out


def visible(page: Page) -> dict[str, list[str]]:
    """<time> elements and date-classed elements inside the article's scope, split into published and
    modified by their class or their label ("آخر تحديث", "Updated")."""
    out: dict[str, list[str]] = {"published": [], "modified": []}
    scope = page.scope
    top = page.top
    found = {*marked(page, "date", top), *marked(page, "modified", top), *top.iter("time")}
    if not found:
        return out  # nothing to put in document order: no walk of the scope
    for el in (e for e in top.iter() if e in found):  # document order
        if any(isinstance(c.tag, str) and c.tag.lower() in ("p", "div", "ul", "table") for c in el):
            continue  # a container of blocks is a layout box, not a date
        if in_furniture(el, scope):
            continue
        text = element_text(el)
        abbr = el.get("title") if el.tag == "abbr" else None  # microformats put the ISO date in abbr@title
        values = [v for v in (el.get("datetime"), abbr, text) if v and v.strip() and len(v) <= _MAX_LABEL]
        if not values:
            continue
        modified = _modified(el, text)
        if el.tag != "time" and any(_modified(t, element_text(t)) == modified for t in el.iter("time")):
            # A meta line holding a <time> of the same kind: the <time> (its datetime) is the date, not the
            # line's text (`<div class=news-meta>Name <time datetime=..>20 آذار 2024</time>` gave 00:00).
            continue
        out["modified" if modified else "published"].extend(values)
    return out


def _modified(el: etree._Element, text: str) -> bool:
    """Marked as the last update by its (or its parent's) class, or by a label. hAtom themes class the
    publication date `entry-date updated` (microformats want an `updated`): there it is the publication."""
    if _PUBLISHED_CLASS.search(el.get("class") or ""):
        return False
    return any(_role(e, MODIFIED_ROLE) for e in (el, el.getparent()) if e is not None) \
        or bool(_MODIFIED_LABEL.match(text))


def _role(el: etree._Element, pattern: re.Pattern[str]) -> bool:
    return any(pattern.search(w) for w in words(el))


def under_headline(page: Page) -> list[str]:
    """The short lines right after the headline (classless layouts: `<h1>..</h1><div>Name | 2024/06/25 10:00</div>`),
    the last resort for the publication date: most layouts print it there."""
    heading = page.heading
    out: list[str] = []
    el = heading.getnext() if heading is not None else None
    while el is not None and len(out) < 2:
        if isinstance(el.tag, str):
            text = element_text(el)
            if text and len(text) <= _MAX_LABEL and not _MODIFIED_LABEL.match(text):
                out.append(text)
            elif text:
                break
        el = el.getnext()
    if not out:
        # Nothing beside the headline: the lines before the body (a table layout's next row, a meta box).
        out = [t for t in header_lines(page) if not _MODIFIED_LABEL.match(t)]
    return out
