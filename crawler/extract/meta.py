"""The head metadata layer: OpenGraph, article:*, author meta, canonical link and `<html lang>`."""

from __future__ import annotations

from dataclasses import dataclass, field

from parsel import Selector

from .tree import tagged


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
    # lxml's tag-filtered iter() over the document instead of XPath `//meta` and parsel wrappers: the same
    # elements in the same order, a third of the time.
    doc = root.root.getroottree().getroot()
    for node in tagged(root, "meta"):
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
    for link in tagged(root, "link"):
        rel, href = link.get("rel"), link.get("href")
        if rel is not None and href is not None and "canonical" in rel.lower().split():
            out.canonical = href.strip() or None
            break
    # libxml2's HTML parser keeps `xml:lang` (XHTML pages) as a plain attribute with a colon in its name.
    lang = (doc.get("lang") or doc.get("xml:lang")) if doc.tag == "html" else None
    out.lang = lang.strip() if lang and lang.strip() else None
    return out
