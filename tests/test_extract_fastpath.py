"""The extraction shortcuts after issue 9's second speed pass give exactly what the code they replaced gave."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from parsel import selector as parsel_selector

from crawler.extract import body, jsonld
from crawler.extract import selectors as sel
from crawler.extract import fields_page as fp
from crawler.extract import names as nm
from crawler.extract import roles as rl
from crawler.extract import tree
from crawler.extract.charset import decode_html

ROOT = Path(__file__).parent.parent
BENCH = sorted((ROOT / "benchmarks" / "article-extraction" / "html").glob("*.html.gz"))[:12]
PAGES = sorted((ROOT / "tests" / "fixtures" / "pages").glob("*.html"))


def parsel_tree(body: bytes, content_type: str | None) -> bytes:
    """What extract_article parsed before: parsel's create_root_node on the decoded text."""
    text = decode_html(body, content_type).text
    return etree.tostring(parsel_selector.create_root_node(text, etree.HTMLParser, base_url="https://e.org/"))


def our_tree(body: bytes, content_type: str | None) -> bytes:
    return etree.tostring(tree.parse(body, decode_html(body, content_type), "https://e.org/").root)


@pytest.mark.parametrize("path", BENCH + PAGES, ids=lambda p: p.name.split(".")[0])
def test_parse_gives_parsels_tree_for_every_page(path: Path) -> None:
    body = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    for content_type in ("text/html; charset=utf-8", "text/html", None):
        assert our_tree(body, content_type) == parsel_tree(body, content_type)


EDGES = [b"", b"   ", b"\n\t", b"<!-- only a comment -->", b"<!DOCTYPE html>", b"\xef\xbb\xbf<p>bom</p>\n",
         b"\xc2\xa0<p>nbsp first</p>\xc2\xa0", b"\x1c<p>file separator</p>\x1f", b"<p>nul\x00 inside</p>\n",
         b"<p>broken \xff byte</p>", "<p>عربي</p>\r\n".encode(), b"\x85<p>nel</p>", b"\xe2\x80\x83<p>em space</p>"]


@pytest.mark.parametrize("body", EDGES)
def test_parse_edges_strip_as_parsel_does(body: bytes) -> None:
    for content_type in ("text/html; charset=utf-8", "text/html; charset=windows-1256"):
        assert our_tree(body, content_type) == parsel_tree(body, content_type)


PIECES = st.sampled_from(["<p>", "</p>", "a", "ع", " ", "\n", "\t", "\x0b", "\x0c", "\r", "\x1c", "\x1f", "\x00",
                          "\x85", "\u00a0", "\u2003", "\u3000", "\ufeff", "<!--c-->", "<b>", "\ufffd"])


@given(st.lists(PIECES, max_size=12).map("".join), st.sampled_from(["utf-8", "utf-8-sig", "cp1256", "latin-1"]))
def test_parse_any_text_as_parsel_does(text: str, codec: str) -> None:
    body = text.encode(codec, errors="ignore")
    for content_type in ("text/html; charset=utf-8", "text/html", None):
        assert our_tree(body, content_type) == parsel_tree(body, content_type)


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


# --- text-node searches from the <body> (crawler/extract/fields_page.py) ----------------------------------
def _probes(root: etree._Element) -> list[str]:
    words = " ".join(root.xpath("string(//body)").split()).split(" ")
    probes = [" ".join(words[i:i + 3]) for i in range(0, len(words), max(1, len(words) // 5))][:6]
    return [p for p in probes if p.strip()] + ["zz-none"]


def _documents() -> list[etree._Element]:
    docs = [tree.parse(gzip.decompress(p.read_bytes()), decode_html(gzip.decompress(p.read_bytes()), None),
                       "https://e.org/").root for p in BENCH]
    two = etree.fromstring("<html><body><p>one two three</p></body></html>", etree.HTMLParser())
    extra = etree.SubElement(two, "body")  # two <body> elements: only built by hand, never by the parser
    etree.SubElement(extra, "p").text = "one two three again"
    none = etree.Element("html")
    etree.SubElement(none, "p").text = "one two three"
    return [*docs, two, none]


@pytest.mark.parametrize("index", range(len(BENCH) + 2))
def test_text_searches_from_the_body_find_what_the_document_search_found(index: int) -> None:
    from parsel import Selector

    root = _documents()[index]
    document, plain = tree.Document(root=root, type="html"), Selector(root=root, type="html")
    for probe in _probes(root) + ["one two three"]:
        word = max(probe.split(), key=len)
        for rest, variables in [(fp._TITLE_TEXT, {"t": probe, "w": word}), (fp._START_TEXT, {"p": probe}),
                                (fp._START_SPACED, {"p": probe, "w": word})]:
            want = root.xpath("//body//text()" + rest, **variables)
            assert fp._body_text(document, rest, **variables) == want and fp._body_text(plain, rest, **variables) == want


# --- <base href> (crawler/extract/selectors.py) -------------------------------------------------------------
@pytest.mark.parametrize("html", [b"<p>x</p>", b"<head><base target=_blank><base href=' /b/ '></head>",
                                  b"<base href=''><base href='/c/'>", b"<body><base href='/in-body/'></body>",
                                  b"<head><base href='/first/'></head><body><base href='/second/'></body>"])
def test_base_url_is_the_first_base_href(html: bytes) -> None:
    from parsel import Selector

    root = tree.parse(html, decode_html(html, "text/html; charset=utf-8"), "https://e.org/a/")
    href = Selector(root=root.root, type="html").xpath("//base/@href").get()
    want = sel.urljoin("https://e.org/a/", sel.strip_html5_whitespace(href)) if href else "https://e.org/a/"
    assert sel.base_url(root, "https://e.org/a/") == want


# --- one walk for the page-wide tag lookups (crawler/extract/tree.py) -------------------------------------
@pytest.mark.parametrize("path", BENCH + PAGES, ids=lambda p: p.name.split(".")[0])
def test_tagged_lists_what_iter_and_xpath_find(path: Path) -> None:
    from parsel import Selector

    body = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    doc = tree.parse(body, decode_html(body, None), "https://e.org/")
    plain = Selector(root=doc.root, type="html")
    for tag in (*tree.INDEXED, "p"):
        want = list(doc.root.iter(tag))
        assert tree.tagged(doc, tag) == want and tree.tagged(plain, tag) == want
        assert doc.root.xpath(f"//{tag}") == want
    assert [m for m in tree.tagged(doc, "meta") if m.get("content") is not None] == doc.root.xpath("//meta[@content]")


# --- the title's headings without a walk (crawler/extract/fields_page.py) ----------------------------------
HEAD_TEXT = st.text(alphabet=st.sampled_from(list("ab \t\r\n\u00a0\u2003ع")), min_size=1, max_size=10)


@given(st.lists(st.tuples(st.sampled_from(["h1", "h2", "h3", "p"]), HEAD_TEXT, st.booleans(), st.booleans()),
                min_size=1, max_size=5), st.integers(0, 4))
def test_headings_are_what_the_xpath_found(heads: list[tuple[str, str, bool, bool]], pick: int) -> None:
    from xml.sax.saxutils import escape

    html = "<html><body>"
    for tag, text, commented, prop in heads:
        inner = escape(text[:2]) + ("<!--x y-->" if commented else "") + "<b>" + escape(text[2:]) + "</b>"
        html += f"<{tag}{' itemprop=headline' if prop else ''}>{inner}</{tag}>"
    doc = tree.parse(html.encode(), decode_html(html.encode(), "text/html; charset=utf-8"), "https://e.org/")
    candidates = [" ".join(h[1].split()) for h in heads] + ["a b", "\x01 control"]
    wanted = candidates[pick % len(candidates)]
    marks = fp.Page(doc, None, []).marks
    try:
        want = fp._HEADINGS(doc.root, t=wanted)
    except ValueError:
        with pytest.raises(ValueError):
            fp._headings(doc, wanted)
        with pytest.raises(ValueError):
            fp._headings(doc, wanted, marks)
        return
    assert fp._headings(doc, wanted) == want and fp._headings(doc, wanted, marks) == want


@pytest.mark.parametrize("path", BENCH + PAGES, ids=lambda p: p.name.split(".")[0])
def test_headings_of_real_pages_are_what_the_xpath_found(path: Path) -> None:
    body = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    doc = tree.parse(body, decode_html(body, None), "https://e.org/")
    marks = fp.Page(doc, None, []).marks
    for h in tree.tagged(doc, tree.HEADINGS)[:8]:
        wanted = " ".join(h.xpath("normalize-space(.)").split())
        want = fp._HEADINGS(doc.root, t=wanted)
        assert fp._headings(doc, wanted) == want and fp._headings(doc, wanted, marks) == want
