"""The short lines between the headline and the body's first paragraph: where a page prints its date and byline."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from .blocks import BLOCK_TAGS, SKIP_TAGS
from .fields_page import Page, in_furniture
from .selectors import element_text, one_line

MAX_LINES = 6
MAX_LINE = 120  # characters: a date or byline line, not a paragraph
_MAX_ELEMENTS = 200  # elements walked after the headline: the article's header, not the page


def header_lines(page: Page) -> list[str]:
    """Up to MAX_LINES texts, in document order, of the innermost elements between the headline and the
    body's start, each short and outside furniture (`<tr><td><font>date</font></td></tr>` rows of table layouts,
    a `كتب: Name` line above the text). [] without a headline or a body start."""
    heading, start = page.heading, page.start
    if heading is None or start is None:
        return []
    out: list[str] = []
    for el in _following(heading, start):
        if not isinstance(el.tag, str) or el.tag in SKIP_TAGS or el.tag == "br":
            continue
        if any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in el):
            continue  # a box of lines: its lines come one by one
        text = one_line(element_text(el))
        if not text or len(text) > MAX_LINE or text in out or any(text in line for line in out):
            continue  # `<font><b>line</b></font>`: the line once
        if in_furniture(el, page.scope):
            continue
        out.append(text)
        if len(out) == MAX_LINES:
            break
    return out


def _following(el: etree._Element, stop: etree._Element) -> Iterator[etree._Element]:
    """Elements after `el` (not inside it) in document order, until `stop` (an element holding `stop` comes
    first: its text is the body's, too long for a line)."""
    walked = 0
    node: etree._Element | None = el
    while node is not None:
        for sibling in node.itersiblings():
            for d in sibling.iter():
                if d is stop:
                    return
                walked += 1
                if walked > _MAX_ELEMENTS:
                    return
                yield d
        node = node.getparent()
