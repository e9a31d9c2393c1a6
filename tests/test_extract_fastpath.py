"""The extraction shortcuts after issue 9's second speed pass give exactly what the code they replaced gave."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from parsel import selector as parsel_selector

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
