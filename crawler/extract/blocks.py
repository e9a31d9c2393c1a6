"""Cut a parsed page into text blocks (paragraphs of any markup) with the evidence the body scorer needs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import itemgetter

from lxml import etree

from .names import NAME_TESTS, name_tests
from .names import negative_pair as _negative_pair

_FIRST = itemgetter(0)
_BR = "\x00"  # stands for a <br> in a block's raw text: XML/HTML text can never hold a NUL
# Boundaries of a block of text: what a browser renders on its own line (forms and tables too).
BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog dir div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hgroup hr html li main menu nav ol p pre section summary table tbody "
    "td tfoot th thead tr ul caption legend".split())
# Never article text: not rendered, or controls whose labels are interface text.
SKIP_TAGS = frozenset(
    "script style noscript template svg math head title meta link button select option textarea iframe object "
    "embed canvas audio video input map area datalist output progress meter".split())
# Never the article's text; their subtrees are not walked at all (the article is not in a menu).
_PRUNED = frozenset("nav aside footer menu".split())
# Page furniture by element name.
FURNITURE_TAGS = frozenset("nav aside footer header menu dialog".split())
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_FIGURE = frozenset(("figure", "figcaption"))
# Inline elements whose class is read (a caption or byline span; not every <a> and <b>: lookups cost).
_INLINE_NAMED = frozenset("span small cite font label time".split())
# Microdata of the other fields (the byline, the dates, the lead): not the body's text.
_FIELD_PROPS = frozenset("author creator publisher datePublished dateModified dateCreated description "
                         "headline alternativeHeadline keywords".split())
_DISPLAY_NONE = re.compile(r"(?i)display\s*:\s*none")  # hidden copies (schema.org markup, modals)
_NEVER_HIDDEN = frozenset("html body main article".split())  # page-wide classes ("tooltips-enabled")
# What the walk does at a tag, found by one dict lookup (most elements are plain inline ones: no entry).
_BLOCK, _SKIP, _LINK, _LINE, _NAMED = 1, 2, 3, 4, 5
_KIND = {**{t: _NAMED for t in _INLINE_NAMED}, "a": _LINK, "br": _LINE, **{t: _SKIP for t in SKIP_TAGS},
         **{t: _BLOCK for t in BLOCK_TAGS}}


@dataclass(slots=True)
class Block:
    """One paragraph of text and where it sits."""

    text: str
    owner: etree._Element  # innermost block-level element holding the text
    chain: tuple[etree._Element, ...]  # owner and up to five ancestors, innermost first
    chars: int  # non-space characters
    links: int  # non-space characters inside <a>
    furniture: int  # non-space characters inside inline furniture (a caption or byline span, a <time>)
    negative: etree._Element | None  # innermost furniture ancestor (by name or class/id), if any
    caption: bool  # inside <figure>/<figcaption>
    heading: int  # 1..6 for <h1>..<h6>, else 0
    index: int  # preorder number of the owner


@dataclass
class Page:
    blocks: list[Block] = field(default_factory=list)
    # element -> [preorder start, preorder end, non-space chars, link chars] of its whole subtree
    stats: dict[etree._Element, list[int]] = field(default_factory=dict)
    containers: set[etree._Element] = field(default_factory=set)  # elements with block-level children


def negative_name(el: etree._Element) -> bool:
    return _negative_pair(el.get("class"), el.get("id"))


def segment(root: etree._Element) -> Page:
    """Blocks in document order, found in one forward walk (no recursion: any nesting depth is fine).

    Only block-level elements are remembered (stack, stats); inline ones just add their text, which keeps
    the walk cheap on the thousands of spans and links of a real page.
    """
    page = Page()
    stats, blocks, containers = page.stats, page.blocks, page.containers
    # Open block elements: (element, tag, negative ancestor-or-self, figure depth, heading level, stats)
    stack: list[tuple] = []
    buf: list[str] = []
    links = 0  # link characters in buf
    furniture = 0  # furniture characters in buf
    # Open inline furniture elements with the block depth they sit at: a span wrapping whole paragraphs
    # (a CMS "meta_field" wrapper) marks none of the blocks inside it.
    inline_neg: list[tuple[etree._Element, int]] = []
    counter = 0
    has_text = False

    def flush() -> None:
        raw = "".join(buf)
        buf.clear()
        top = stack[-1]
        chain = tuple(map(_FIRST, stack[:-7:-1]))
        if _BR not in raw:
            # One part (most blocks): its share of the links and furniture is all of them.
            # str.split() splits on exactly what the regex \s matches. A printable text holds no whitespace but
            # the ASCII space (Python counts every other one as unprintable): without a double space, the
            # split and join only strip its ends (most blocks; isprintable() is a C loop, split builds a list).
            text = raw.strip(" ") if raw.isprintable() and "  " not in raw else " ".join(raw.split())
            if text:
                blocks.append(Block(text, top[0], chain, len(text), links, furniture, top[2], top[3] > 0, top[4],
                                    top[5][0]))
            return
        parts = _lines(raw, top[1] == "p")
        sizes = [len(p) for p in parts]
        total = sum(sizes) or 1
        for part, n in zip(parts, sizes):
            if n:
                blocks.append(Block(part, top[0], chain, n, round(links * n / total), round(furniture * n / total),
                                    top[2], top[3] > 0, top[4], top[5][0]))

    # names.hidden_words and negative_embed of a class or id, from one dict read inline: (hidden, negative, embed)
    kind_of, known, tests, display_none = _KIND.get, NAME_TESTS.get, name_tests, _DISPLAY_NONE.search
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    skip = walker.skip_subtree
    skipped = False  # the last start was skipped: the next event is that element's end
    # An element's end is told apart without reading its tag again: a block's is the innermost open
    # block's (iterwalk gives the same proxy at start and end), a link's the innermost open link's.
    top: etree._Element | None = None  # stack[-1][0]
    open_links: list[etree._Element] = []
    for event, el in walker:
        if event == "start":
            tag = el.tag
            kind = kind_of(tag)
            if kind == _BLOCK:
                # One keys() call instead of four get()s: many blocks have one attribute or none.
                keys = el.keys()
                cls = el.get("class") if "class" in keys else None
                found = (known(cls) or tests(cls)) if cls else None  # a 3-tuple: never false
                if tag in _PRUNED or (tag not in _NEVER_HIDDEN and ((found and found[0]) or (
                        "style" in keys and "none" in (style := el.get("style")).lower() and display_none(style)))):
                    if has_text:  # a boundary like any block: the text before it is a block of its own
                        flush()
                        links, furniture, has_text = 0, 0, False
                    skip()
                    skipped = True
                    continue
                if has_text:
                    flush()
                    links, furniture, has_text = 0, 0, False
                elif buf:
                    buf.clear()
                st = [counter, counter, 0, 0]
                counter += 1
                stats[el] = st
                # negative_pair(cls, id), inlined: this runs for every block element of the page
                ident = el.get("id") if "id" in keys else None
                if found:
                    neg, embed = found[1], found[2]
                    if ident:
                        found = known(ident) or tests(ident)
                        neg, embed = neg or found[1], embed or found[2]
                elif ident:
                    found = known(ident) or tests(ident)
                    neg, embed = found[1], found[2]
                else:
                    neg = embed = False
                named = (neg and not embed) or ("itemprop" in keys and el.get("itemprop") in _FIELD_PROPS)
                if stack:
                    parent = stack[-1]
                    containers.add(top)
                    stack.append((el, tag, el if (named or tag in FURNITURE_TAGS) else parent[2],
                                  parent[3] + (tag in _FIGURE), int(tag[1]) if tag in _HEADINGS else parent[4], st))
                else:
                    stack.append((el, tag, el if named else None, 0, 0, st))
                top = el
            elif kind == _LINK:
                open_links.append(el)
            elif kind == _SKIP:
                skip()
                skipped = True
                continue
            elif kind == _NAMED:
                cls = el.get("class")
                if cls:
                    found = known(cls) or tests(cls)
                    if found[0]:
                        skip()
                        skipped = True
                        continue
                    if tag == "time" or (found[1] and not found[2]):  # names.negative_words(cls)
                        inline_neg.append((el, len(stack)))
                elif tag == "time":
                    inline_neg.append((el, len(stack)))
            elif kind == _LINE:
                buf.append(_BR)
            text = el.text
        else:
            if event == "end":
                if skipped:
                    skipped = False
                elif el is top:
                    if has_text:
                        flush()
                        links, furniture, has_text = 0, 0, False
                    elif buf:
                        buf.clear()
                    st = stack.pop()[5]
                    st[1] = counter - 1
                    if stack:
                        up = stack[-1]
                        top = up[0]
                        up = up[5]
                        up[2] += st[2]
                        up[3] += st[3]
                    else:
                        top = None
                else:
                    if open_links and open_links[-1] is el:
                        open_links.pop()
                    if inline_neg and inline_neg[-1][0] is el:
                        inline_neg.pop()
            text = el.tail  # after an element's end, and after a comment: the tail is the parent's text
        if text and stack:
            n = len(text.strip())
            if n:
                buf.append(text)
                has_text = True
                st = stack[-1][5]
                st[2] += n
                if open_links:
                    st[3] += n
                    links += n
                if inline_neg and inline_neg[-1][1] == len(stack):
                    furniture += n
            elif buf:
                buf.append(" ")  # a space between two inline elements still separates their words
    if has_text and stack:
        flush()
    return page


def _lines(raw: str, paragraph: bool) -> list[str]:
    """Text with <br>s: one paragraph of lines in a <p>; elsewhere <br><br> (a blank line) splits paragraphs."""
    lines = [" ".join(line.split()) for line in raw.split(_BR)]
    if paragraph:
        return ["\n".join(lines).strip("\n")]
    parts: list[str] = []
    cur: list[str] = []
    for line in lines + [""]:
        if line:
            cur.append(line)
        elif cur:
            parts.append("\n".join(cur))
            cur = []
    return parts
