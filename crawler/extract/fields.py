"""The generic layer for the non-body fields: lead, author, tags and section from evidence any layout has.

Used below the profile's selectors, so a page of an unknown layout still gives every field. Each finder
looks inside the article's scope (the smallest element holding both the title and the first body
paragraph), never in navigation, sidebars or footers outside it, and returns None / [] rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from lxml import etree
from parsel import Selector

from .selectors import element_text, one_line

# class/id words (split on -, _, camelCase) that name an element's role.
_LEAD = re.compile(r"^(lead|lede|leadtext|intro|introduction|summary|excerpt|standfirst|dek|deck|subtitle|subtitel|"
                   r"subheadline|subhead|strapline|abstract|sapo|chapo)$")
_AUTHOR = re.compile(r"^(author|authors|byline|writer|reporter|journalist|correspondent|kateb|creator)$")
_TAGS = re.compile(r"^(tag|tags|tagcloud|keyword|keywords|topics|hashtags)$")
_CRUMBS = re.compile(r"^(breadcrumb|breadcrumbs|crumbs|crumb|pathway|navpath|path)$")
# A kicker: the section's name as a short link or label just above the headline.
_KICKER = re.compile(r"^(category|categories|cat|kicker|rubric|section|overline|supertitle)$")
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


def words(el: etree._Element) -> list[str]:
    """The class and id of an element as lower-case words: `storyLead article-intro` -> story, lead, ..."""
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    return [w.lower() for w in _WORD_SPLIT.split(raw) if w]


def has_role(el: etree._Element, pattern: re.Pattern[str]) -> bool:
    return any(pattern.match(w) for w in words(el))


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


def find_scope(root: Selector, title: str | None, body: Sequence[str]) -> etree._Element | None:
    """The lowest element holding the title heading and the first body paragraph; with only one of them,
    its nearest <article>/<main>, else the nearest ancestor holding a page's worth of text."""
    heading = title_element(root, title)
    first = body_element(root, body)
    if heading is not None and first is not None:
        # Kept in a list: lxml proxies are compared by identity only while a reference keeps them alive.
        chain = list(first.iterancestors())
        for anc in heading.iterancestors():
            if anc in chain:
                return anc
    for el in (first, heading):
        if el is None:
            continue
        for anc in el.iterancestors():
            if isinstance(anc.tag, str) and anc.tag.lower() in ("article", "main"):
                return anc
        for anc in el.iterancestors():
            if isinstance(anc.tag, str) and anc.tag.lower() in ("body", "html", "form"):
                break
            if len(" ".join("".join(anc.itertext()).split())) >= _SCOPE_TEXT:
                return anc
    return None


def title_element(root: Selector, title: str | None) -> etree._Element | None:
    """The h1/h2 (or itemprop=headline) whose text is the title, else the innermost element whose whole
    text is the title (legacy pages: `<td><b>title</b></td>`), else the first h1 outside furniture."""
    candidates = root.xpath("//h1 | //h2 | //*[@itemprop='headline']")
    if title:
        for node in candidates:
            if one_line(element_text(node)) == title:
                return node.root
        try:
            found = root.xpath("//body//*[normalize-space(.) = $t]", t=" ".join(title.split()))
        except ValueError:  # control characters cannot be an XPath string
            found = []
        if found:
            el = found[0].root
            while len(el) == 1 and isinstance(el[0].tag, str) and not (el.text or "").strip():
                el = el[0]
            return el
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
        found = root.xpath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
                           " or ancestor::template)][contains(normalize-space(.), $p)]/..", p=probe)
    except ValueError:  # control characters cannot be an XPath string
        return None
    return found[0].root if found else None


def _following(scope: etree._Element | None, root: Selector) -> Iterable[etree._Element]:
    top = scope if scope is not None else root.root
    return (el for el in top.iter() if isinstance(el.tag, str))


def lead(root: Selector, scope: etree._Element | None, title: str | None, body: Sequence[str]) -> str | None:
    """A standfirst: an element marked as lead/summary/intro (class, id, itemprop=description) near the
    title, or the first paragraph after the title set apart in bold; never a body paragraph itself."""
    heading = title_element(root, title)
    paragraphs = set(body)
    start = body_element(root, body)
    after_title = heading is None
    for el in _following(scope if scope is not None else (heading.getparent() if heading is not None else None),
                         root):
        if el is heading:
            after_title = True
            continue
        if el is start:
            break  # the body begins: what follows is body, not a lead
        tag = el.tag.lower()
        if tag in ("meta", "img", "script", "style", "a", "time") or in_furniture(el, scope):
            continue
        marked = has_role(el, _LEAD) or (el.get("itemprop") or "").lower() == "description"
        apart = after_title and tag == "p" and _all_bold(el)
        # A standfirst sits right under the headline: a plain text block that is no byline, date or body.
        under = after_title and el.getprevious() is heading and _plain_block(el, start)
        if not (marked or apart or under):
            continue
        text = one_line(element_text(el))
        if text and _lead_like(text, title) and text not in paragraphs:
            return text
    return None


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


def author(root: Selector, scope: etree._Element | None) -> str | None:
    """rel=author, itemprop=author (its itemprop=name), then bylines by class; the "By" word removed."""
    nodes = root.xpath("//*[contains(concat(' ', normalize-space(@rel), ' '), ' author ')]"
                       " | //*[@itemprop='author']")
    for node in nodes:
        el = node.root
        if in_furniture(el, scope) and el.tag.lower() != "link":
            continue
        names = node.xpath(".//*[@itemprop='name']")
        text = (element_text(names[0]) if names else element_text(node)) or el.get("content")
        name = clean_author(text)
        if name:
            return name
    candidates = [el for el in _following(scope, root) if has_role(el, _AUTHOR) and not in_furniture(el, scope)]
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


def tags(root: Selector, scope: etree._Element | None) -> list[str]:
    """rel=tag links, then the links (or items) of a tag/keyword list inside the article."""
    # WordPress marks category links rel="category tag": a category is the section, not a tag.
    found = _unique(element_text(n) for n in root.xpath(
        "//a[contains(concat(' ', normalize-space(@rel), ' '), ' tag ')]"
        "[not(contains(concat(' ', normalize-space(@rel), ' '), ' category '))]") if not in_furniture(n.root, scope))
    if found:
        return found
    for top in (scope, scope.getparent() if scope is not None else None):
        if top is None:
            continue
        for el in top.iter():
            if not isinstance(el.tag, str) or not has_role(el, _TAGS) or in_furniture(el, scope):
                continue
            links = [a for a in el.iter("a")] or [li for li in el.iter("li")]
            found = _unique(element_text(a) for a in links)
            if found:
                return found
    return []


def section(root: Selector, scope: etree._Element | None, title: str | None) -> str | None:
    """The last breadcrumb that is not the article itself (the home crumb alone is no section);
    else rel=category / itemprop=articleSection."""
    trails = [n.root for n in root.xpath("//*[@itemtype][contains(@itemtype, 'BreadcrumbList')]"
                                         " | //nav[contains(translate(@aria-label, 'BREADCUM', 'breadcum'),"
                                         " 'breadcrumb')]")]
    trails += [el for el in root.root.iter() if isinstance(el.tag, str) and has_role(el, _CRUMBS)]
    for trail in trails:
        items = [el for el in trail.iter("li")] or [el for el in trail.iter("a", "span") if len(el) == 0]
        crumbs = [c for c in (one_line(element_text(el)) for el in items) if c]
        if crumbs:
            return last_crumb(crumbs, title)
    for node in root.xpath("//*[contains(concat(' ', normalize-space(@rel), ' '), ' category ')]"
                           " | //*[@itemprop='articleSection']"):
        if in_furniture(node.root, scope):
            continue
        text = one_line(element_text(node)) or one_line(node.root.get("content"))
        if text and len(text) <= 60:
            return text
    heading = title_element(root, title)
    if heading is not None and scope is not None:
        for el in scope.iter():
            if el is heading:
                break  # a kicker comes before the headline
            if isinstance(el.tag, str) and has_role(el, _KICKER) and not in_furniture(el, scope):
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
