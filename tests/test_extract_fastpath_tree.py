"""Issue 9's second speed pass, tree shortcuts (one parse, one tag walk, searches from the <body>): each gives
exactly what the code it replaced gave."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from parsel import selector as parsel_selector

from crawler.extract import fields_page as fp
from crawler.extract import selectors as sel
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
