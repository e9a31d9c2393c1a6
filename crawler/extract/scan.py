"""Linear-time markup scans for hostile pages: the <title> text, and text with script/style/head removed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

# A regex like `<title\b[^>]*>(.*?)</title>` restarts at every `<title` and scans to the end of the
# page each time: a page of 100 000 unclosed `<title>` or `<script>` tags took 9 to 10 seconds in
# detect_block (w3lib's remove_tags_with_content has the same shape). Here every scan moves forward
# only, and a tag whose end tag is missing is never searched for again.
_TITLE_OPEN = re.compile(r"<title\b", re.I)
_TITLE_CLOSE = re.compile(r"</title\s*+>", re.I)


def first_title(html: str) -> str | None:
    """The raw content of the first <title> element that is closed, as `<title\\b[^>]*>(.*?)</title\\s*>`."""
    m = _TITLE_OPEN.search(html)
    if m is None:
        return None
    gt = html.find(">", m.end())
    if gt < 0:
        return None
    end = _TITLE_CLOSE.search(html, gt + 1)
    return html[gt + 1:end.start()] if end else None


@cache
def _open_re(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in names)
    return re.compile(rf"<({alternatives})(?=[\s/>])[^<>]*+>", re.I)


@cache
def _close_re(name: str) -> re.Pattern[str]:
    return re.compile(rf"</{re.escape(name)}(?=[\s/>])[^<>]*+>", re.I)


def strip_elements(html: str, names: Sequence[str]) -> str:
    """`html` without the named elements and their content (as w3lib's remove_tags_with_content).

    An element whose end tag never comes is left in place (its tags go with the other markup), except
    a self-closing tag, which goes alone. The scan never goes back, so the cost is linear in the page.
    """
    open_re = _open_re(tuple(sorted({n.lower() for n in names})))
    out: list[str] = []
    pos = start = 0
    unclosed: set[str] = set()
    while (m := open_re.search(html, start)) is not None:
        name = m.group(1).lower()
        start = m.end()
        close = None if name in unclosed else _close_re(name).search(html, m.end())
        if close is not None:
            end = close.end()  # `<script/>` too: HTML ignores that slash, the content runs to the end tag
        else:
            unclosed.add(name)  # no later one of these can be closed either
            if not m.group(0).endswith("/>"):
                continue
            end = m.end()  # self-closing with no end tag anywhere after it: only the tag goes
        out.append(html[pos:m.start()])
        pos = start = end
    out.append(html[pos:])
    return "".join(out)
