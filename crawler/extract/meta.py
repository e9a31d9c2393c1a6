"""The head metadata layer: OpenGraph, article:*, author meta, canonical link and `<html lang>`."""

from __future__ import annotations

from dataclasses import dataclass, field

from parsel import Selector


@dataclass
class Meta:
    """Head metadata as found (content attributes stripped); lists keep document order."""

    title: str | None = None
    description: str | None = None
    images: list[str] = field(default_factory=list)
    url: str | None = None
    published: str | None = None
    modified: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    author: str | None = None
    canonical: str | None = None
    lang: str | None = None


# meta property/name -> Meta attribute; the first occurrence wins for single values.
_SINGLE = {
    "og:title": "title",
    "og:description": "description",
    "og:url": "url",
    "article:published_time": "published",
    "datepublished": "published",
    "article:modified_time": "modified",
    "og:updated_time": "modified",
    "datemodified": "modified",
    "article:section": "section",
}
_AUTHOR_KEYS = ("article:author", "author")


def extract(root: Selector) -> Meta:
    out = Meta()
    authors: dict[str, str] = {}
    for node in root.xpath("//meta"):
        attrs = node.attrib
        # libxml2 lowercases attribute names, not values: compare keys case-insensitively.
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").strip().lower()
        content = (attrs.get("content") or "").strip()
        if not key or not content:
            continue
        if key in _SINGLE:
            if getattr(out, _SINGLE[key]) is None:
                setattr(out, _SINGLE[key], content)
        elif key in ("og:image", "og:image:url", "og:image:secure_url"):
            if content not in out.images:
                out.images.append(content)
        elif key == "article:tag":
            if content not in out.tags:
                out.tags.append(content)
        elif key in _AUTHOR_KEYS and key not in authors:
            authors[key] = content
    for key in _AUTHOR_KEYS:
        value = authors.get(key)
        # article:author is often a profile URL, which is not a name.
        if value and not value.startswith(("http://", "https://", "/")):
            out.author = value
            break
    for link in root.xpath("//link[@rel][@href]"):
        if "canonical" in link.attrib["rel"].lower().split():
            out.canonical = link.attrib["href"].strip() or None
            break
    html = root.xpath("/html")
    # libxml2's HTML parser keeps `xml:lang` (XHTML pages) as a plain attribute with a colon in its name.
    lang = (html[0].attrib.get("lang") or html[0].attrib.get("xml:lang")) if html else None
    out.lang = lang.strip() if lang and lang.strip() else None
    return out
