"""The generic article body: score text blocks, pick the main container, merge its split parts, drop furniture."""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

from .blocks import Block, Page, negative_name, segment

_POSITIVE = re.compile(r"article|body|content|entry|main|page|post|text|blog|story|prose|detail|news|column")
# Sentence punctuation, Latin and Arabic script (comma, semicolon, question mark, full stop).
_COMMAS = re.compile(r"[,،؛]")
_SENTENCE_END = re.compile(r"[.!?؟۔…:\"'”’»)]$")
_SENTENCE = re.compile(r"[.!?؟۔…。！？][\"'”’»)]*$")
_LETTER = re.compile(r"[^\W\d_]")
# A whole block that is only an advertising label, in the languages of the site family and of the benchmark.
_AD_LABEL = re.compile(r"(?i)^\W*(?:advertisement|advertising|sponsored|anzeige|publicité|publicidad|iklan|"
                       r"إعلان|اعلان|ریکلام|رێکلام|reklam)\W*$")
# Photo credits and captions outside <figure>: "(Image: GETTY)", "photo ©", "AP Photo/...", "file photo".
_CREDIT = re.compile(r"(?i)\((?:image|photo|picture|pic|foto)s?(?: credit)?:|©|"
                     r"\b(?:AP|AFP|Reuters|Getty) ?(?:Photo|Images)\b|\bfile photo\b|\bphotos?: |\bphoto credit|"
                     r"\(صورة|تصوير:")
# A caption under a photo outside any <figure> (pull quotes stay: the benchmark's ground truth keeps them).
_CAPTION_CLASS = re.compile(r"(?i)caption|cutline")
_PARA_TAGS = frozenset("p pre td li dd dt blockquote h1 h2 h3 h4 h5 h6 th figcaption caption summary".split())
_TAG_BONUS = {"div": 5, "article": 10, "main": 5, "section": 2, "pre": 3, "td": 3, "blockquote": 3, "form": -3,
              "ol": -3, "ul": -3, "dl": -3, "dd": -3, "dt": -3, "li": -3, "address": -3, "th": -5,
              "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "body": -5, "html": -10}
_MIN_SCORED = 25  # characters: shorter blocks neither vote for a container nor count as its text
_MAX_LINK_DENSITY = 0.5
_TEASER_CHARS = 400  # a linked headline with a summary; an article is longer


def extract(root: etree._Element) -> list[str]:
    """The article's paragraphs in document order; [] when the page has no text that reads like one."""
    page = segment(root)
    if not page.blocks:
        return []
    teasers = _teasers(page)
    chosen = _choose(page, teasers)
    if not chosen:
        return _short_page(page)
    spans = [(page.stats[r][0], page.stats[r][1]) for r in chosen]
    if len(spans) == 1:  # most pages: one container, tested without a generator per block
        lo, hi = spans[0]
        inside = [b for b in page.blocks if lo <= b.index <= hi]
    else:
        inside = [b for b in page.blocks if any(lo <= b.index <= hi for lo, hi in spans)]
    keep = [_keep(b, page, chosen) and not _in_teaser(b, teasers) for b in inside]
    # A short line right before dropped furniture is its label ("Related:", "DON'T MISS", "More:").
    # Not a paragraph among the article's own paragraphs, unless it ends like a label.
    for i in range(len(inside) - 1):
        block = inside[i]
        if keep[i] and not keep[i + 1] and _short_label(block) and not inside[i + 1].caption and (
                block.text.endswith(":") or i == 0 or not keep[i - 1]
                or not _sibling_paragraph(block, inside[i - 1])):
            keep[i] = False
    kept = [b for b, k in zip(inside, keep) if k]
    if not kept:
        # Every block fell to a furniture word (a photo story's `gallery-story__intro` holds its text): its
        # prose paragraphs are the article all the same; an empty body would lose it.
        kept = [b for b in inside if b.owner.tag == "p" and not b.caption and not b.heading and _prose(b)
                and b.links <= b.chars * _MAX_LINK_DENSITY]
    # Before the first and after the last paragraph that reads as prose: bylines, dates, "Join the
    # conversation", gallery buttons. Between them short lines stay (subheadings, list items).
    prose = [i for i, b in enumerate(kept) if _prose(b)]
    if prose:
        first, last = kept[prose[0]], kept[prose[-1]]
        lo = prose[0]
        while lo > 0 and _sibling_paragraph(kept[lo - 1], first):
            lo -= 1
        hi = prose[-1]
        while hi + 1 < len(kept) and _sibling_paragraph(kept[hi + 1], last):
            hi += 1
        kept = kept[lo:hi + 1]
    return [b.text for b in kept]


def _sibling_paragraph(block: Block, prose: Block) -> bool:
    """A short paragraph beside the prose ones, same element in the same parent: the article's own."""
    return (block.owner.tag == prose.owner.tag == "p" and not block.heading
            and block.owner.getparent() is prose.owner.getparent())


def _short_page(page: Page) -> list[str]:
    """No block long enough to vote (a brief of one-line paragraphs): the container whose own
    paragraphs hold the most text, furniture and link lists left out."""
    groups: dict[etree._Element, list[Block]] = {}
    for block in page.blocks:
        if block.negative is not None or block.caption or block.heading == 1:
            continue
        if block.links * 2 > block.chars or block.furniture * 2 > block.chars:
            continue
        parent = block.owner.getparent() if block.owner.tag in _PARA_TAGS else block.owner
        groups.setdefault(parent if parent is not None else block.owner, []).append(block)
    best: list[Block] = []
    for group in groups.values():  # document order of first block: ties go to the earlier group
        if sum(b.chars for b in group) > sum(b.chars for b in best):
            best = group
    return [b.text for b in best]


def _teasers(page: Page) -> set[etree._Element]:
    """Teaser items (other stories: a linked headline and a line or two of summary): their summaries read
    like prose, and a list of them can hold more text than a short article."""
    items = {b.chain[1] for b in page.blocks
             if b.heading > 1 and len(b.chain) > 1 and b.links >= b.chars * 0.8
             and page.stats[b.chain[1]][2] <= _TEASER_CHARS}  # a blog's own post has a linked title too
    return items if len(items) >= 3 else set()  # a list of them; one is more likely a short article


def _in_teaser(block: Block, teasers: set[etree._Element]) -> bool:
    return bool(teasers) and any(el in teasers for el in block.chain[1:3])


def _choose(page: Page, teasers: set[etree._Element]) -> list[etree._Element]:
    """The best-scoring container and those of its siblings that read as more of the same article."""
    scores: dict[etree._Element, float] = {}
    # Elements whose text <br> lines split into several blocks: `<div id=body>para<br><br>para</div>` holds
    # the text itself, as a container of paragraphs does (its lines voting for its parent instead let a
    # form around the title, the date and the body win: a print page's body began with its headline).
    seen: set[etree._Element] = set()
    lined: set[etree._Element] = set()
    for block in page.blocks:
        (lined if block.owner in seen else seen).add(block.owner)
    for block in page.blocks:
        if block.chars < _MIN_SCORED or block.heading or block.caption or _in_teaser(block, teasers):
            continue
        if block.links > block.chars * _MAX_LINK_DENSITY:
            continue
        text = block.text  # len(_COMMAS.findall(text)), counted per character in C
        value = 1 + text.count(",") + text.count("،") + text.count("؛") + min(block.chars // 100, 3)
        # A paragraph element votes for its parent; loose text in a container votes for the container.
        chain = block.chain
        if block.owner.tag in _PARA_TAGS or (block.owner not in page.containers and block.owner not in lined):
            chain = chain[1:]
        for level, el in enumerate(chain[:5]):
            if el not in scores:
                scores[el] = _initial(el)
            scores[el] += value / (1 if level == 0 else 2 if level == 1 else level * 3)
    if not scores:
        return []
    best, best_score = None, float("-inf")
    for el, score in scores.items():  # dict order is document order of first vote: ties are deterministic
        st = page.stats[el]
        final = score * _class_factor(el) * (1 - (st[3] / st[2] if st[2] else 0))
        scores[el] = final
        if final > best_score:
            best, best_score = el, final
    assert best is not None
    best = _climb(best, best_score, scores)
    parent = best.getparent()
    if parent is None:
        return [best]
    threshold = max(10.0, best_score * 0.2)
    best_class = best.get("class")
    chosen = []
    for sibling in parent:
        if sibling is best:
            chosen.append(sibling)
            continue
        if not isinstance(sibling.tag, str) or sibling not in page.stats:
            continue
        bonus = best_score * 0.2 if best_class and sibling.get("class") == best_class else 0
        if scores.get(sibling, float("-inf")) + bonus >= threshold and not negative_name(sibling):
            chosen.append(sibling)
        elif sibling.tag == "p":
            st = page.stats[sibling]
            density = st[3] / st[2] if st[2] else 1
            if (st[2] > 80 and density < 0.25) or (0 < st[2] <= 80 and density == 0 and _ends_sentence(sibling)):
                chosen.append(sibling)
        elif sibling.tag == best.tag and best_class and _modifier_of(sibling, best) and sibling in scores \
                and not negative_name(sibling):
            # `text part-1` / `text part-2`: the parts of one text share their class words but a modifier;
            # a short part scores below the threshold but is the article's all the same.
            st = page.stats[sibling]
            if st[2] > 80 and st[3] < st[2] * 0.1:
                chosen.append(sibling)
    return chosen + _same_kind(best, best_score, chosen, scores, page)


def _modifier_of(el: etree._Element, other: etree._Element) -> bool:
    """The same class words as `other` but the last one (`newsdetail-text part-2` beside `... part-1`)."""
    mine, theirs = (el.get("class") or "").split(), (other.get("class") or "").split()
    return len(mine) == len(theirs) >= 2 and mine[:-1] == theirs[:-1] and mine[-1] != theirs[-1]


def _same_kind(best: etree._Element, best_score: float, chosen: list[etree._Element],
               scores: dict[etree._Element, float], page: Page) -> list[etree._Element]:
    """Other parts of a body split by figures or sections: well-scored containers with the best one's
    tag and class (a CMS gives every part of the text the same class), wherever they sit."""
    cls = best.get("class")
    if not cls or negative_name(best):
        return []
    spans = [page.stats[c] for c in chosen]
    out: list[etree._Element] = []
    for el, score in scores.items():
        if el.tag != best.tag or el.get("class") != cls or score < max(10.0, best_score * 0.1):
            continue
        st = page.stats[el]
        if any(s[0] <= st[0] <= s[1] or st[0] <= s[0] <= st[1] for s in spans):
            continue  # inside or around what is already chosen
        spans.append(st)
        out.append(el)
    return out


def _climb(best: etree._Element, best_score: float, scores: dict[etree._Element, float]) -> etree._Element:
    """Go up while an ancestor scores about as well: the body is split into several scored children."""
    parent = best.getparent()
    last = best_score
    while parent is not None and parent in scores and parent.tag != "body":
        score = scores[parent]
        if score < best_score / 3:
            break
        if score > last:
            best = parent
        last = score
        parent = parent.getparent()
    return best


def _initial(el: etree._Element) -> float:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    return float(_TAG_BONUS.get(tag, 0))


def _class_factor(el: etree._Element) -> float:
    """Class/id names scale a container's votes: "article-body" up, "comments" down; never on their own."""
    names = ((el.get("class") or "") + " " + (el.get("id") or "")).lower()
    factor = 1.0
    if names.strip():
        if negative_name(el):
            factor *= 0.5
        if _POSITIVE.search(names):
            factor *= 1.25
    return factor


def _ends_sentence(el: etree._Element) -> bool:
    text = "".join(el.itertext()).strip()
    return bool(_SENTENCE_END.search(text))


def _keep(block: Block, page: Page, chosen: Sequence[etree._Element]) -> bool:
    if block.heading == 1 or block.caption:
        return False
    cls = block.owner.get("class")
    if cls and _CAPTION_CLASS.search(cls):
        return False  # `<p class="story__caption">` under a photo
    neg = block.negative
    if neg is not None and neg not in chosen:
        st = page.stats[neg]
        # Furniture counts only inside the chosen container (a page wrapper named "has-sidebar" does not),
        # and only when it is a minority of it (WordPress names the article "author-NAME tag-X ...").
        for r in chosen:
            rs = page.stats[r]
            if rs[0] < st[0] <= rs[1] and st[2] < rs[2] * 0.5:
                return False
    # A long paragraph dense with links is still prose (name cards, wiki-style links); a short one is a menu.
    limit = 0.8 if block.chars >= 200 else _MAX_LINK_DENSITY
    if block.links > block.chars * limit or block.furniture * 2 > block.chars:
        return False
    text = block.text
    if not _LETTER.search(text) and block.owner.tag not in ("td", "th"):
        return False  # "___", "191119052250266": separators and ids (a table's figures stay with their row)
    if block.chars <= 40 and _AD_LABEL.match(text):
        return False
    if block.chars <= 300 and _credit(text):
        return False
    return True


def _credit(text: str) -> bool:
    """_CREDIT matches. Every match holds "(", "©", "تصوير:", or, in any case, "photo" or "images" (whose
    "mage" no other character folds to), so most blocks are answered without the regex (10 µs on 300
    characters: an IGNORECASE alternation tried at every position)."""
    if "(" in text or "©" in text or "تصوير:" in text:
        return bool(_CREDIT.search(text))
    low = text.lower()
    return ("photo" in low or "mage" in low) and bool(_CREDIT.search(text))


def _short_label(block: Block) -> bool:
    return block.chars <= 40 and not _SENTENCE.search(block.text)


def _prose(block: Block) -> bool:
    """Reads like article prose: long, or a sentence (ends with sentence punctuation) of several words."""
    if block.heading:
        return False
    return block.chars >= 80 or (bool(_SENTENCE.search(block.text)) and len(block.text.split()) >= 3)
