"""Class/id word tests of the body segmenter (furniture, embeds, pop-ups): cached, regex-free on the common path.

Every class string of a page is new to these tests on a site seen for the first time, so the uncached path
counts: the regexes below define the answers, and the code answers the same without running them where
that is certain (tests/test_extract_fastpath.py checks each against its regex).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Entries per cache of class/id strings, tokens and words. A crawl that meets many sites (or the extraction
# benchmark's 91 pages, about 14,500 distinct class strings) cycles through far more than a few thousand:
# an LRU smaller than that working set misses on every lookup (measured: 7% of the extraction time with
# 8,192). Strings are short, so even a full cache is a few MB.
CACHE_SIZE = 1 << 16

# Page furniture by class/id words: comment threads, share bars, related links, bylines, newsletters...
_NEGATIVE = re.compile(
    r"(?:^|[^a-z])(?:comments?|commentlist|disqus|related|share|sharing|social|sidebar|widgets?|footer|"
    r"newsletters?|subscribe|subscription|signup|promo|promos|sponsor(?:ed)?|adverts?|advertisement|ads?|"
    r"banner|cookies?|consent|popup|modal|breadcrumbs?|byline|bylines|author|authors|writers?|reporters?|updated?|"
    r"bio|tags?|caption|credits?|"
    r"outbrain|taboola|recommend(?:ed|ations)?|trending|popular|nav|navbar|navigation|menu|toolbar|rating|"
    r"pagination|pager|masthead|meta|timestamp|dateline|dates?|time|posted|disclaimer|copyright|more|also|follow|"
    r"photos?|gallery|slideshow|lightbox|standfirst|excerpt|dek|subtitle|kicker|latest|most|headlines|"
    r"login|paywall|skip|email|jump|teaser|feedback|survey|tools)(?:$|[^a-z])")
# The words _NEGATIVE matches, spelled out: it matches exactly when a maximal run of a-z is one of them.
NEGATIVE_WORDS = frozenset(
    "comment comments commentlist disqus related share sharing social sidebar widget widgets footer "
    "newsletter newsletters subscribe subscription signup promo promos sponsor sponsored advert adverts "
    "advertisement ad ads banner cookie cookies consent popup modal breadcrumb breadcrumbs byline bylines "
    "author authors writer writers reporter reporters update updated bio tag tags caption credit credits "
    "outbrain taboola recommend recommended recommendations trending popular nav navbar navigation menu "
    "toolbar rating pagination pager masthead meta timestamp dateline date dates time posted disclaimer "
    "copyright more also follow photo photos gallery slideshow lightbox standfirst excerpt dek subtitle "
    "kicker latest most headlines login paywall skip email jump teaser feedback survey tools".split())
_RUN = re.compile(r"[a-z]+")
# An embedded post or quote ("social-embed", "twitter-tweet") is part of what the article shows.
_EMBED = re.compile(r"embed|tweet|instagram|quote")
# Pop-ups shown on hover or click (a name's rollover card inside a sentence): never the sentence's text.
_HIDDEN = re.compile(r"(?i)rollover|tooltip|popover|hovercard|visually-?hidden|sr-only|screen-?reader")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def negative_pair(cls: str | None, ident: str | None) -> bool:
    """Furniture by class or id words, unless an embed. The words never run across class and id, so each is
    tested (and cached) on its own: classes repeat all over a page, ids hardly ever, and a cache keyed on
    both would miss on every element with an id."""
    neg_c, embed_c = negative_embed(cls) if cls else (False, False)
    neg_i, embed_i = negative_embed(ident) if ident else (False, False)
    return (neg_c or neg_i) and not (embed_c or embed_i)


def negative_words(names: str) -> bool:
    negative, embed = negative_embed(names)
    return negative and not embed


# names -> (hidden_words, *negative_embed): the segmenter's tests of one class or id in one plain dict (emptied
# when full) that its walk reads inline (NAME_TESTS.get, then name_tests): one dict lookup for a block's class
# where two lru_cache calls were (the walk makes one or two per block element).
NAME_TESTS: dict[str, tuple[bool, bool, bool]] = {}


def name_tests(names: str) -> tuple[bool, bool, bool]:
    """(hidden_words(names), *negative_embed(names)), remembered in NAME_TESTS."""
    if len(NAME_TESTS) >= CACHE_SIZE:
        NAME_TESTS.clear()
    found = NAME_TESTS[names] = (_hidden_words(names), *_negative_embed(names))
    return found


@lru_cache(maxsize=CACHE_SIZE)
def negative_embed(names: str) -> tuple[bool, bool]:
    return _negative_embed(names)


def _negative_embed(names: str) -> tuple[bool, bool]:
    """(_NEGATIVE matches, _EMBED matches) on the names with camelCase split and lower-cased."""
    low = names.lower()
    if low != names:  # only a name with capitals can have a camelCase boundary
        low = _CAMEL.sub("-", names).lower()
    negative = False
    for run in _RUN.findall(low):
        if run in NEGATIVE_WORDS:
            negative = True
            break
    return negative, "embed" in low or "tweet" in low or "instagram" in low or "quote" in low


@lru_cache(maxsize=CACHE_SIZE)
def hidden_words(names: str) -> bool:
    return _hidden_words(names)


def _hidden_words(names: str) -> bool:
    """_HIDDEN matches; on ASCII names the regex runs only when a word every match holds is there (lower-cased:
    on ASCII text no other character folds to these letters)."""
    if names.isascii():
        low = names.lower()
        if not ("rollover" in low or "tooltip" in low or "popover" in low or "hovercard" in low or "hidden" in low
                or "sr-only" in low or "reader" in low):
            return False
    return bool(_HIDDEN.search(names))
