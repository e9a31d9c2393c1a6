"""The generic layer for images and their captions: figures, itemprop=image, captions beside a bare img.

Lazy loaders are read (`data-src`, `data-lazy-src`, `data-original`, `srcset`); only images inside the
article's scope count, minus icons, avatars, logos, ads and related-article cards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice
from urllib.parse import urljoin

from lxml import etree
from w3lib.html import strip_html5_whitespace

from .fields_page import MAX_DEPTH, has_role, in_furniture, order, words
from .selectors import element_text, one_line

_CAPTION_WORDS = ("caption", "legend", "cutline", "phototext", "imgcaption")
_NOT_CONTENT = re.compile(r"^(avatar|author|writer|columnist|logo|icon|icons|emoji|ad|ads|advert|banner|sponsor|badge|profile|"
                          r"spinner|loader|pixel|tracking|yazar|muhabir)$")  # yazar, muhabir: Turkish writer, reporter
_PLACEHOLDER = re.compile(r"(?:^|[/_.-])(?:blank|spacer|placeholder|lazy|loading|pixel|transparent|grey|gray)"
                          r"[\w-]*\.(?:gif|png|svg|jpg)(?:$|\?)|^about:", re.I)
_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-full-src")
# "img-desc", "photo-text", "pictext": a picture word followed by a text word names a caption.
_PICTURE_TEXT = re.compile(r"\b(?:img|image|photo|pic|picture|foto)\s?(?:desc|description|text|title|info)\b")
_SMALL = 80
MAX_WRAPPERS = 6
_MAX_CAPTION = 250  # a caption sits beside the img or beside a few single-child wrappers of it  # px: width/height attributes below this are icons and trackers


def images(scope: etree._Element | None, base: str) -> list[dict[str, str | None]]:
    """[{url, caption}] of the article's images in document order, one entry per URL."""
    if scope is None:
        return []
    out: list[dict[str, str | None]] = []
    for img in scope.iter("img", "amp-img"):  # AMP pages show photos as <amp-img>
        if not _content(img, scope) or in_furniture(img, scope):
            continue
        url = image_src(img, base)
        if url is None or any(i["url"] == url for i in out):
            continue
        caption = _data_caption(img, scope) or _caption(img, scope)
        out.append({"url": url, "caption": caption or one_line(img.get("alt"))})
    # A photo shown only as a CSS background: looked for on pages with no <img> photo (the search walks the scope).
    backgrounds = _backgrounds(scope, base, set()) if not out else []
    if backgrounds:
        # In document order with the <img> photos (a hero photo above the text comes first).
        keyed = [(order(el), entry) for el, entry in backgrounds]
        keyed += [(order(img), entry) for img, entry in _placed(scope, out, base)]
        out = [entry for _, entry in sorted(keyed, key=lambda pair: pair[0])]
    return out


_BACKGROUND = etree.XPath(".//*[contains(@style, 'background')]")
_CSS_URL = re.compile(r"background(?:-image)?\s*:[^;]*?url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", re.I)
_PHOTO_BOX = re.compile(r"^(hero|cover|featured|feature|image|img|photo|picture|pic|media|visual|thumb|thumbnail)$")


def _backgrounds(scope: etree._Element, base: str, seen: set[str]) -> list[tuple[etree._Element, dict[str, str | None]]]:
    """Photos set as a CSS background of a hero/cover/photo box (`<div class="hero" style="background-image:
    url(..)">`) that holds a caption-classed element: the photo and its caption."""
    out: list[tuple[etree._Element, dict[str, str | None]]] = []
    for el in _BACKGROUND(scope):
        m = _CSS_URL.search(el.get("style") or "")
        if not m or not has_role(el, _PHOTO_BOX) or in_furniture(el, scope) or not _content(el, scope):
            continue
        url = _usable(m.group(1), base)
        if url is None or url in seen or _PLACEHOLDER.search(url):
            continue
        caption = _caption_in(el)
        if caption is None:
            continue  # a decorative band (a section's header art); a photo shown as a background has its caption
        seen.add(url)
        out.append((el, {"url": url, "caption": caption}))
    return out


def _placed(scope: etree._Element, found: list[dict[str, str | None]],
            base: str) -> Iterator[tuple[etree._Element, dict[str, str | None]]]:
    """(img element, entry) for the entries found from <img>s, by their URL (first img with it)."""
    by_url = {e["url"]: e for e in found}
    for img in scope.iter("img", "amp-img"):
        url = image_src(img, base)
        entry = by_url.pop(url, None) if url else None
        if entry is not None:
            yield img, entry


def image_src(img: etree._Element, base: str) -> str | None:
    """The real URL of an img: lazy-loading attributes first, then src, then the widest srcset entry."""
    for name in _LAZY_ATTRS:
        url = _usable(img.get(name), base)
        if url:
            return url
    # Only src holds placeholders (a lazy loader's blank.gif); a real photo may well be named lazy-river.jpg.
    src = _usable(img.get("src"), base)
    if src and not _PLACEHOLDER.search(src):
        return src
    for name in ("data-srcset", "srcset"):
        url = _usable(_widest(img.get(name) or ""), base)
        if url and not _PLACEHOLDER.search(url):
            return url
    return None


def _usable(raw: str | None, base: str) -> str | None:
    if not raw:
        return None
    raw = strip_html5_whitespace(raw)
    if not raw or raw.startswith(("data:", "javascript:")):
        return None
    return urljoin(base, raw)


def _widest(srcset: str) -> str | None:
    best, best_w = None, -1.0
    for part in srcset.split(","):
        bits = part.split()
        if not bits:
            continue
        width = 0.0
        if len(bits) > 1 and bits[1][:-1].replace(".", "", 1).isdigit():
            width = float(bits[1][:-1]) * (1000 if bits[1].endswith("x") else 1)
        if width >= best_w:
            best, best_w = bits[0], width
    return best


def _content(img: etree._Element, scope: etree._Element) -> bool:
    """Not an icon, avatar, logo, ad or a related-article card's thumbnail."""
    for name in ("width", "height"):
        value = (img.get(name) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < _SMALL:
            return False
    chain = _ancestors(img, scope)
    for el in (img, *chain):
        if has_role(el, _NOT_CONTENT):
            return False
    # A picture inside a link to another page is a teaser card, unless it links to the picture itself.
    for anc in chain:
        if anc.tag == "a":
            href = (anc.get("href") or "").lower().split("?")[0]
            if not href.endswith((".jpg", ".jpeg", ".png", ".webp", ".gif")):
                return False
    return True


def _ancestors(el: etree._Element, scope: etree._Element, limit: int = MAX_DEPTH) -> list[etree._Element]:
    """The ancestors below `scope` (at most `limit`), nearest first: the walk stops at the scope instead of
    listing every ancestor up to the root first."""
    out = []
    for anc in islice(el.iterancestors(), limit):
        if anc is scope:
            break
        out.append(anc)
    return out


def _caption(img: etree._Element, scope: etree._Element) -> str | None:
    """figcaption (or a caption-classed element) of the img's figure; itemprop=caption; else a caption
    element right after the img or after its wrapper (an img outside any figure)."""
    for anc in _ancestors(img, scope):
        if anc.tag == "figure" or (anc.get("itemprop") or "").lower() == "image" or _is_caption_box(anc):
            found = _caption_in(anc)
            if found:
                return found
            if anc.tag == "figure":
                # `<figure><img></figure><p class="img-desc">...`: a caption-classed element right after it.
                sibling = _next_element(anc)
                return _caption_of(sibling) if sibling is not None and _is_caption_like(sibling) else None
    # The element right after the img, or after the img's only-child wrappers (<a><img></a>, <div><img></div>).
    el = img
    for _ in range(MAX_WRAPPERS):
        if el is scope or el.getparent() is None:
            return None
        sibling = _next_element(el)
        if sibling is not None:
            return _caption_of(sibling) or _lone_text(el, sibling)
        parent = el.getparent()
        if parent is scope or len([c for c in parent if isinstance(c.tag, str)]) > 1:
            return None
        el = parent
    return None


def _lone_text(pictured: etree._Element, sibling: etree._Element) -> str | None:
    """In a wrapper holding only the picture and one short text block, that block is its caption."""
    parent = pictured.getparent()
    if parent is None or [c for c in parent if isinstance(c.tag, str)] != [pictured, sibling]:
        return None
    if any(isinstance(d.tag, str) and d.tag.lower() in ("img", "amp-img", "p", "div", "ul", "table", "a")
           for d in sibling.iterdescendants()):
        return None
    text = one_line(element_text(sibling))
    return text if text and len(text) <= _MAX_CAPTION else None


def _is_caption_box(el: etree._Element) -> bool:
    """A wrapper like `<div class="wp-caption">` or `<div class="image-with-caption">`."""
    return any(any(w in word for w in _CAPTION_WORDS) for word in words(el))


def _caption_in(container: etree._Element) -> str | None:
    for el in container.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "figcaption" or (el.get("itemprop") or "").lower() in ("caption", "description") \
                or (el is not container and el.tag not in ("img", "amp-img") and _is_caption_like(el)):
            text = one_line(element_text(el))
            if text:
                return text
    return None


def _next_element(el: etree._Element) -> etree._Element | None:
    sibling = el.getnext()
    # Text between the img and the next element means that element is no caption of it.
    if (el.tail or "").strip():
        return None
    # A line break between them changes nothing (`<img><br><span class=ImageCaption>`), nor an empty
    # decoration (a slider's `<div class="swiper-lazy-preloader"></div>`, an icon's `<i>`).
    # A lazy-loading theme's `<noscript><img ...></noscript>` copy of the picture is the same picture.
    while sibling is not None and (not isinstance(sibling.tag, str) or sibling.tag in ("br", "noscript")
                                   or _empty(sibling)):
        if isinstance(sibling.tag, str) and (sibling.tail or "").strip():
            return None
        sibling = sibling.getnext()
    return sibling


def _empty(el: etree._Element) -> bool:
    """No text and nothing shown: no child elements at all (a picture, a frame or a block would count)."""
    return len(el) == 0 and not (el.text or "").strip() and el.tag not in _SHOWN


_SHOWN = frozenset(("img", "amp-img", "picture", "video", "iframe", "svg", "canvas", "hr", "figure", "embed", "object"))


def _caption_of(el: etree._Element) -> str | None:
    """The text of `el` when it is a caption: caption/legend class, figcaption, or a small/em/cite line;
    looked for through single-child wrappers (`<tr><td class="pic-caption">` in table layouts)."""
    for _ in range(MAX_WRAPPERS):
        if _is_caption_like(el) or len(el) != 1 or not isinstance(el[0].tag, str) \
                or (el.text or "").strip() or (el[0].tail or "").strip():
            break
        el = el[0]
    if el.tag in ("figcaption",) or _is_caption_like(el) or (el.get("itemprop") or "").lower() == "caption":
        return one_line(element_text(el)) or None
    if (el.tag in ("small", "em", "cite", "i") or _small_font(el)) and len(one_line(element_text(el)) or "") <= 300:
        return one_line(element_text(el)) or None
    return None


def _small_font(el: etree._Element) -> bool:
    """`<font size="1">` (or "-1", "-2"): the small print of pre-CSS layouts, where their captions sit."""
    return el.tag == "font" and (el.get("size") or "").strip() in ("1", "-1", "-2")


def _is_caption_like(el: etree._Element) -> bool:
    found = words(el)
    return any(any(w in word for w in _CAPTION_WORDS) for word in found) or \
        any(re.match(r"^(credit|credits|cutline|legend)$", w) for w in found) or \
        _PICTURE_TEXT.search(" ".join(found)) is not None


def _data_caption(img: etree._Element, scope: etree._Element) -> str | None:
    """A lightbox's caption: `data-caption` on the img or on the link around it (`<a data-fancybox
    data-caption="...">`)."""
    for el in (img, *_ancestors(img, scope, 2)):
        if el is img or el.tag == "a":
            text = one_line(el.get("data-caption"))
            if text and len(text) <= _MAX_CAPTION:
                return text
    return None
