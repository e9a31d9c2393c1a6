"""The generic body: the DOM candidate weighed against the page's JSON-LD `articleBody`."""

from __future__ import annotations

import re
from collections import Counter
from itertools import chain

from lxml import etree, html

from . import body
from .blocks import segment

_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")
_MARKUP = re.compile(r"<[a-zA-Z/!][^<>]*>")  # [^<>]: a scan never runs past the next tag (linear)
# The declared body must be this much longer than the DOM's to replace it: a CMS often declares a
# truncated excerpt, and the DOM keeps the paragraphs as rendered.
_LONGER = 1.5
# Declared and rendered bodies agree when this share of the rendered words is in the declared one.
_AGREE = 0.8


def generic_body(root: etree._Element, article_body: str | None) -> tuple[list[str], str]:
    """(paragraphs, layer): the DOM's body ("fallback") or the declared one ("jsonld"), whichever is the article.

    The declared body wins when the DOM gave nothing or much less (it picked part of a split body or a
    box); when both agree, DOM paragraphs the declared body does not have (captions, promos) are dropped.
    """
    dom = body.extract(root)
    declared = declared_paragraphs(article_body)
    if not declared:
        return dom, "fallback"
    if not dom:
        return declared, "jsonld"
    # The same words as a generator of w.lower() over each paragraph's findall, iterated in C.
    dom_words = Counter(map(str.lower, chain.from_iterable(map(_WORD.findall, dom))))
    ld_words = Counter(map(str.lower, chain.from_iterable(map(_WORD.findall, declared))))
    n_dom, n_ld = sum(dom_words.values()), sum(ld_words.values())
    if n_ld > n_dom * _LONGER:
        return declared, "jsonld"
    if n_ld >= n_dom / _LONGER and sum((dom_words & ld_words).values()) >= n_dom * _AGREE:
        vocabulary = set(ld_words)
        kept = [p for p in dom if _share_in(p, vocabulary) >= 0.5]
        return (kept or dom), "fallback"
    return dom, "fallback"


def declared_paragraphs(article_body: str | None) -> list[str]:
    """JSON-LD articleBody as paragraphs: HTML markup parsed and dropped, else one paragraph a line."""
    if not article_body or not article_body.strip():
        return []
    if _MARKUP.search(article_body):
        try:
            fragment = html.fragment_fromstring(article_body, create_parent="div")
        except (etree.ParserError, ValueError):
            fragment = None
        if fragment is not None:
            return [b.text for b in segment(fragment).blocks]
    lines = (_SPACES.sub(" ", line).strip() for line in article_body.split("\n"))
    return [line for line in lines if line]


def _share_in(paragraph: str, vocabulary: set[str]) -> float:
    words = [w.lower() for w in _WORD.findall(paragraph)]
    return sum(w in vocabulary for w in words) / len(words) if words else 0.0
