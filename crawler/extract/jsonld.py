"""The JSON-LD layer: the first NewsArticle-like object in `<script type="application/ld+json">`."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from parsel import Selector

from .tree import tagged

ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "ReportageNewsArticle", "OpinionNewsArticle", "BlogPosting",
     "AnalysisNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle"}
)
# Comment/CDATA wrappers some CMSs put around the JSON.
_WRAPPER = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")
_KEYWORD_SPLIT = re.compile(r"\s*[,،]\s*")


@dataclass
class JsonLdArticle:
    """The fields extraction uses; strings as found (HTML entities decoded)."""

    headline: str | None = None
    description: str | None = None
    article_body: str | None = None
    date_published: str | None = None
    date_modified: str | None = None
    authors: list[str] = field(default_factory=list)
    site_authors: list[str] = field(default_factory=list)  # `author` names that are the publisher's own
    section: str | None = None
    keywords: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    url: str | None = None


def extract(root: Selector) -> JsonLdArticle | None:
    """The first article object in document order; invalid JSON blocks are skipped, never raised."""
    return read(root)[0]


def breadcrumbs(root: Selector) -> list[str]:
    """The names of the first BreadcrumbList's items in `position` order (home first)."""
    return read(root)[1]


def read(root: Selector) -> tuple[JsonLdArticle | None, list[str]]:
    """The first article object and the first BreadcrumbList's names, in one pass over the blocks."""
    article: JsonLdArticle | None = None
    crumbs: list[str] | None = None
    for node in _nodes(root):
        if article is None and _is_article(node):
            article = _article(node)
        elif crumbs is None and _is_type(node, {"BreadcrumbList"}):
            crumbs = _crumbs(node)
        if article is not None and crumbs is not None:
            break
    return article, crumbs or []


def _crumbs(node: dict[str, Any]) -> list[str]:
    items = [i for i in _items(node.get("itemListElement")) if isinstance(i, dict)]
    ordered = sorted(enumerate(items), key=lambda p: (_position(p[1].get("position")), p[0]))
    names = []
    for _, item in ordered:
        inner = item.get("item")
        name = _str(item.get("name")) or (_str(inner.get("name")) if isinstance(inner, dict) else None)
        if name:
            names.append(name)
    return names


def _position(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return float("inf")


_TEXT_NODES = etree.XPath("text()")  # compiled once: el.xpath() compiles its expression on every call
_LD_CASE = str.maketrans("LDJSON", "ldjson")  # what the XPath translate() this replaced folded


def _nodes(root: Selector) -> Any:
    # lxml's tag-filtered iter() over the document, not an XPath walk and a parsel wrapper per text node.
    scripts = tagged(root, "script")
    blocks = [el for el in scripts if "ld+json" in (el.get("type") or "").translate(_LD_CASE)]
    for raw in (text for el in blocks for text in _TEXT_NODES(el)):
        data = _loads(raw)
        if data is not None:
            yield from _walk(data)


def _loads(raw: str) -> Any:
    text = _unwrap(raw.strip())
    try:
        # strict=False: raw newlines and tabs inside strings are the commonest JSON-LD breakage.
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands of levels deep
        return None


def _unwrap(text: str) -> str:
    """`_WRAPPER.sub("", text)` on stripped text. Its matches start the text with / or < (a comment or CDATA
    opener) or end it with > (`-->`, `]]>`): other text is returned as is, without the regex trying its
    end-anchored half at every position of a long JSON text."""
    if text[:1] in "/<" or text.endswith(">"):
        return _WRAPPER.sub("", text)
    return text


def _walk(data: Any, depth: int = 0) -> Any:
    """Candidate objects: top level, lists, @graph members and mainEntity, in document order."""
    if depth > 5:  # deep nesting is not where a page describes itself
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity"):
            if key in data:
                yield from _walk(data[key], depth + 1)


def _is_article(node: dict[str, Any]) -> bool:
    return _is_type(node, ARTICLE_TYPES)


def _is_type(node: dict[str, Any], wanted: frozenset[str] | set[str]) -> bool:
    types = node.get("@type")
    names = types if isinstance(types, list) else [types]
    for name in names:
        if isinstance(name, str) and name.rsplit("/", 1)[-1].rsplit(":", 1)[-1] in wanted:
            return True
    return False


def _article(node: dict[str, Any]) -> JsonLdArticle:
    url = _str(node.get("url")) or _str(_id(node.get("mainEntityOfPage")))
    return JsonLdArticle(
        headline=_str(node.get("headline")) or _str(node.get("name")),
        description=_str(node.get("description")),
        article_body=_str(node.get("articleBody")),
        date_published=_str(node.get("datePublished")),
        date_modified=_str(node.get("dateModified")),
        authors=_authors(node),
        site_authors=[n for n in _names(node.get("author")) if n in _names(node.get("publisher"))],
        section=next(iter(_strings(node.get("articleSection"))), None),
        keywords=_keywords(node.get("keywords")),
        images=[u for u in (_str(_id(i, "url", "contentUrl")) for i in _items(node.get("image"))) if u],
        url=url,
    )


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _id(value: Any, *keys: str) -> Any:
    """A URL given directly or inside an object (`{"@id": ...}`, ImageObject `url`)."""
    if isinstance(value, dict):
        for key in keys or ("@id", "url"):
            if value.get(key):
                return value[key]
        return value.get("@id")
    return value


def _str(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    # CMSs often HTML-escape JSON-LD strings (`&quot;`); a literal entity is never the intended text.
    value = html.unescape(value).strip()
    return value or None


def _strings(value: Any) -> list[str]:
    return [s for s in (_str(v) for v in _items(value)) if s]


def _authors(node: dict[str, Any]) -> list[str]:
    """The author names, minus the publisher's: a CMS that fills `author` with the site itself names no
    writer; the visible byline, if any, does (the site's name is the last resort, crawler/extract/__init__.py)."""
    publishers = set(_names(node.get("publisher")))
    return [name for name in _names(node.get("author")) if name not in publishers]


def _names(value: Any) -> list[str]:
    out: list[str] = []
    for item in _items(value):
        name = _str(item.get("name")) if isinstance(item, dict) else _str(item)
        if name and name not in out:
            out.append(name)
    return out


def _keywords(value: Any) -> list[str]:
    out: list[str] = []
    for item in _strings(value):
        for word in _KEYWORD_SPLIT.split(item):
            if word and word not in out:
                out.append(word)
    return out
