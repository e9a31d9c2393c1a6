"""Generic layer for pages the selectors miss: first `<h1>` / og:title / `<title>`, and the generic body."""

from __future__ import annotations

import re

from lxml import etree
from parsel import Selector

from . import bodypick
from .roles import words
from .selectors import element_text, one_line

# "Headline | Site", "Headline - Site", "Headline :: Site": the separator must have spaces around it.
_TITLE_SUFFIX = re.compile(r"^(?P<head>.*\S)\s+(?:[|\-–—]|::)\s+(?P<site>[^|\-–—:]+?)\s*$", re.S)
# "Site :: Headline" (older CMSs put the site's name first; " - " is too common inside headlines to tell).
_SITE_FIRST = re.compile(r"^(?P<site>[^|:]+?)\s+(?P<sep>\||::)\s+(?P<head>.+)$", re.S)
_MAX_SUFFIX = 40
# Class words naming the story's own title (`newstitle`, `NewsTitle`, `post-title`), and those of other titles.
_TITLE_WORD = re.compile(r"^(?:news|post|article|story|entry|detail|details)?(?:title|headline)$")
_NOT_TITLE = frozenset("sub subtitle site blog widget side sidebar box block module section page menu footer related "
                       "most popular latest card teaser list".split())


def title(root: Selector, og_title: str | None = None) -> str | None:
    """The first non-empty `<h1>`, else og:title, else `<title>` without its site suffix."""
    for h1 in root.xpath("//h1"):
        text = one_line(element_text(h1))
        if text and not _ignored_heading(h1.root):
            return text
    if og_title and one_line(og_title):
        return one_line(og_title)
    classed = _title_classed(root)
    if classed:
        return classed
    raw = one_line(root.xpath("string(//title[1])").get())
    return strip_site_suffix(raw) if raw else None


def title_names(root: Selector, shown: str, declared: str) -> bool:
    """The page's <title> holds the shown headline and not the declared one (JSON-LD, og:title), and the
    declared one is no fuller form of it (`Headline "for October"` declared, `Headline` shown: keep the fuller)."""
    page = one_line(root.xpath("string(//title[1])").get()) or ""
    return len(shown.split()) >= 3 and shown in page and declared not in page and shown not in declared


def meta_title(og_title: str | None, root: Selector) -> str | None:
    """og:title without the site suffix the page's <title> ends with too ("Headline - Site" in both)."""
    m = _TITLE_SUFFIX.match(og_title) if og_title else None
    if m is None:
        return og_title
    page = one_line(root.xpath("string(//title[1])").get()) or ""
    return strip_site_suffix(og_title) if page.endswith(m.group("site").strip()) else og_title


def _title_classed(root: Selector) -> str | None:
    """No h1: the first element classed as the story's title (`<td class="newstitle"><b>..`, `<span
    class="NewsTitle">` in table layouts), a headline of 3 to 30 words outside links and furniture. The
    <title> of such pages is often the site's name alone."""
    top = root.root
    if not isinstance(top, etree._Element):
        return None
    for el in top.iter(etree.Element):
        raw = f"{el.get('class') or ''} {el.get('id') or ''}"
        if "itle" not in raw and "eadline" not in raw:
            continue
        found = words(el)
        if not any(_TITLE_WORD.match(w) for w in found) or any(w in _NOT_TITLE for w in found):
            continue
        # Not _ignored_heading(): ASP.NET pages wrap everything in one <form>.
        if any(isinstance(a.tag, str) and a.tag.lower() in ("a", "nav", "footer", "aside") for a in el.iterancestors()):
            continue
        text = one_line(element_text(el))
        if text and 3 <= len(text.split()) <= 30:
            return text
    return None


def strip_site_suffix(text: str) -> str:
    """Drop a short trailing ` | Site` / ` - Site`; a long tail is part of the headline, not the site."""
    first = _SITE_FIRST.match(text)
    if first and text.count(first.group("sep")) == 1 and _site_name(first.group("site").strip()) \
            and len(first.group("head").split()) >= 4:
        return first.group("head").strip()  # "Site | Headline": the site's name leads
    m = _TITLE_SUFFIX.match(text)
    if not m:
        return text
    head, site = m.group("head").strip(), m.group("site")
    if len(site) > _MAX_SUFFIX:
        return text
    # Only " - " is ambiguous ("Erbil - Baghdad talks resume"): a site name is short, one or two words.
    if " | " not in text and (len(site.split()) > 2 or len(site) > len(head)):
        return text
    return head


def _site_name(text: str) -> bool:
    """Short enough to be a site's name: one or two words, no sentence."""
    return len(text) <= 25 and len(text.split()) <= 2


def body(root: Selector, article_body: str | None = None, lead: str | None = None) -> tuple[list[str], str]:
    """(paragraphs, layer) of the generic body (crawler/extract/body.py), weighed against JSON-LD articleBody;
    the lead, when the page has one, is its own field and not repeated as the first paragraph."""
    el = root.root
    if not isinstance(el, etree._Element):
        return bodypick.declared_paragraphs(article_body), "jsonld"
    paragraphs, layer = bodypick.generic_body(el, article_body)
    if lead and paragraphs and one_line(paragraphs[0]) == one_line(lead) and len(paragraphs) > 1:
        paragraphs = paragraphs[1:]
    return paragraphs, layer


def _ignored_heading(el: etree._Element) -> bool:
    """Site-logo headings live in the page header; an article's own `<header>` holds the real h1."""
    names = [a.tag.lower() for a in el.iterancestors() if isinstance(a.tag, str)]
    if any(n in ("nav", "footer", "aside", "form") for n in names):
        return True
    return "header" in names and not any(n in ("article", "main") for n in names)

