"""What the generic finders share about one page: its heading, where the body starts, the article's scope,
and which elements name a role (lead, byline, tags, breadcrumbs, kicker, date) in their class or id.

Everything is computed once per page and on demand. Walks are bounded: ancestors stop after MAX_DEPTH
levels, and class/id scans are one walk with cached answers per class string (roles.py), so a hostile or
huge page stays linear.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property
from itertools import islice

from lxml import etree
from parsel import Selector

# The class/id role words live in roles.py; re-exported here for the finders and the tests that read them.
from .roles import _REL, MODIFIED_ROLE, ROLES, SCANNED, scan_miss
from .roles import has_role, scan_one, words
from .selectors import element_text, one_line
# The text-node searches live in textsearch.py; _body_text re-exported for the tests that read it here.
from .textsearch import _START_SPACED, _START_TEXT, _TITLE_TEXT, _body_text, _first_text, start_text  # noqa: F401
from .tree import HEADINGS, tagged

__all__ = ["MODIFIED_ROLE", "ROLES", "Page", "ancestors", "find_scope", "has_role", "in_furniture", "marked", "order",
           "scan_one", "title_element", "body_element", "words"]

# Page furniture: anything under these, outside the article's scope, is not the article's.
FURNITURE = frozenset("nav header footer aside form script style noscript template".split())
_BOXES = re.compile(r"^(related|recommended|popular|trending|most|comments?|sidebar|widget|share|social|"
                    r"newsletter|ads?|advert|advertisement|promo|menu|more)$")
MAX_DEPTH = 100
_READ = frozenset(("class", "id", "itemprop", "itemtype", "rel", "aria-label"))  # attributes the role walk reads
_SCOPE_TEXT = 500  # characters: an ancestor holding this much text is the article, not the title's box


def marked(page: Page, role: str, top: etree._Element | None = None) -> list[etree._Element]:
    """Elements with `role` (a key of ROLES) inside `top` (default: the article's scope, else the page),
    in document order."""
    top = page.top if top is None else top
    found = page.roles[role]
    if top is page.root.root:
        return list(found)
    # `top in ancestors(el)`, stopping at top: the scope is usually a few levels up, the root many.
    return [el for el in found if el is top or any(a is top for a in islice(el.iterancestors(), MAX_DEPTH))]


class Page:
    """The evidence the generic finders share, each piece computed once per page: the title's heading,
    the element where the body starts, and the article's scope (the element holding both)."""

    def __init__(self, root: Selector, title: str | None, body: Sequence[str]) -> None:
        self.root, self.title, self.body = root, title, list(body)

    @cached_property
    def heading(self) -> etree._Element | None:
        # The itemprop elements are among the marks when the page's walk already found them.
        marks = self._scan[1] if "_scan" in self.__dict__ else None
        return title_element(self.root, self.title, marks)

    @cached_property
    def start(self) -> etree._Element | None:
        return body_element(self.root, self.body)

    @cached_property
    def scope(self) -> etree._Element | None:
        return find_scope(self.heading, self.start)

    @cached_property
    def _scan(self) -> tuple[dict[str, list[etree._Element]], list[etree._Element]]:
        """Roles and marks, from one walk of the page in document order. lxml's iter() with Python tests
        takes less than half the time of an XPath `//*[@class or @id or ...]` (libxml2 tests each attribute
        of each element in turn), and class strings repeat, so their role words come from a cache."""
        roles: dict[str, list[etree._Element]] = {name: [] for name in ROLES}
        marks: list[etree._Element] = []
        # roles._scan_raw inlined: the cache's dict read here, its computation only for a string not in it
        scanned, miss, rel_words = SCANNED.get, scan_miss, _REL.search
        read = _READ
        for el in self.root.root.iter(etree.Element):
            keys = el.keys()
            if len(keys) == 1:
                # One attribute (most elements that have any): a class alone is the common case, and then
                # none of the tests of the other attributes below can hold.
                key = keys[0]
                if key == "class":
                    raw = el.get("class") or ""
                    found = scanned(raw)
                    for name in miss(raw) if found is None else found:
                        roles[name].append(el)
                    continue
                if key not in read:
                    continue  # no attribute this walk reads (a bare <a href>, <img src>): nothing more to test
            elif not keys:
                continue
            # _roles_of(class, id), inlined: this runs for every element with a class or id
            if "class" in keys:
                raw = el.get("class") or ""
                found = scanned(raw)
                if found is None:
                    found = miss(raw)
                if "id" in keys:
                    raw = el.get("id") or ""
                    in_id = scanned(raw)
                    if in_id is None:
                        in_id = miss(raw)
                    if in_id:
                        found = tuple(name for name in ROLES if name in found or name in in_id) if found else in_id
                for name in found:
                    roles[name].append(el)
            elif "id" in keys:
                raw = el.get("id") or ""
                found = scanned(raw)
                for name in miss(raw) if found is None else found:
                    roles[name].append(el)
            if "itemprop" in keys or "itemtype" in keys or ("rel" in keys and rel_words(el.get("rel") or "")) \
                    or ("aria-label" in keys and el.tag == "nav"):
                marks.append(el)
        return roles, marks

    @property
    def roles(self) -> dict[str, list[etree._Element]]:
        """Role name -> the page's elements whose class/id words name it."""
        return self._scan[0]

    @property
    def marks(self) -> list[etree._Element]:
        """Elements with itemprop or itemtype, the rel values the finders read, and labelled <nav>s."""
        return self._scan[1]

    def rel(self, word: str) -> list[etree._Element]:
        """Elements whose rel names `word`, also as an RDFa term with a vocabulary prefix (Drupal's
        `rel="schema:author"`)."""
        suffix = ":" + word
        return [el for el in self.marks
                if any(v == word or v.endswith(suffix) for v in (el.get("rel") or "").lower().split())]

    def itemprop(self, *names: str) -> list[etree._Element]:
        return [el for el in self.marks if set((el.get("itemprop") or "").split()) & set(names)]

    @property
    def top(self) -> etree._Element:
        """Where to look: the scope, else the whole page."""
        return self.scope if self.scope is not None else self.root.root


def ancestors(el: etree._Element, limit: int | None = None) -> list[etree._Element]:
    """At most MAX_DEPTH ancestors, nearest first: hostile pages nest thousands deep, and a walk to the
    root for every element would be quadratic."""
    return list(islice(el.iterancestors(), limit or MAX_DEPTH))


def in_furniture(el: etree._Element, scope: etree._Element | None) -> bool:
    """Inside navigation, a sidebar, a form or a related/comments box. Inside the article's scope its own
    header and footer are the article's (title, byline, tags); outside it they are the site's, unless
    they belong to an <article> or <main>. Deeper than MAX_DEPTH under anything: furniture (no article
    text sits that deep)."""
    chain = ancestors(el, MAX_DEPTH + 1)
    if len(chain) > MAX_DEPTH:
        return True
    inside = scope is not None and scope in chain  # lxml elements compare by identity
    for anc in chain:
        if anc is scope:
            return False
        tag = anc.tag.lower() if isinstance(anc.tag, str) else ""
        if tag in ("header", "footer"):
            if inside or any(isinstance(a.tag, str) and a.tag.lower() in ("article", "main")
                             for a in anc.iterancestors()):
                continue
            return True
        if tag in FURNITURE or has_role(anc, _BOXES):
            return True
    return False


def find_scope(heading: etree._Element | None, first: etree._Element | None) -> etree._Element | None:
    """The lowest element holding the title heading and the first body paragraph; with only one of them,
    its nearest <article>/<main>, else the nearest ancestor holding a page's worth of text."""
    if heading is not None and first is not None:
        # Kept in a list: lxml proxies are compared by identity only while a reference keeps them alive.
        chain = ancestors(first, MAX_DEPTH)
        for anc in ancestors(heading, MAX_DEPTH):
            if anc in chain:
                return anc
    for el in (first, heading):
        if el is None:
            continue
        chain = ancestors(el, MAX_DEPTH)
        for anc in chain:
            if isinstance(anc.tag, str) and anc.tag.lower() in ("article", "main"):
                return anc
        for anc in chain:
            if isinstance(anc.tag, str) and anc.tag.lower() in ("body", "html", "form"):
                break
            if len(" ".join("".join(anc.itertext()).split())) >= _SCOPE_TEXT:
                return anc
    return None


_HEADINGS = etree.XPath("(//h1 | //h2 | //@itemprop[. = 'headline']/..)[normalize-space(.) = $t]")


_HEADLINE_PROP = etree.XPath("//@itemprop[. = 'headline']/..")
_AS_XPATH_STRING = etree.XPath("$t")  # raises ValueError where an XPath string cannot hold the text
_XML_SPACE = re.compile(r"[ \t\r\n]+")  # XPath's whitespace: normalize-space() collapses only these


def _headings(root: Selector, wanted: str, marks: list[etree._Element] | None = None) -> list[etree._Element]:
    """`_HEADINGS(root.root, t=wanted)`: when no element says itemprop=headline (most pages), the h1s and h2s
    from the page's tag lists, filtered in Python by their normalize-space(string(.)), with no walk of the
    page; else the XPath. `marks`: the page's elements with an itemprop (and others), if already known."""
    el = root.root
    _AS_XPATH_STRING(el, t=wanted)
    if any(m.get("itemprop") == "headline" for m in marks) if marks is not None else _HEADLINE_PROP(el):
        return _HEADINGS(el, t=wanted)
    # string(.) is the element's text nodes joined (itertext() leaves out comments and PIs, as XPath does).
    # A heading whose text lacks the title's longest word cannot be it (normalize-space() changes only XPath's
    # whitespace, which no piece of str.split() holds): most are told without the regex (teaser lists).
    word = max(wanted.split(), key=len, default="")
    return [h for h in tagged(root, HEADINGS)
            if word in (text := "".join(h.itertext())) and _XML_SPACE.sub(" ", text).strip(" ") == wanted]


def title_element(root: Selector, title: str | None,
                  marks: list[etree._Element] | None = None) -> etree._Element | None:
    """The h1/h2 (or itemprop=headline) whose text is the title, else the innermost element whose whole
    text is the title (legacy pages: `<td><b>title</b></td>`), else the first h1 outside furniture."""
    if title:
        wanted = " ".join(title.split())
        try:
            # normalize-space in C first: element_text of every h2 of a big page costs more. The itemprop
            # elements as the parents of the attributes: `//*[@itemprop=...]` reads every element's attributes
            # (five times the time of the whole rest); the same elements, in the same order.
            for el in _headings(root, wanted, marks):
                if one_line(element_text(el)) == title:
                    return el
        except ValueError:  # control characters cannot be an XPath string
            pass
        try:
            # Text nodes, not elements: normalize-space(.) of every element is quadratic on big pages.
            # contains() first: normalize-space() builds a string for every text node it is given.
            found = _first_text(root, _TITLE_TEXT, t=wanted, w=max(wanted.split(), key=len))
        except ValueError:  # control characters cannot be an XPath string
            found = None
        if found is not None:
            return found
    for el in tagged(root, "h1"):  # //h1
        if not in_furniture(el, None) and one_line(element_text(el)):
            return el
    return None


def body_element(root: Selector, body: Sequence[str]) -> etree._Element | None:
    """The element holding the start of the first body paragraph."""
    if not body:
        return None
    probe = " ".join(body[0].split()[:4])[:40]
    if len(probe) < 8:
        return None
    try:
        # Only visible text: a JSON-LD description or a <title> repeats the first sentence in the head.
        # The raw test first; normalize-space only when the page's spacing differs from the body's.
        return start_text(root, probe)
    except ValueError:  # control characters cannot be an XPath string
        return None


def order(el: etree._Element) -> tuple[int, ...]:
    """Document-order key: the element's index under each of its ancestors, from the root."""
    key: list[int] = []
    for _ in range(MAX_DEPTH):
        parent = el.getparent()
        if parent is None:
            break
        key.append(parent.index(el))
        el = parent
    return tuple(reversed(key))
