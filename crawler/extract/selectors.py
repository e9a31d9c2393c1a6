"""The profile's selectors layer, and element text that never splits words (`<b>ال</b>حكومة`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector, SelectorList
from w3lib.html import strip_html5_whitespace

from .tree import tagged

# Python's \s is Unicode-aware: NBSP, thin spaces, ideographic space collapse; ZWNJ/ZWJ are not spaces.
_SPACES = re.compile(r"\s+")

# Elements whose boundaries are line breaks when rendered; inline elements (b, a, span) join with nothing.
_BLOCK = frozenset(
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header "
    "hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
# Never visible text, even though XPath string(.) would include it.
_INVISIBLE = frozenset("script style noscript template".split())


def collapse(text: str) -> str:
    """Strip and collapse whitespace runs inside each line; keep line breaks, drop edge blank lines.

    `" ".join(line.split())` is `_SPACES.sub(" ", line).strip()`: str.split() splits on exactly what \\s
    matches, in C without the regex machinery (here and below: a third of the time on long texts).
    """
    return "\n".join([" ".join(line.split()) for line in text.split("\n")]).strip("\n")


def one_line(text: str | None) -> str | None:
    """A single-line value (title, author, tag): every whitespace run, newlines too, becomes a space."""
    if text is None:
        return None
    return " ".join(text.split()) or None


def element_text(node: Selector | etree._Element) -> str:
    """String value of an element with `<br>` and block boundaries as newlines, whitespace collapsed."""
    el = node.root if isinstance(node, Selector) else node
    if isinstance(el, str):  # a ::text / ::attr() result
        return collapse(el)
    if not len(el) and isinstance(el.tag, str) and el.tag.lower() not in _INVISIBLE and el.tag.lower() != "br":
        # Most paragraphs are one text node: the walk below gives its whitespace-collapsed text.
        return " ".join((el.text or "").split())
    lines: list[list[str]] = [[]]

    def soft_break() -> None:
        if "".join(lines[-1]).strip():
            lines.append([])

    # An explicit stack, not recursion: pages nest thousands of inline tags deep (parsel parses with
    # huge_tree), which would raise RecursionError. Entries: (element, False) = enter, (element, True) = leave.
    stack: list[tuple[etree._Element, bool]] = [(el, False)]
    while stack:
        e, leaving = stack.pop()
        tag = e.tag.lower() if isinstance(e.tag, str) else None
        visible = tag is not None and tag not in _INVISIBLE
        if leaving:
            if visible and tag in _BLOCK:
                soft_break()
            # The tail belongs to the parent's text, also after comments and skipped elements.
            if e.tail and e is not el:
                lines[-1].append(e.tail)
            continue
        if visible and tag == "br":
            lines.append([])
        elif visible:
            if tag in _BLOCK:
                soft_break()
            if e.text:
                lines[-1].append(e.text)
            stack.append((e, True))
            stack.extend((child, False) for child in reversed(e))
            continue
        stack.append((e, True))  # invisible, br, comment: only the tail is text
    # Each line's whitespace runs (newlines inside text nodes too) collapsed, then collapse(): the same as
    # joining the collapsed lines with newlines and dropping blank edge lines.
    return "\n".join([" ".join("".join(parts).split()) for parts in lines]).strip("\n")


def run(root: Selector, selector: str) -> SelectorList:
    """One selector: XPath when it starts with `/` or `(`, else CSS; a broken selector matches nothing."""
    try:
        if selector.startswith(("/", "(")):
            return root.xpath(selector)
        return root.css(selector)
    except Exception:  # cssselect/lxml raise several unrelated types; a bad profile entry must not crash
        return SelectorList([])


def texts(root: Selector, selectors: Sequence[str] | str | None) -> list[str]:
    """Non-empty texts of every match of the first selector that yields any (profile priority order)."""
    for selector in _as_list(selectors):
        found = [t for t in (element_text(node) for node in run(root, selector)) if t]
        if found:
            return found
    return []


def first_text(root: Selector, selectors: Sequence[str] | str | None) -> str | None:
    found = texts(root, selectors)
    return found[0] if found else None


def all_texts(root: Selector, selectors: Sequence[str] | str | None,
              keep: Callable[[etree._Element], bool] | None = None) -> Iterable[str]:
    """Every non-empty text of every selector in order (dates: a later selector may parse when one fails);
    `keep`, when given, says which matched elements count (attribute matches always do)."""
    for selector in _as_list(selectors):
        for node in run(root, selector):
            if keep is not None and isinstance(node.root, etree._Element) and not keep(node.root):
                continue
            text = element_text(node)
            if text:
                yield text


def images(
    root: Selector, containers: Sequence[str] | str | None, hero: Sequence[str] | str | None, page_url: str
) -> list[dict[str, str | None]]:
    """[{url, caption}] from the first container selector that yields an image, else the hero image."""
    if not _as_list(containers) and not _as_list(hero):
        return []  # no selectors (a generic page): nothing to resolve the base URL for
    base = base_url(root, page_url)
    for selector in _as_list(containers):
        found = _unique(_container_image(node, base) for node in run(root, selector))
        if found:
            return found
    for selector in _as_list(hero):
        found = _unique(_container_image(node, base) for node in run(root, selector))
        if found:
            return found
    return []


def base_url(root: Selector, page_url: str) -> str:
    """The page URL, or its `<base href>` which is what browsers resolve relative links against."""
    doc = root.root
    if isinstance(doc, etree._Element):
        # `root.xpath("//base/@href").get()` without parsel's per-call XPath setup (a tenth of a millisecond).
        bases = tagged(root, "base")
        href = next((h for h in (el.get("href") for el in bases) if h is not None), None)
    else:
        href = root.xpath("//base/@href").get()
    return urljoin(page_url, strip_html5_whitespace(href)) if href else page_url


def image_url(raw: str | None, base: str) -> str | None:
    if not raw:
        return None
    raw = strip_html5_whitespace(raw)
    if not raw or raw.startswith("data:"):
        return None
    return urljoin(base, raw)


def _container_image(node: Selector, base: str) -> dict[str, str | None] | None:
    if not isinstance(node.root, etree._Element):
        return None
    imgs = [node] if node.root.tag == "img" else node.xpath(".//img")
    captions = (element_text(c) for c in node.xpath(".//figcaption"))
    caption = next((one_line(c) for c in captions if c), None)
    # The first img that has a usable URL: a src-less pixel or placeholder must not hide the photo.
    for img in imgs:
        found = _img(img, base, caption)
        if found:
            return found
    return None


def _img(node: Selector, base: str, caption: str | None) -> dict[str, str | None] | None:
    # Lazy loaders put the real URL in data-src and a placeholder in src.
    url = image_url(node.attrib.get("data-src"), base) or image_url(node.attrib.get("src"), base)
    if url is None:
        return None
    # alt is the caption only without a figcaption; the page repeats the same text in both.
    return {"url": url, "caption": caption or one_line(node.attrib.get("alt"))}


def _unique(items: Iterable[dict[str, str | None] | None]) -> list[dict[str, str | None]]:
    out: list[dict[str, str | None]] = []
    seen: set[str] = set()
    for item in items:
        if item and item["url"] not in seen:
            seen.add(item["url"])  # type: ignore[arg-type]
            out.append(item)
    return out


def _as_list(selectors: Sequence[str] | str | None) -> list[str]:
    if not selectors:
        return []
    return [selectors] if isinstance(selectors, str) else list(selectors)
