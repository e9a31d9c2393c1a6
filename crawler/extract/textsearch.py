"""The text-node searches of the title and body finders: the element whose own text holds a phrase."""

from __future__ import annotations

from lxml import etree
from parsel import Selector

from .tree import tagged

# Text-node searches: `//body//text()[...]` as written, and as `descendant::text()[...]` from the page's one
# <body> (the same nodes in the same order, without building the node-set of every node first).
_VISIBLE = "[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]/.."
_TITLE_TEXT = "[contains(., $w)][normalize-space(.) = $t]/.."
_START_TEXT = "[contains(., $p)]" + _VISIBLE
_START_SPACED = "[contains(., $w)][contains(normalize-space(.), $p)]" + _VISIBLE
_TEXT_SEARCH = {rest: (etree.XPath("descendant::text()" + rest), etree.XPath("//body//text()" + rest))
                for rest in (_TITLE_TEXT, _START_TEXT, _START_SPACED)}


def _body_text(root: Selector, rest: str, **variables: str) -> list[etree._Element]:
    """`root.root.xpath("//body//text()" + rest, **variables)`."""
    in_body, in_document = _TEXT_SEARCH[rest]
    bodies = tagged(root, "body")
    if not bodies:
        return []
    if len(bodies) == 1:
        return in_body(bodies[0], **variables)
    return in_document(root.root, **variables)


# The same searches stopping at the first match: libxml2 stops testing text nodes at a step's `[1]` only when
# one predicate precedes it (and() evaluates its right side only when the left holds). `/..` orders the
# parents of all matches in document order, so a later match directly under an ancestor of the first one's
# parent comes first there: _ABOVE finds those ancestors (no visibility test needed: a text child of an
# ancestor of a visible text's parent is visible too).
_SHOWN = " and not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)"
_CONDITION = {_TITLE_TEXT: "contains(., $w) and normalize-space(.) = $t", _START_TEXT: "contains(., $p)",
              _START_SPACED: "contains(., $w) and contains(normalize-space(.), $p)"}
_FIRST = {rest: etree.XPath(f"descendant::text()[{cond}{_SHOWN if _VISIBLE in rest else ''}][1]/..")
          for rest, cond in _CONDITION.items()}
_ABOVE = {rest: etree.XPath(f"ancestor::*[text()[{cond}]]") for rest, cond in _CONDITION.items()}


def _first_text(root: Selector, rest: str, **variables: str) -> etree._Element | None:
    """`(_body_text(root, rest, **variables) or [None])[0]`: the first match's parent, unless an ancestor of
    it inside the <body> has a matching text child (then the outermost such one)."""
    bodies = tagged(root, "body")
    if len(bodies) != 1:
        found = _body_text(root, rest, **variables)
        return found[0] if found else None
    body = bodies[0]
    first = _FIRST[rest](body, **variables)
    return _outermost(body, first[0], rest, **variables) if first else None


def _outermost(body: etree._Element, parent: etree._Element, rest: str, **variables: str) -> etree._Element:
    """The first match's parent, or the outermost ancestor of it inside the <body> with a matching text child."""
    if parent is body:
        return parent
    for anc in _ABOVE[rest](parent, **variables):  # outermost first
        if anc is body or any(a is body for a in anc.iterancestors()):
            return anc
    return parent


# A text node either start search matches: both need the probe's longest word (a piece of the probe).
_EITHER = etree.XPath("descendant::text()[contains(., $w) and (contains(., $p) or contains(normalize-space(.), $p))"
                      + _SHOWN + "][1]")


def start_text(root: Selector, probe: str) -> etree._Element | None:
    """`_first_text(root, _START_TEXT, p=probe)`, else `_first_text(root, _START_SPACED, p=probe, w=<its longest
    word>)`; when neither matches (a fifth of the pages) one scan of the text nodes tells, not two. The first
    node matching either search is the plain search's first match when it holds the probe, else the spaced
    one's, with the plain search still to run."""
    word = max(probe.split(), key=len)
    bodies = tagged(root, "body")
    if len(bodies) != 1:
        found = _first_text(root, _START_TEXT, p=probe)
        return found if found is not None else _first_text(root, _START_SPACED, p=probe, w=word)
    body = bodies[0]
    first = _EITHER(body, p=probe, w=word)
    if not first:
        return None
    node = first[0]
    if probe in node:
        rest, variables = _START_TEXT, {"p": probe}
    else:
        found = _first_text(root, _START_TEXT, p=probe)
        if found is not None:
            return found
        rest, variables = _START_SPACED, {"p": probe, "w": word}
    parent = node.getparent()  # a tail's smart string names the element it follows, not its parent
    return _outermost(body, parent.getparent() if node.is_tail else parent, rest, **variables)
