"""The decoded page parsed once into the lxml tree every layer shares (parsel's parse, without its copies)."""

from __future__ import annotations

import codecs
from typing import Any

from lxml import etree
from parsel import Selector

from .charset import Decoded


def parse(body: bytes, decoded: Decoded, base_url: str) -> Selector:
    """The page as parsel's `create_root_node(decoded.text, etree.HTMLParser)` parses it: the same bytes
    reach the same parser, so the same tree.

    A plain lxml HTML parser: lxml.html's (parsel's default) looks up a Python element class for every
    element proxy; nothing here uses lxml.html's element methods. parsel strips the text, drops NULs and
    encodes it to UTF-8 again (a third of the parse's time on an Arabic page); a page that is exactly its
    UTF-8 decoding is stripped as bytes instead.
    """
    data = _as_utf8(body, decoded)
    if data is None:
        data = decoded.text.strip().replace("\x00", "").encode("utf-8")
    data = data or b"<html/>"
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    root = etree.fromstring(data, parser=parser, base_url=base_url)
    if root is None:  # nothing but a comment or a doctype: what parsel gives
        root = etree.fromstring(b"<html/>", parser=parser, base_url=base_url)
    return Document(root=root, type="html")


# Tags several layers look up page-wide: JSON-LD scripts, meta, link, base, the body, h1s and h2s, address
# (bylines); and
# HEADINGS, the h1s and h2s together in document order (the title's candidates).
INDEXED = ("script", "meta", "link", "base", "body", "h1", "h2", "address")
HEADINGS = "h1|h2"


class Document(Selector):
    """The parsed page as a parsel Selector that also lists its elements of the INDEXED tags, found in one
    walk when first asked: every walk of a big tree costs about as much as the next (the tree does not stay
    in the processor's cache), so the layers share one instead of a walk or an XPath `//x` each."""

    __slots__ = ("_tagged",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tagged: dict[str, list[etree._Element]] | None = None


def tagged(root: Selector, tag: str) -> list[etree._Element]:
    """The elements named `tag` (or HEADINGS) in the whole document of `root`, in document order:
    `doc.iter(tag)`."""
    el = root.root
    if isinstance(root, Document) and (tag in INDEXED or tag == HEADINGS) and isinstance(el, etree._Element):
        if root._tagged is None:
            found: dict[str, list[etree._Element]] = {name: [] for name in (*INDEXED, HEADINGS)}
            headings = found[HEADINGS]
            for node in el.getroottree().getroot().iter(*INDEXED):
                name = node.tag
                found[name].append(node)
                if name == "h1" or name == "h2":
                    headings.append(node)
            root._tagged = found
        return root._tagged[tag]
    if not isinstance(el, etree._Element):
        return []
    return list(el.getroottree().getroot().iter(*tag.split("|")))


def _as_utf8(body: bytes, decoded: Decoded) -> bytes | None:
    """`decoded.text.strip().replace("\\x00", "").encode("utf-8")` computed on the bytes, or None when that
    is not certain: the text must be the bytes' strict UTF-8 decoding (no BOM, nothing replaced) and the
    bytes' ends after an ASCII strip must not be whitespace to str.strip() either (it also strips
    \\x1c-\\x1f and non-ASCII spaces)."""
    if decoded.encoding != "utf-8" or decoded.replacement_chars or body.startswith(codecs.BOM_UTF8) \
            or b"\x00" in body:
        return None
    data = body.strip()
    if not data:
        return None
    first, last = data[0], data[-1]
    if first >= 0x80 or last >= 0x80 or chr(first).isspace() or chr(last).isspace():
        return None
    return data
