"""The issue-9 extraction shortcuts give exactly what the code they replaced gave (docs/performance.md)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from parsel import Selector

from crawler.extract import blocks, extract_article
from crawler.extract import fields_page as fp
from crawler.extract import names as nm
from crawler.extract import roles as rl

ROOT = Path(__file__).parent.parent
BENCH = sorted((ROOT / "benchmarks" / "article-extraction" / "html").glob("*.html.gz"))[:12]
# Class/id strings: words, camelCase, separators, the role and furniture words, non-ASCII case pairs.
NAMES = st.lists(st.sampled_from(list("aAbeLdtimgsx-_ İKΣ\u00a0\t") + [
    "lead", "Lead", "author", "tag", "date", "Time", "updated", "share", "social", "embed", "related", "nav",
    "comments", "breadcrumb", "kicker", "meta", "Photo"]), max_size=12).map("".join)


def _trie(words: set[str]) -> str:
    """A regex alternation as a prefix tree (the role gate fields_page used before its per-word roles)."""
    if "" in words and len(words) == 1:
        return ""
    heads: dict[str, set[str]] = {}
    for w in sorted(words):
        if w:
            heads.setdefault(w[0], set()).add(w[1:])
    alts = [re.escape(c) + _trie(rest) for c, rest in heads.items()]
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return f"(?:{body})?" if "" in words else body


_ANY_ROLE = re.compile(_trie({w for ws in rl._ROLE_WORDS.values() for w in ws} | {
    "date", "time", "stamp", "publish", "posted", "created", "meta", "info", "details", "updat", "modif", "edited",
    "lastmod", "revised", "changed"}))


def old_scan_one(cls: str | None, ident: str | None) -> list[str]:
    """fields_page.scan_one before issue 9's speedups: the class and id scanned as one string."""
    raw = f"{cls or ''} {ident or ''}"
    if not _ANY_ROLE.search(raw.lower()):
        return []
    ws = {w.lower() for w in rl._WORD_SPLIT.split(raw) if w}
    found = [name for name, role_words in rl._ROLE_WORDS.items() if ws & role_words]
    if any(rl._DATE_ROLE.search(w) for w in ws):
        found.append("date")
    if any(rl.MODIFIED_ROLE.search(w) for w in ws):
        found.append("modified")
    return found


def old_negative(cls: str | None, ident: str | None) -> bool:
    names = (cls or "") + " " + (ident or "")
    if not names.strip():
        return False
    names = nm._CAMEL.sub("-", names).lower()
    return bool(nm._NEGATIVE.search(names)) and not nm._EMBED.search(names)


def element(cls: str, ident: str) -> etree._Element:
    el = etree.Element("div")
    if cls:
        el.set("class", cls)
    if ident:
        el.set("id", ident)
    return el


@given(NAMES, NAMES)
def test_roles_per_class_and_id_are_the_roles_of_both_together(cls: str, ident: str) -> None:
    assert fp.scan_one(element(cls, ident)) == old_scan_one(cls, ident)


@given(NAMES, NAMES)
def test_furniture_words_per_class_and_id_are_those_of_both_together(cls: str, ident: str) -> None:
    assert blocks.negative_name(element(cls, ident)) == old_negative(cls, ident)


@given(NAMES, NAMES)
def test_cached_words_and_role_tests_are_the_uncached_ones(cls: str, ident: str) -> None:
    el = element(cls, ident)
    raw = f"{cls} {ident}"
    assert fp.words(el) == [w.lower() for w in rl._WORD_SPLIT.split(raw) if w]
    assert fp.has_role(el, fp._BOXES) == any(fp._BOXES.match(w) for w in fp.words(el))


@given(st.text(alphabet=st.sampled_from(list("ab \t\n\r\f\v\u00a0\u2003\u3000\u200b\u200c\x1c\x1f\x85"))))
def test_whitespace_collapsed_by_split_is_the_regex_collapse(raw: str) -> None:
    assert " ".join(raw.split()) == re.sub(r"\s+", " ", raw).strip()


@pytest.mark.parametrize("path", BENCH, ids=lambda p: p.name.split(".")[0])
def test_one_walk_finds_the_elements_and_marks_the_xpath_found(path: Path) -> None:
    root = Selector(text=gzip.decompress(path.read_bytes()).decode("utf-8", "replace"), type="html")
    page = fp.Page(root, None, [])
    elements = root.root.xpath("//*[@class or @id or @itemprop or @itemtype or @rel or @aria-label]")
    roles = {name: [el for el in elements if name in old_scan_one(el.get("class"), el.get("id"))]
             for name in fp.ROLES}
    marks = [el for el in elements if el.get("itemprop") is not None or el.get("itemtype") is not None
             or (el.get("rel") and fp._REL.search(el.get("rel")))
             or (el.tag == "nav" and el.get("aria-label") is not None)]
    assert elements  # a page with no class/id at all would compare nothing
    assert all(len(page.roles[n]) == len(roles[n]) and all(a is b for a, b in zip(page.roles[n], roles[n]))
               for n in fp.ROLES)
    assert len(page.marks) == len(marks) and all(a is b for a, b in zip(page.marks, marks))


@pytest.mark.parametrize("path", BENCH, ids=lambda p: p.name.split(".")[0])
def test_plain_lxml_parser_gives_what_lxml_html_gave(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """extract_article parses with etree.HTMLParser; parsel's default lxml.html parser gives the same fields."""
    from datetime import UTC, datetime

    from parsel import selector as parsel_selector

    body = gzip.decompress(path.read_bytes())
    args = dict(url="https://example.org/a", content_type="text/html; charset=utf-8", selectors={}, tz="+00:00",
                fetched_at=datetime(2024, 1, 1, tzinfo=UTC))
    now = extract_article(body, **args)
    import lxml.html

    from crawler.extract import tree

    def lxml_html_parse(body: bytes, decoded, base_url: str) -> Selector:
        return Selector(root=parsel_selector.create_root_node(decoded.text, lxml.html.HTMLParser, base_url=base_url),
                        type="html")

    monkeypatch.setattr(tree, "parse", lxml_html_parse)
    assert extract_article(body, **args) == now
    assert now["body"]
