"""Issue 9's second speed pass, text and class-name shortcuts: each gives exactly what the code it replaced gave."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from crawler.extract import body, jsonld, tree
from crawler.extract import names as nm
from crawler.extract import roles as rl
from crawler.extract import selectors as sel
from crawler.extract.charset import decode_html

ROOT = Path(__file__).parent.parent
BENCH = sorted((ROOT / "benchmarks" / "article-extraction" / "html").glob("*.html.gz"))[:12]
PAGES = sorted((ROOT / "tests" / "fixtures" / "pages").glob("*.html"))


# --- class/id word tests (crawler/extract/names.py) -------------------------------------------------------
def language(pattern: str) -> set[str]:
    """Every string a regex of literals, groups, alternations and `?` matches (a finite language)."""
    from re import _parser  # type: ignore[attr-defined]

    def strings(items) -> set[str]:  # type: ignore[no-untyped-def]
        out = {""}
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                alts = {chr(arg)}
            elif name == "SUBPATTERN":
                alts = strings(arg[-1])
            elif name == "BRANCH":
                alts = set().union(*(strings(b) for b in arg[1]))
            elif name == "MAX_REPEAT" and arg[:2] == (0, 1):
                alts = {""} | strings(arg[2])
            elif name == "IN":  # a class of literals ([ab])
                alts = {chr(v) for o, v in arg if str(o) == "LITERAL"}
            else:
                raise AssertionError(f"not a finite language: {name}")
            out = {a + b for a in out for b in alts}
        return out

    return strings(_parser.parse(pattern))


def test_negative_words_are_the_regex_words() -> None:
    source = nm._NEGATIVE.pattern
    middle = source[source.index("(?:", 3):source.rindex("(?:$")]
    assert language(middle) == nm.NEGATIVE_WORDS


CLASS_PIECES = st.sampled_from(
    [*sorted(nm.NEGATIVE_WORDS), "embed", "Tweet", "instaGram", "quote", "rollover", "ToolTip", "popover",
     "hovercard", "visually-hidden", "visuallyhidden", "sr-only", "SR-ONLY", "screen-reader", "screenreader",
     "hidden", "reader", "x", "Ad", "nav2", "-", "_", " ", "1", "é", "\u212a", "\u017f", "\u0131", "\u0130", "\u00a0",
     "A", "Z", "q", "\u03a3"])


@given(st.lists(CLASS_PIECES, max_size=8).map("".join))
def test_name_tests_answer_as_their_regexes(names: str) -> None:
    camel = nm._CAMEL.sub("-", names).lower()
    assert nm.negative_embed.__wrapped__(names) == (bool(nm._NEGATIVE.search(camel)), bool(nm._EMBED.search(camel)))
    assert nm.hidden_words.__wrapped__(names) == bool(nm._HIDDEN.search(names))


# --- XPath: attributes' parents instead of every element's attributes (crawler/extract/fields_page.py) ------
HEADLINES = [b"<html itemprop='headline'><h1>a</h1></html>",
             b"<div itemprop='headline'><h2 itemprop='headline'>x</h2><h1>y</h1></div><p itemprop=' headline'>z</p>",
             b"<h3 itemprop='headline name'>n</h3><span itemprop='HEADLINE'>c</span><b itemprop='headline'/>"]


@pytest.mark.parametrize("body", [*HEADLINES, *(gzip.decompress(p.read_bytes()) for p in BENCH)])
def test_headline_candidates_are_the_elements_xpath_found(body: bytes) -> None:
    root = tree.parse(body, decode_html(body, "text/html; charset=utf-8"), "https://e.org/").root
    for old, new in [("(//h1 | //h2 | //*[@itemprop='headline'])", "(//h1 | //h2 | //@itemprop[. = 'headline']/..)"),
                     ("//h1 | //h2 | //h3 | //*[@itemprop='headline']", "//h1 | //h2 | //h3 | //@itemprop[. = 'headline']/..")]:
        want = root.xpath(old)
        assert root.xpath(new) == want
    assert root.xpath("//*[@itemprop='headline']") or b"itemprop='headline'" not in body


# --- role words per word (crawler/extract/fields_page.py) -------------------------------------------------
@given(st.text(alphabet=st.sampled_from(list("ab-_ \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f0:AZİKΣ\u00a0\u2003")), max_size=16))
def test_words_split_as_the_regex_splits(raw: str) -> None:
    assert rl._split_words(raw) == [w.lower() for w in rl._WORD_SPLIT.split(raw) if w]


# --- photo credits (crawler/extract/body.py) --------------------------------------------------------------
CREDIT_PIECES = st.sampled_from(["(", ")", "©", "Image", "image", "s", "ſ", "İ", "ı", "K", "Photo", "PHOTO", "pHoTo",
                                 "photo", "Images", "IMAGES", "imageS", "AP", "AFP", "Reuters", "Getty", " ", ":", ": ",
                                 "credit", "file ", "صورة", "تصوير", "تصوير:", "a", "é", "x"])


@given(st.lists(CREDIT_PIECES, max_size=10).map("".join))
def test_credit_gate_answers_as_the_regex(text: str) -> None:
    assert body._credit(text) == bool(body._CREDIT.search(text))


# --- JSON-LD wrappers (crawler/extract/jsonld.py) -----------------------------------------------------------
WRAP_PIECES = st.sampled_from(["<!--", "-->", "<![CDATA[", "]]>", "//", "// ", " ", "\n", "{", "}", "[", "]", '"a"',
                               ":", "<", ">", "/", "-", "\u00a0", "x"])


@given(st.lists(WRAP_PIECES, max_size=10).map("".join))
def test_unwrap_is_the_wrapper_regex_on_stripped_text(raw: str) -> None:
    text = raw.strip()
    assert jsonld._unwrap(text) == jsonld._WRAPPER.sub("", text)


# --- whitespace collapsing (crawler/extract/selectors.py) ---------------------------------------------------
_RE_SPACES = re.compile(r"\s+")


def old_collapse(text: str) -> str:
    lines = [_RE_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


SPACE_TEXT = st.text(alphabet=st.sampled_from(list("ab \t\n\r\x0b\x0c\x1c\x1f\x85\u00a0\u2003\u2028\u200bع")), max_size=24)


@given(SPACE_TEXT)
def test_collapse_and_one_line_are_the_regex_versions(text: str) -> None:
    assert sel.collapse(text) == old_collapse(text)
    assert sel.one_line(text) == (_RE_SPACES.sub(" ", text).strip() or None)


def old_element_text(el: etree._Element) -> str:
    """selectors.element_text before the regex-free collapsing (the walk is unchanged; its ending was this)."""
    if not len(el) and isinstance(el.tag, str) and el.tag.lower() not in sel._INVISIBLE and el.tag.lower() != "br":
        return _RE_SPACES.sub(" ", el.text or "").strip()
    lines: list[list[str]] = [[]]
    stack: list[tuple[etree._Element, bool]] = [(el, False)]
    while stack:
        e, leaving = stack.pop()
        tag = e.tag.lower() if isinstance(e.tag, str) else None
        visible = tag is not None and tag not in sel._INVISIBLE
        if leaving:
            if visible and tag in sel._BLOCK and "".join(lines[-1]).strip():
                lines.append([])
            if e.tail and e is not el:
                lines[-1].append(e.tail)
            continue
        if visible and tag == "br":
            lines.append([])
        elif visible:
            if tag in sel._BLOCK and "".join(lines[-1]).strip():
                lines.append([])
            if e.text:
                lines[-1].append(e.text)
            stack.append((e, True))
            stack.extend((child, False) for child in reversed(e))
            continue
        stack.append((e, True))
    return old_collapse("\n".join(_RE_SPACES.sub(" ", "".join(parts)) for parts in lines))


XML_TEXT = st.text(alphabet=st.sampled_from(list("ab \t\n\r\x85\u00a0\u2003\u2028\u200bع")), max_size=24)


@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["p", "b", "br", "div", "span", "script", "li"]),
                          XML_TEXT, XML_TEXT), max_size=8), XML_TEXT)
def test_element_text_is_the_regex_version(parts: list[tuple[int, str, str, str]], first: str) -> None:
    root = etree.Element("div")
    root.text = first or None
    made = [root]
    for at, tag, text, tail in parts:
        child = etree.SubElement(made[at % len(made)], tag)
        child.text, child.tail = text or None, tail or None
        made.append(child)
    for el in made:
        assert sel.element_text(el) == old_element_text(el)


# --- replacement characters counted only where they can be (crawler/extract/charset.py) -------------------
@given(st.text(alphabet=st.sampled_from(list("aع\ufffd\ufeff\uff01\uf000é€")), max_size=12))
def test_declared_utf8_counts_replacement_characters(text: str) -> None:
    decoded = decode_html(text.encode("utf-8"), "text/html; charset=utf-8")
    assert (decoded.encoding, decoded.replacement_chars) == ("utf-8", text.count("\ufffd"))
