"""The generic layer for dates: itemprop and less common meta names, <time> and date-classed elements.

Returns raw strings in priority order; parsing (formats, month names, window) is crawler/extract/dates.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree
from parsel import Selector

from .fields import in_furniture, words
from .selectors import element_text

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
# Words of class/id: compounds count (`newsdate`, `posttime`); "update" is a modification, not a date.
_DATE_ROLE = re.compile(r"date|time|stamp|published|publish|posted|created|^(meta|info|details)$")
_MODIFIED_ROLE = re.compile(r"updat|modif|edited|lastmod|revised|changed")
# A visible label saying the date that follows is the last update.
_MODIFIED_LABEL = re.compile(r"^\W*(?:updated|last\s+updated|modified|آخر\s+تحديث|تم\s+التحديث|تحديث|"
                             r"محدث|نوێکراوەتەوە|دوایین\s+نوێکردنەوە|rojanekirin|nûkirin|güncelleme)", re.I)
_MAX_LABEL = 120


def declared(root: Selector) -> dict[str, list[str]]:
    """itemprop=datePublished/dateModified and meta names other than article:* (raw strings)."""
    out: dict[str, list[str]] = {"published": [], "modified": []}
    for node in root.xpath("//*[@itemprop='datePublished' or @itemprop='dateModified' or @itemprop='dateCreated']"):
        el = node.root
        kind = "modified" if el.get("itemprop") == "dateModified" else "published"
        # hAtom/Blogger: <abbr itemprop="datePublished" title="2016-09-12T09:40:00+03:00">9:40 ص</abbr>
        value = el.get("content") or el.get("datetime") or (el.get("title") if el.tag == "abbr" else None) \
            or element_text(node)
        if value and value.strip():
            out[kind].append(value.strip())
    for node in root.xpath("//meta[@content]"):
        el = node.root
        name = (el.get("name") or el.get("property") or "").strip().lower()
        kind = _META.get(name)
        if kind and el.get("content", "").strip():
            out[kind].append(el.get("content").strip())
    return out


def visible(root: Selector, scope: etree._Element | None) -> dict[str, list[str]]:
    """<time> elements and date-classed elements inside the article's scope, split into published and
    modified by their class or their label ("آخر تحديث", "Updated")."""
    out: dict[str, list[str]] = {"published": [], "modified": []}
    top = scope if scope is not None else root.root
    for el in _candidates(top, scope):
        text = element_text(el)
        abbr = el.get("title") if el.tag == "abbr" else None  # microformats put the ISO date in abbr@title
        values = [v for v in (el.get("datetime"), abbr, text) if v and v.strip() and len(v) <= _MAX_LABEL]
        if not values:
            continue
        modified = any(_role(e, _MODIFIED_ROLE) for e in (el, el.getparent()) if e is not None) \
            or bool(_MODIFIED_LABEL.match(text))
        out["modified" if modified else "published"].extend(values)
    return out


def _candidates(top: etree._Element, scope: etree._Element | None) -> Iterator[etree._Element]:
    for el in top.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag.lower() != "time" and not (_role(el, _DATE_ROLE) or _role(el, _MODIFIED_ROLE)):
            continue
        if any(isinstance(c.tag, str) and c.tag.lower() in ("p", "div", "ul", "table") for c in el):
            continue  # a container of blocks is a layout box, not a date
        if not in_furniture(el, scope):
            yield el


def _role(el: etree._Element, pattern: re.Pattern[str]) -> bool:
    return any(pattern.search(w) for w in words(el))
