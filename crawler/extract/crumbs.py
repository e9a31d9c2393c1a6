"""Breadcrumb trails nothing names as such: a short run of links that starts at the site's home page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from .fields_page import Page, order
from .selectors import element_text, one_line
from .tree import tagged

# The home crumb's words in the site family's languages (Arabic, Sorani, Kurmanji, Persian, Turkish, English).
_HOME_WORDS = frozenset(("الرئيسية", "الصفحة الرئيسية", "الرئيسيه", "سەرەکی", "پەڕەی سەرەکی", "ماڵەوە", "serekî",
                         "destpêk", "rûpela serekî", "صفحه اصلی", "خانه", "anasayfa", "ana sayfa", "home"))
# A home page's path: "/", "/ar/", "/ckb", "index.php", "../Default.aspx".
_HOME_PATH = re.compile(r"^(?:\.\./|/)?(?:[a-z]{2,3}(?:-[a-z]{2,4})?/?)?(?:(?:index|default|home)\.\w{2,5})?$", re.I)
# What may stand between crumbs besides their links: arrows, chevrons, slashes, and nothing else.
_BETWEEN = re.compile(r"^[\s»«›‹>/\\\-–—→←:•·]*$")
_ARROW = re.compile(r"[»«›‹>/\\→←]")
_MAX_CRUMBS = 5
_MAX_UL_CRUMBS = 3
_NOT_TRAIL = ("nav", "header", "footer", "aside", "ul")  # menus (a trail in a <nav> is found by its aria-label)


def home_trail(page: Page) -> list[str]:
    """The crumbs of the first trail before the headline: an `<ol>` of 2-5 items (a `<ul>` of 2-3), or a line
    of 2-5 links with arrows between them, whose first link goes to the home page. [] when the page has none."""
    heading = page.heading
    heading_key = order(heading) if heading is not None else None
    for a in tagged(page.root, "a"):
        if not _home(a):
            continue
        if heading_key is not None and order(a) > heading_key:
            break
        trail = _trail_of(a)
        if trail is not None:
            return [c for c in (one_line(element_text(el)) for el in trail) if c]
    return []


def _home(a: etree._Element) -> bool:
    raw = a.text if len(a) == 0 else element_text(a)  # most links: their own text, no walk
    if not raw or len(raw) > 60:
        return False
    text = (one_line(raw) or "").lower()
    if text not in _HOME_WORDS:
        return False
    path = urlsplit(a.get("href") or "").path
    return bool(_HOME_PATH.match(path))


def _trail_of(a: etree._Element) -> list[etree._Element] | None:
    """The trail's items when the home link `a` opens one, else None."""
    el = a
    for _ in range(4):  # up through <li>, <font>, <span> wrappers to the trail
        parent = el.getparent()
        if parent is None:
            return None
        if parent.tag == "li":
            el = parent  # the item: its list decides
            continue
        if parent.tag in ("ol", "ul"):
            if any(anc.tag in _NOT_TRAIL for anc in parent.iterancestors()):
                return None
            items = [li for li in parent if li.tag == "li"]
            # A menu list is longer: a trail is home, a section or two, perhaps the article.
            most = _MAX_CRUMBS if parent.tag == "ol" else _MAX_UL_CRUMBS
            return items if 2 <= len(items) <= most and items[0] is el else None
        if any(anc.tag in _NOT_TRAIL for anc in parent.iterancestors()) or parent.tag in _NOT_TRAIL:
            return None
        links = list(parent.iter("a"))
        if len(links) >= 2 and links[0] is a:
            return links if len(links) <= _MAX_CRUMBS and _arrows_only(parent, links) else None
        el = parent
    return None


def _arrows_only(line: etree._Element, links: list[etree._Element]) -> bool:
    """Between the links only arrows or slashes, at least one of them (a menu's words are spaced, or split by |)."""
    between = []
    for node in line.iter():
        if node is line:
            between.append(node.text or "")
        elif any(node is x or any(node is d for d in x.iterdescendants()) for x in links):
            if node in links:
                between.append(node.tail or "")
        else:
            between.append((node.text or "") + (node.tail or ""))
    text = "".join(between)
    return bool(_BETWEEN.match(text) and _ARROW.search(text))
