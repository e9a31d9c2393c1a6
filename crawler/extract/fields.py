"""The generic layer for the non-body fields: lead, author, tags and section from evidence any layout has.

Used below the profile's selectors, so a page of an unknown layout still gives every field. Each finder
looks inside the article's scope (the smallest element holding both the title and the first body
paragraph), never in navigation, sidebars or footers outside it, and returns None / [] rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cached_property

from lxml import etree
from parsel import Selector

from .selectors import element_text, one_line

# class/id words (split on -, _, camelCase) that name an element's role, word for word.
_WORDS = {
    "lead": "lead lede leadtext intro introduction summary excerpt standfirst dek deck subtitle subtitel "
            "subheadline subhead strapline abstract sapo chapo",
    "author": "author authors byline writer reporter journalist correspondent kateb creator",
    "tags": "tag tags tagcloud keyword keywords topics hashtags",
    "crumbs": "breadcrumb breadcrumbs crumbs crumb pathway navpath path",
    # A kicker: the section's name as a short link or label just above the headline.
    "kicker": "category categories cat kicker rubric section overline supertitle",
}
_ROLE_WORDS = {name: frozenset(ws.split()) for name, ws in _WORDS.items()}
_LEAD, _AUTHOR, _TAGS, _CRUMBS, _KICKER = (
    re.compile("^(" + "|".join(sorted(_ROLE_WORDS[n])) + ")$") for n in ("lead", "author", "tags", "crumbs", "kicker"))
# Page furniture: anything under these, outside the article's scope, is not the article's.
FURNITURE = frozenset("nav header footer aside form script style noscript template".split())
_BOXES = re.compile(r"^(related|recommended|popular|trending|most|comments?|sidebar|widget|share|social|"
                    r"newsletter|ads?|advert|advertisement|promo|menu|more)$")
# "By", "بقلم", "كتب", "نووسینی" ... before a name; the colon or dash after them is optional.
_BYLINE = re.compile(
    r"^\s*(?:written\s+by|posted\s+by|by|بقلم|كتب|كتبت|كتبه|إعداد|اعداد|تقرير|المحرر|مراسل|نووسینی|نووسین|"
    r"نووسەر|نوسەر|ئامادەکردنی|نوشته|nivîsandina|nivîskar|ji\s+aliyê|yazan)\s*[:：\-–—|]?\s+(?=\S)", re.I)
_WORD_SPLIT = re.compile(r"[-_\s]+|(?<=[a-z])(?=[A-Z])")
_MAX_NAME = 80
# Class words of the blocks under a headline that are not a standfirst.
_NOT_LEAD = re.compile(r"author|byline|writer|reporter|date|time|meta|info|share|social|tag|caption|credit|"
                       r"crumb|categor|kicker|views|comment|print|font")
_BLOCKS = frozenset("p div ul ol table figure img picture video iframe form h1 h2 h3 h4 h5 h6".split())
# "Nûçe: Name", "Reporter: Name", "تقرير: Name": one or two label words and a colon before the name.
_LABEL = re.compile(r"^[^\W\d_]+(?:\s[^\W\d_]+)?\s*[:：]\s*(?=\S)")
MAX_DEPTH = 100
_SCOPE_TEXT = 500  # characters: an ancestor holding this much text is the article, not the title's box


# Date roles: compounds count (`newsdate`, `posttime`); "update" is a modification, not a publication.
_DATE_ROLE = re.compile(r"date|time|stamp|published|publish|posted|created|^(meta|info|details)$")
_MODIFIED_ROLE = re.compile(r"updat|modif|edited|lastmod|revised|changed")
ROLES = (*_ROLE_WORDS, "date", "modified")
# One regex over the raw class/id: most elements name no role at all and are skipped before word splitting.
_ANY_ROLE = re.compile("|".join(sorted({w for ws in _ROLE_WORDS.values() for w in ws} | {
    "date", "time", "stamp", "publish", "posted", "created", "meta", "info", "details", "updat", "modif", "edited",
    "lastmod", "revised", "changed"}, key=len, reverse=True)))

# Substrings (as written: XPath's contains() is case-sensitive) that find a role's candidates outside the scope.
_OUTSIDE = {"crumbs": ("rumb", "ath"), "tags": ("tag", "Tag", "eyword", "opic"),
            "kicker": ("cat", "Cat", "ection", "icker")}


def words(el: etree._Element) -> list[str]:
    """The class and id of an element as lower-case words: `storyLead article-intro` -> story, lead, ..."""
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    return [w.lower() for w in _WORD_SPLIT.split(raw) if w]


def has_role(el: etree._Element, pattern: re.Pattern[str]) -> bool:
    return any(pattern.match(w) for w in words(el))


def marked(page: Page, role: str, top: etree._Element | None = None) -> list[etree._Element]:
    """Elements with `role` (a key of ROLES) inside `top` (default: the article's scope, else the page),
    in document order. The scope is scanned once for every finder; outside it (breadcrumbs, a tag box
    beside the article) XPath's substring tests pick the few candidates in C."""
    top = page.top if top is None else top
    if top is page.top or page.scope is None:
        return list(page.roles[role])  # the scope, or the whole page when there is no scope
    if page.scope in ancestors(top):
        return [el for el in page.roles[role] if el is top or top in ancestors(el)]
    tests = " or ".join(f"contains(@{attr}, '{n}')" for n in _OUTSIDE[role] for attr in ("class", "id"))
    return [el for el in top.xpath(f"descendant-or-self::*[@class or @id][{tests}]") if role in scan_one(el)]


def scan(top: etree._Element) -> dict[str, list[etree._Element]]:
    """Role name -> elements under `top` whose class/id words name it, in document order."""
    out: dict[str, list[etree._Element]] = {name: [] for name in ROLES}
    for el in top.xpath("descendant-or-self::*[@class or @id]"):
        for name in scan_one(el):
            out[name].append(el)
    return out


def scan_one(el: etree._Element) -> list[str]:
    """The roles an element's class/id words name (most elements: none, found by one regex)."""
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    if not _ANY_ROLE.search(raw.lower()):
        return []
    ws = {w.lower() for w in _WORD_SPLIT.split(raw) if w}
    found = [name for name, role_words in _ROLE_WORDS.items() if ws & role_words]
    if any(_DATE_ROLE.search(w) for w in ws):
        found.append("date")
    if any(_MODIFIED_ROLE.search(w) for w in ws):
        found.append("modified")
    return found


class Page:
    """The evidence the generic finders share, each piece computed once per page: the title's heading,
    the element where the body starts, and the article's scope (the element holding both)."""

    def __init__(self, root: Selector, title: str | None, body: Sequence[str]) -> None:
        self.root, self.title, self.body = root, title, list(body)

    @cached_property
    def heading(self) -> etree._Element | None:
        return title_element(self.root, self.title)

    @cached_property
    def start(self) -> etree._Element | None:
        return body_element(self.root, self.body)

    @cached_property
    def scope(self) -> etree._Element | None:
        return find_scope(self.heading, self.start)

    @cached_property
    def roles(self) -> dict[str, list[etree._Element]]:
        """Role name -> the scope's (else the page's) elements whose class/id words name it."""
        return scan(self.top)

    @cached_property
    def marks(self) -> list[etree._Element]:
        """Elements with rel, itemprop or itemtype: one walk of the page serves every finder's question."""
        return self.root.root.xpath("//*[@rel or @itemprop or @itemtype or @aria-label]")

    def rel(self, word: str) -> list[etree._Element]:
        return [el for el in self.marks if word in (el.get("rel") or "").lower().split()]

    def itemprop(self, *names: str) -> list[etree._Element]:
        return [el for el in self.marks if set((el.get("itemprop") or "").split()) & set(names)]

    @property
    def top(self) -> etree._Element:
        """Where to look: the scope, else the whole page."""
        return self.scope if self.scope is not None else self.root.root


def ancestors(el: etree._Element, limit: int | None = None) -> list[etree._Element]:
    """At most MAX_DEPTH ancestors, nearest first: hostile pages nest thousands deep, and a walk to the
    root for every element would be quadratic."""
    out: list[etree._Element] = []
    for anc in el.iterancestors():
        if len(out) >= (limit or MAX_DEPTH):
            break
        out.append(anc)
    return out


def in_furniture(el: etree._Element, scope: etree._Element | None) -> bool:
    """Inside navigation, a sidebar, a form or a related/comments box. Inside the article's scope its own
    header and footer are the article's (title, byline, tags); outside it they are the site's, unless
    they belong to an <article> or <main>. Deeper than MAX_DEPTH under anything: furniture (no article
    text sits that deep)."""
    chain = ancestors(el, MAX_DEPTH + 1)
    if len(chain) > MAX_DEPTH:
        return True
    inside = scope is not None and any(a is scope for a in chain)
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


def title(root: Selector, first_heading: str | None) -> str | None:
    """A headline the <title> names, when the first heading is not it (a blog's name in an h1 above the
    post's own h3). None when the first heading stands: the <title> holds most of it, or nothing better."""
    page = one_line(root.xpath("string(//title[1])").get())
    if not page or not first_heading or _names(page, first_heading):
        return None
    for node in root.xpath("//h1 | //h2 | //h3 | //*[@itemprop='headline']"):
        text = one_line(element_text(node))
        if text and text != first_heading and _names(page, text) and not in_furniture(node.root, None):
            return text
    return None


def _names(page_title: str, heading: str) -> bool:
    """The page's <title> is this heading, give or take a site name."""
    return heading in page_title and len(heading) >= 0.5 * len(page_title)


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


def title_element(root: Selector, title: str | None) -> etree._Element | None:
    """The h1/h2 (or itemprop=headline) whose text is the title, else the innermost element whose whole
    text is the title (legacy pages: `<td><b>title</b></td>`), else the first h1 outside furniture."""
    if title:
        wanted = " ".join(title.split())
        try:
            # normalize-space in C first: element_text of every h2 of a big page costs more.
            for el in root.root.xpath("(//h1 | //h2 | //*[@itemprop='headline'])[normalize-space(.) = $t]", t=wanted):
                if one_line(element_text(el)) == title:
                    return el
        except ValueError:  # control characters cannot be an XPath string
            pass
        try:
            # Text nodes, not elements: normalize-space(.) of every element is quadratic on big pages.
            # contains() first: normalize-space() builds a string for every text node it is given.
            found = root.xpath("//body//text()[contains(., $w)][normalize-space(.) = $t]/..", t=wanted,
                               w=max(wanted.split(), key=len))
        except ValueError:  # control characters cannot be an XPath string
            found = []
        if found:
            return found[0].root
    for node in root.xpath("//h1"):
        if not in_furniture(node.root, None) and one_line(element_text(node)):
            return node.root
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
        # The raw test first (cheap); normalize-space only when the page's spacing differs from the body's.
        visible = "[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]/.."
        found = root.xpath("//body//text()[contains(., $p)]" + visible, p=probe) or \
            root.xpath("//body//text()[contains(., $w)][contains(normalize-space(.), $p)]" + visible, p=probe,
                       w=max(probe.split(), key=len))
    except ValueError:  # control characters cannot be an XPath string
        return None
    return found[0].root if found else None


def lead(page: Page) -> str | None:
    """A standfirst: an element marked as lead/summary/intro (class, id, itemprop=description) near the
    title, the first paragraph after the title set apart in bold, or a plain block right under the
    headline; never a body paragraph itself."""
    heading, start, scope = page.heading, page.start, page.scope
    top = scope if scope is not None else (heading.getparent() if heading is not None else page.root.root)
    if top is None:
        return None
    roles = [el for el in marked(page, "lead", top)] + [el for el in page.itemprop("description")
                                                          if el.get("itemprop") == "description"]
    under = heading.getnext() if heading is not None else None
    bold = top.xpath("descendant::p[count(*) = 1][strong or b]")
    # Only these few candidates are placed in document order (a walk over the page cost more than the rest).
    start_key = _order(start) if start is not None else None
    heading_key = _order(heading) if heading is not None else ()
    found: list[tuple[tuple[int, ...], etree._Element]] = []
    for el in {*roles, *bold, *([under] if under is not None else [])}:
        if not isinstance(el.tag, str) or el.tag.lower() in ("meta", "img", "script", "style", "a", "time"):
            continue
        key = _order(el)
        if start_key is not None and (key >= start_key or start_key[:len(key)] == key):
            if not (el in roles and start_key[:len(key)] == key):
                continue  # at or after the body's start (an ancestor of it only when marked as a lead)
        after_title = heading is None or (key > heading_key and heading_key != key[:len(heading_key)])
        if el in roles or (after_title and el.tag.lower() == "p" and _all_bold(el)) \
                or (el is under and _plain_block(el, start)):
            found.append((key, el))
    paragraphs = set(page.body)
    for _, el in sorted(found, key=lambda pair: pair[0]):
        if in_furniture(el, scope):
            continue
        text = one_line(element_text(el))
        if text and _lead_like(text, page.title) and text not in paragraphs:
            return text
    return None


def _order(el: etree._Element) -> tuple[int, ...]:
    """Document-order key: the element's index under each of its ancestors, from the root."""
    key: list[int] = []
    for _ in range(MAX_DEPTH):
        parent = el.getparent()
        if parent is None:
            break
        key.append(parent.index(el))
        el = parent
    return tuple(reversed(key))


def _plain_block(el: etree._Element, start: etree._Element | None) -> bool:
    if el.tag.lower() not in ("p", "div", "h2", "h3", "h4", "span", "strong", "b"):
        return False
    if any(_NOT_LEAD.search(w) for w in words(el)):
        return False
    for d in el.iterdescendants():
        if d is start or (isinstance(d.tag, str) and d.tag.lower() in _BLOCKS):
            return False
    return True


def _all_bold(el: etree._Element) -> bool:
    """A paragraph whose whole text sits in one <strong>/<b> (a lead styled apart from the body)."""
    if len(el) != 1 or (el.text or "").strip() or (el[0].tail or "").strip():
        return False
    return isinstance(el[0].tag, str) and el[0].tag.lower() in ("strong", "b")


def _lead_like(text: str, title: str | None) -> bool:
    return text != title and 15 <= len(text) <= 1000 and len(text.split()) >= 3


def author(page: Page) -> str | None:
    """rel=author, itemprop=author (its itemprop=name), then bylines by class; the "By" word removed."""
    root, scope = page.root, page.scope
    for el in page.rel("author") + [e for e in page.itemprop("author") if "author" not in (e.get("rel") or "")]:
        if in_furniture(el, scope) and el.tag.lower() != "link":
            continue
        names = el.xpath(".//*[@itemprop='name']")
        text = (element_text(names[0]) if names else element_text(el)) or el.get("content")
        name = clean_author(text)
        if name:
            return name
    candidates = [el for el in marked(page, "author", page.top) if not in_furniture(el, scope)]
    # The innermost byline element first: `<div class=byline>By <a class=author-name>X</a> · date</div>`.
    inner = [el for el in candidates if not any(d in candidates for d in el.iterdescendants())]
    for el in inner + candidates:
        name = clean_author(element_text(el))
        if name:
            return name
    return None


def clean_author(text: str | None) -> str | None:
    """The name from a byline: a leading "By"/"بقلم"/"كتب"/"نووسینی" word and its colon go, nothing else."""
    text = one_line(text)
    if not text:
        return None
    text = _BYLINE.sub("", text, count=1).strip() or text
    text = _LABEL.sub("", text, count=1).strip() or text
    if len(text) > _MAX_NAME or len(text.split()) > 8 or "\n" in text:
        return None
    return text


def tags(page: Page) -> list[str]:
    """rel=tag links, then the links (or items) of a tag/keyword list inside the article."""
    scope = page.scope
    # WordPress marks category links rel="category tag": a category is the section, not a tag.
    found = _unique(element_text(a) for a in page.rel("tag")
                    if a.tag == "a" and "category" not in a.get("rel", "").lower().split() and not in_furniture(a, scope))
    if found:
        return found
    for top in (scope, scope.getparent() if scope is not None else None):
        if top is None:
            continue
        for el in marked(page, "tags", top):
            if in_furniture(el, scope):
                continue
            links = [a for a in el.iter("a")] or [li for li in el.iter("li")]
            found = _unique(element_text(a) for a in links)
            if found:
                return found
    return []


def section(page: Page) -> str | None:
    """The last breadcrumb that is not the article itself (the home crumb alone is no section);
    else rel=category / itemprop=articleSection; else a kicker above the headline."""
    root, scope, title = page.root, page.scope, page.title
    trails = [el for el in page.marks if "BreadcrumbList" in (el.get("itemtype") or "")]
    trails += [el for el in page.marks if el.tag == "nav" and "breadcrumb" in (el.get("aria-label") or "").lower()]
    trails += marked(page, "crumbs", root.root)  # breadcrumbs sit above the article, outside its scope
    for trail in trails:
        items = [el for el in trail.iter("li")] or [el for el in trail.iter("a", "span") if len(el) == 0]
        crumbs = [c for c in (one_line(element_text(el)) for el in items) if c]
        if crumbs:
            return last_crumb(crumbs, title)
    for el in page.rel("category") + page.itemprop("articleSection"):
        if in_furniture(el, scope):
            continue
        text = one_line(element_text(el)) or one_line(el.get("content"))
        if text and len(text) <= 60:
            return text
    heading = page.heading
    if heading is not None and scope is not None:
        kickers = set(marked(page, "kicker", scope))
        if not kickers:
            return None
        for el in scope.iter():
            if el is heading:
                break  # a kicker comes before the headline
            if el in kickers and not in_furniture(el, scope):
                text = one_line(element_text(el))
                if text and len(text) <= 40 and len(text.split()) <= 4:
                    return text
    return None


def last_crumb(crumbs: Sequence[str], title: str | None) -> str | None:
    """The last crumb that is not the article itself; None when only the home crumb is left."""
    names = [c.strip(" >»/|›‹«") for c in crumbs]
    # The article's own crumb is its title, sometimes cut short with an ellipsis.
    names = [c for c in names if c and c != title
             and not (title and len(c) > 20 and title.startswith(c.rstrip("….").strip()))]
    return names[-1] if len(names) >= 2 else None


def _unique(texts: Iterable[str]) -> list[str]:
    out: list[str] = []
    for raw in texts:
        text = one_line(raw)
        text = text.lstrip("#").strip() if text else None
        if text and len(text) <= 80 and text not in out:
            out.append(text)
    return out
