"""The decoded page parsed once into the lxml tree every layer shares (parsel's parse, without its copies)."""

from __future__ import annotations

import codecs

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
    return Selector(root=root, type="html")


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
