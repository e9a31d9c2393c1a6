"""Byline lines: a "كتب: Name" / "By Name" / "نووسینی: Name" line opening or closing a body, or under a headline."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .selectors import one_line


def _old_orthography(pattern: str) -> str:
    """Sorani words also as older pages spell them: ە as ه + ZWNJ, ک as Arabic ك, ی as Arabic ي."""
    return pattern.replace("ە", "(?:ە|ه\u200c?)").replace("ک", "[کك]").replace("ی", "[یي]")


# A paragraph that is only a byline: "كتب: Name", "By Name", "نووسینی: Name". Words that also open sentences
# ("كتب", "written by") need the colon or dash; "By"/"بقلم" do not.
BYLINE_LINE = re.compile(
    r"^\s*(?:(?:by|بقلم)\s*[:：\-–—]?\s+|(?:written\s+by|كتب|كتبت|إعداد|اعداد|تقرير|المحرر|مراسل|"
    + _old_orthography("نووسینی|نووسین|نووسەر|ئامادەکردنی") +
    r"|nivîskar|amadekar|nûçe|muhabir|haber)\s*[:：\-–—]\s*)(?P<name>\S.*)$", re.I)
_NOT_NAME = re.compile(r"[\d.!?؟;؛]")


def byline_paragraph(body: Sequence[str]) -> tuple[int, str] | None:
    """(index, name) of a first or last body paragraph that is only a byline; None when there is none."""
    if len(body) < 3:
        return None
    for index in (0, len(body) - 1):
        m = BYLINE_LINE.match(body[index])
        name = byline_name(m.group("name")) if m else None
        if name:
            return index, name
    return None


def byline_name(raw: str) -> str | None:
    """The name after a byline label, when it reads as one: short, no digits or sentence marks."""
    name = one_line(raw)
    if not name or len(name) > 40 or len(name.split()) > 5 or _NOT_NAME.search(name):
        return None
    if name.isascii() and not all(w[:1].isupper() for w in name.split()):
        return None  # "By the end of ...": a Latin-script name is capitalised
    return name
