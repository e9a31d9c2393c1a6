"""HTML bytes -> the article fields of the item contract, each taken from the best layer that has it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from w3lib.url import url_query_cleaner

from . import fallback, fields, fields_dates, fields_media, jsonld, meta, tree
from . import selectors as sel
from .block import check_health, detect_block
from .charset import Decoded, decode_html
from .dates import parse_absolute, resolve_relative

__all__ = ["EXTRACTOR_VERSION", "extract_article", "clean_url", "detect_block", "check_health", "decode_html",
           "Decoded"]

# Bump whenever the output for the same bytes may change: stored versions record which extractor made them.
EXTRACTOR_VERSION = "4"

_TRACKING_EXACT = ("fbclid", "gclid", "mc_cid", "mc_eid", "igshid")
_DEFAULT_DATE_FORMATS = ["%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y/%m/%d", "%d/%m/%Y"]


def extract_article(
    body: bytes,
    *,
    url: str,
    content_type: str | None,
    selectors: Mapping[str, Any],
    tz: str,
    fetched_at: datetime,
) -> dict[str, Any]:
    """Extract the article fields from one page (deterministic: the same inputs give the same dict).

    Text values are only stripped and whitespace-collapsed; the clean pipeline applies the display layer.
    """
    decoded = decode_html(body, content_type)
    root = tree.parse(body, decoded, url)  # parsed once, shared by every layer
    found_ld, ld_crumbs = jsonld.read(root)
    ld = found_ld or jsonld.JsonLdArticle()
    mt = meta.extract(root)
    sources: dict[str, str] = {}
    base = sel.base_url(root, url)

    def pick(name: str, *candidates: tuple[str, Callable[[], Any]]) -> Any:
        """The first non-empty candidate (computed lazily: later layers cost nothing); records its layer."""
        for layer, compute in candidates:
            value = compute()
            if value:
                sources[name] = layer
                return value
        return None

    def one(value: str | None) -> str | None:
        return sel.one_line(value)

    title = pick(
        "title",
        ("jsonld", lambda: one(ld.headline)),
        ("meta", lambda: one(fallback.meta_title(mt.title, root))),
        ("selector", lambda: one(sel.first_text(root, selectors.get("title")))),
        ("generic", lambda: fields.title(root, fallback.title(root, mt.title))),
        ("fallback", lambda: fallback.title(root, mt.title)),
    )
    if title and sources.get("title") in ("jsonld", "meta"):
        # Declared headlines go stale when an article is edited (and JSON-LD's are cut at 110 characters):
        # the headline the page shows wins when its own <title> names that one and not the declared one.
        selected = one(sel.first_text(root, selectors.get("title")))
        shown = selected or fallback.title(root, None)
        if shown and shown != title and fallback.title_names(root, shown, title):
            title = shown
            sources["title"] = "selector" if selected else "fallback"

    # The profile's lead first: the generic body drops a first paragraph that repeats it. (The generic lead
    # needs the body, and never takes a body paragraph's own text.)
    selector_lead = sel.first_text(root, selectors.get("lead"))
    body_paragraphs = pick("body", ("selector", lambda: sel.texts(root, selectors.get("body"))))
    if not body_paragraphs:
        # Generic layer: the DOM's body weighed against JSON-LD articleBody; it names the layer it took.
        body_paragraphs, body_layer = fallback.body(root, ld.article_body, selector_lead)
        if body_paragraphs:
            sources["body"] = body_layer

    page = fields.Page(root, title, body_paragraphs)  # what the generic finders share, computed on demand
    # A "كتب: Name" / "By Name" line opening or closing the body is the byline, not article text.
    byline = fields.byline_paragraph(body_paragraphs or [])
    if byline:
        body_paragraphs = [p for i, p in enumerate(body_paragraphs) if i != byline[0]]

    # Lead: only the page's own lead element. og:description / JSON-LD description are often the first
    # body sentence truncated by the CMS, which would then show up as a spurious lead or a duplicate.
    lead = pick(
        "lead",
        ("selector", lambda: selector_lead),
        ("generic", lambda: fields.lead(page)),
        ("generic", lambda: fields.bold_lead(page)),
    )
    if lead and sources.get("lead") == "generic" and body_paragraphs and len(body_paragraphs) > 1 \
            and sel.one_line(body_paragraphs[0]) == lead:
        body_paragraphs = body_paragraphs[1:]  # the bold standfirst opened the body container

    author = pick(
        "author",
        ("jsonld", lambda: fields.clean_author(", ".join(ld.authors))),
        ("meta", lambda: fields.clean_author(mt.author)),
        ("selector", lambda: fields.clean_author(sel.first_text(root, selectors.get("author")))),
        ("generic", lambda: fields.author(page)),
        ("generic", lambda: byline[1] if byline else None),
        ("jsonld", lambda: fields.clean_author(", ".join(ld.site_authors))),  # the publisher named as author
    )
    section = pick(
        "section",
        ("jsonld", lambda: one(ld.section)),
        ("meta", lambda: one(mt.section)),
        ("selector", lambda: one(sel.first_text(root, selectors.get("section")))),
        ("jsonld", lambda: fields.last_crumb(ld_crumbs, title)),
        ("generic", lambda: fields.section(page)),
    )
    tags = pick(
        "tags",
        ("jsonld", lambda: _unique_lines(ld.keywords)),
        ("meta", lambda: _unique_lines(mt.tags)),
        ("selector", lambda: _unique_lines(sel.texts(root, selectors.get("tags")))),
        ("generic", lambda: fields.tags(page)),
    ) or []
    # Page images carry captions; head images (no caption) only when the page body has none.
    images = pick(
        "images",
        ("selector", lambda: sel.images(root, selectors.get("images"), selectors.get("hero_image"), url)),
        ("generic", lambda: fields_media.images(page.scope, base)),
        ("jsonld", lambda: _head_images(ld.images, base)),
        ("meta", lambda: _head_images(mt.images, base)),
    ) or []
    if images and sources.get("images") == "selector":
        # The profile names figure-like containers (hero, figures); a body photo outside any of them
        # (`<div class="wp-caption">` in the text) is still the article's: the generic layer adds it.
        chosen = {i["url"]: i for i in images}
        found = fields_media.images(page.scope, base)
        if chosen.keys() <= {i["url"] for i in found}:
            images = [chosen.get(i["url"], i) for i in found]  # document order, the profile's captions
        else:
            images = [*images, *(i for i in found if i["url"] not in chosen)]

    formats = list(selectors.get("date_formats") or _DEFAULT_DATE_FORMATS)
    dropped: list[dict[str, str]] = []

    def absolute(value: str | None, field: str = "published_at") -> str | None:
        if not value:
            return None
        notes: list[str] = []
        parsed = parse_absolute(value, formats, tz, fetched_at=fetched_at, notes=notes)
        dropped.extend({"text": value, "reason": f"{field}: {note}"} for note in notes)
        return parsed

    def in_article(el: Any) -> bool:
        """A profile's catch-all date selector (`time`) must not read a sidebar's or a teaser's date: a match
        in navigation, an aside, a footer or a related/comments box counts only inside the article's scope."""
        return not fields.in_furniture(el, None) or not fields.in_furniture(el, page.scope)

    def first_date(values: Any, field: str) -> str | None:
        return next((d for d in (absolute(v, field) for v in values) if d), None)

    generic_cache: list[dict[str, list[str]]] = []

    def generic(kind: str) -> list[str]:
        if not generic_cache:
            found = fields_dates.declared(page)
            seen = fields_dates.visible(page)
            generic_cache.append({k: found[k] + seen[k] for k in found})
        return generic_cache[0][kind]

    published_at = pick(
        "published_at",
        ("jsonld", lambda: absolute(ld.date_published)),
        ("meta", lambda: absolute(mt.published)),
        ("selector", lambda: first_date(sel.all_texts(root, selectors.get("published"), in_article), "published_at")),
        ("generic", lambda: first_date(generic("published"), "published_at")),
        ("generic", lambda: first_date(fields_dates.under_headline(page), "published_at")),
    )
    published_approx = False
    if published_at is None:
        # Relative labels ("منذ 3 ساعات") are only as precise as the fetch time: flagged approximate.
        def relative(labels: Any) -> str | None:
            for label in labels:
                notes: list[str] = []
                found = resolve_relative(label, fetched_at, tz=tz, notes=notes)
                dropped.extend({"text": label, "reason": f"published_at: {note}"} for note in notes)
                if found:
                    return found
            return None

        published_at = pick(
            "published_at",
            ("selector", lambda: relative([*sel.all_texts(root, selectors.get("relative_time"), in_article),
                                           *sel.all_texts(root, selectors.get("published"), in_article)])),
            ("generic", lambda: relative(generic("published"))),
        )
        published_approx = published_at is not None
    modified_at = pick(
        "modified_at",
        ("jsonld", lambda: absolute(ld.date_modified, "modified_at")),
        ("meta", lambda: absolute(mt.modified, "modified_at")),
        ("selector", lambda: first_date(sel.all_texts(root, selectors.get("modified"), in_article), "modified_at")),
        ("generic", lambda: first_date(generic("modified"), "modified_at")),
    )
    canonical_url = pick(
        "canonical_url",
        ("meta", lambda: clean_url(mt.canonical, base)),
        ("meta", lambda: clean_url(mt.url, base)),
    )

    return {
        "title": title,
        "lead": lead,
        "body": list(body_paragraphs),
        "author": author,
        "section": section,
        "tags": list(tags),
        "images": list(images),
        "published_at": published_at,
        "published_approx": published_approx,
        "modified_at": modified_at,
        "canonical_url": canonical_url,
        "html_lang": mt.lang,
        "sources": sources,
        "encoding": decoded.encoding,
        "replacement_chars": decoded.replacement_chars,
        "charset_note": decoded.note,
        "dropped": dropped,
    }


def clean_url(raw: str | None, base: str) -> str | None:
    """Absolute URL without tracking parameters (`utm_*`, `fbclid`, ...) and without the fragment."""
    if not raw or not raw.strip():
        return None
    absolute = urljoin(base, raw.strip())
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None
    keys = [k for k, _ in parse_qsl(urlsplit(absolute).query, keep_blank_values=True)]
    drop = sorted({k for k in keys if k.lower().startswith("utm_") or k.lower() in _TRACKING_EXACT})
    # url_query_cleaner keeps the other parameters' original encoding and order; unique=False keeps repeats.
    return url_query_cleaner(absolute, drop, remove=True, unique=False, keep_fragments=False)


def _unique_lines(values: Sequence[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        v = sel.one_line(value)
        if v and v not in out:
            out.append(v)
    return out


def _head_images(urls: Sequence[str], base: str) -> list[dict[str, str | None]]:
    out: list[dict[str, str | None]] = []
    for raw in urls:
        u = sel.image_url(raw, base)
        if u and all(i["url"] != u for i in out):
            out.append({"url": u, "caption": None})
    return out
