"""Which roles (lead, byline, tags, breadcrumbs, kicker, date, modified) an element's class and id words name.

Words are split on -, _, whitespace and camelCase; a role is named word for word (dates also inside a word:
`newsdate`). Every answer is cached: per class string, and per word, since words recur across class names
and sites far more than whole class strings do.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from .names import CACHE_SIZE

# class/id words (split on -, _, camelCase) that name an element's role, word for word; Turkish ones too
# (the site family has Turkish editions: `haber-etiketler`, `kunye-yazar`, `guncelleme`).
_WORDS = {
    "lead": "lead lede leadtext intro introduction summary excerpt standfirst dek deck subtitle subtitel "
            "subheadline subhead strapline abstract sapo chapo",
    "author": "author authors byline writer reporter journalist correspondent kateb creator yazar muhabir",
    "tags": "tag tags tagcloud keyword keywords topics hashtag hashtags labels etiket etiketler",
    "crumbs": "breadcrumb breadcrumbs crumbs crumb pathway navpath path",
    # A kicker: the section's name as a short link or label just above the headline.
    # "service": Persian news sites' name for a section (سرویس).
    "kicker": "category categories cat kicker rubric section overline supertitle service kategori",
}
_ROLE_WORDS = {name: frozenset(ws.split()) for name, ws in _WORDS.items()}
_WORD_SPLIT = re.compile(r"[-_\s]+|(?<=[a-z])(?=[A-Z])")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# Date roles: compounds count (`newsdate`, `posttime`); "update" is a modification, not a publication.
_DATE_ROLE = re.compile(r"date|time|stamp|published|publish|posted|created|^(meta|info|details|when|pub|upd)$")
MODIFIED_ROLE = re.compile(r"updat|modif|edited|lastmod|revised|changed|^upd$|guncel")
ROLES = (*_ROLE_WORDS, "date", "modified")
_REL = re.compile(r"author|tag|category", re.I)


def _trie(literals: set[str]) -> str:
    """An alternation of literals as a prefix tree: the engine tests one character per position instead of
    trying every literal there."""
    heads: dict[str, set[str]] = {}
    for w in sorted(literals):
        if w:
            heads.setdefault(w[0], set()).add(w[1:])
    alts = [re.escape(c) + _trie(rest) for c, rest in heads.items()]
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return (f"(?:{body})?" if alts else "") if "" in literals else body


# A name can name a role only if its lower-cased text holds one of these: every role word, and what the date
# and modified regexes match (a word is a substring of the name, lower-cased; tests/test_extract_speedups10.py
# checks the cover). Most new class strings (88% on the benchmark) hold none and skip the word splitting.
_GATE_WORDS = {w for ws in _ROLE_WORDS.values() for w in ws} | {
    "date", "time", "stamp", "publish", "posted", "created", "meta", "info", "details", "when", "pub", "upd",
    "modif", "edited", "lastmod", "revised", "changed", "guncel"}
# Only the literals holding no other one: "authors" holds "author", "publish" "pub" (a shorter regex).
_GATE = re.compile(_trie({w for w in _GATE_WORDS if not any(o != w and o in w for o in _GATE_WORDS)}))


def words(el: etree._Element) -> list[str]:
    """The class and id of an element as lower-case words: `storyLead article-intro` -> story, lead, ..."""
    return list(_words_of(f"{el.get('class') or ''} {el.get('id') or ''}"))


@lru_cache(maxsize=CACHE_SIZE)
def _words_of(raw: str) -> tuple[str, ...]:
    return tuple(_split_words(raw))


def _split_words(raw: str) -> list[str]:
    """`raw` split on -, _, whitespace and camelCase, lower-cased: `[w.lower() for w in _WORD_SPLIT.split(raw)
    if w]`. On ASCII (nearly every name) the separators are split by str methods (str.split() splits on what
    the regex \\s matches there) and only a piece with capitals is split by the camelCase regex: the two-way
    regex tried at every position cost 7 us on a long name."""
    if not raw.isascii():
        return [w.lower() for w in _WORD_SPLIT.split(raw) if w]
    pieces = raw.replace("-", " ").replace("_", " ").split()
    if raw.islower():
        return pieces
    out: list[str] = []
    for piece in pieces:
        if piece.islower():
            out.append(piece)
        else:
            out.extend(w.lower() for w in _CAMEL.split(piece) if w)
    return out


# (class and id, pattern source, flags) -> answer. Ancestor tests ask the same few class strings again and
# again (in_furniture walks up from every candidate). Keyed by the pattern's source, not the pattern: hashing a
# compiled pattern hashes its whole code (half the time of a call). Emptied when full: bounded.
_ROLE_TESTS: dict[tuple[str, str, int], bool] = {}


def has_role(el: etree._Element, pattern: re.Pattern[str]) -> bool:
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    key = (raw, pattern.pattern, pattern.flags)
    found = _ROLE_TESTS.get(key)
    if found is None:
        if len(_ROLE_TESTS) >= CACHE_SIZE:
            _ROLE_TESTS.clear()
        found = _ROLE_TESTS[key] = any(pattern.match(w) for w in _words_of(raw))
    return found


def scan_one(el: etree._Element) -> list[str]:
    """The roles an element's class/id words name (most elements: none, found by one regex)."""
    return list(_roles_of(el.get("class"), el.get("id")))


def _roles_of(cls: str | None, ident: str | None) -> tuple[str, ...]:
    # A word is never split across class and id, so the roles of both are the union of each one's roles;
    # class strings repeat all over a page and across pages, hence the cache (ids repeat less, same cache).
    in_class = _scan_raw(cls) if cls else ()
    in_id = _scan_raw(ident) if ident else ()
    if in_class and in_id:
        return tuple(name for name in ROLES if name in in_class or name in in_id)
    return in_class or in_id


# class/id string -> _roles_in(string): a plain dict (emptied when full) that the page's walk reads inline
# (SCANNED.get, then scan_miss): a dict lookup costs less than half an lru_cache call (no recency links to
# update), and the walk makes one or two per element.
SCANNED: dict[str, tuple[str, ...]] = {}


def scan_miss(raw: str) -> tuple[str, ...]:
    """_roles_in(raw), remembered in SCANNED."""
    if len(SCANNED) >= CACHE_SIZE:
        SCANNED.clear()
    found = SCANNED[raw] = _roles_in(raw)
    return found


def _scan_raw(raw: str) -> tuple[str, ...]:
    found = SCANNED.get(raw)
    return scan_miss(raw) if found is None else found


def _roles_in(raw: str) -> tuple[str, ...]:
    """The roles `raw`'s words name, in ROLES order: the union of each whitespace-separated token's (no word
    spans whitespace), and a token's are the union of its words'. New class strings are mostly new
    combinations of tokens seen before (`col-md-8`, `clearfix`, `post-title`), so a token costs a lookup.
    The gate first: on a site seen for the first time nearly every string is new, and most name no role."""
    if not _GATE.search(raw.lower()):
        return ()
    tokens = raw.split()
    if len(tokens) == 1:
        return _token_roles(tokens[0])
    hits = list(filter(None, map(_token_roles, tokens)))
    if not hits:
        return ()
    if len(hits) == 1:
        return hits[0]  # already in ROLES order
    found = {name for roles in hits for name in roles}
    return tuple(name for name in ROLES if name in found)


@lru_cache(maxsize=CACHE_SIZE)
def _token_roles(token: str) -> tuple[str, ...]:
    if token.isascii() and token.islower():  # _split_words(token), inlined: most tokens
        split = token.replace("-", " ").replace("_", " ").split()
    else:
        split = _split_words(token)
    hits = list(filter(None, map(_word_roles, split)))
    if not hits:
        return ()
    if len(hits) == 1:
        return hits[0]
    found = {name for roles in hits for name in roles}
    return tuple(name for name in ROLES if name in found)


@lru_cache(maxsize=CACHE_SIZE)
def _word_roles(w: str) -> tuple[str, ...]:
    found = [name for name, role_words in _ROLE_WORDS.items() if w in role_words]
    if _DATE_ROLE.search(w):
        found.append("date")
    if MODIFIED_ROLE.search(w):
        found.append("modified")
    return tuple(found)
