"""The performance shortcuts give exactly what the code they shortcut gives (docs/performance.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html
from w3lib.html import remove_tags

from archive import text
from crawler.extract import selectors
from crawler.extract.block import remove_all_tags
from crawler.extract.charset import decode_html

PAGES = sorted((Path(__file__).parent / "fixtures" / "pages").glob("*.html"))
TRICKY = ["", "a < b > c", "<p title='x>y'>t</p>", "<a href=\"x\"\n>y</a >", "</ p>", "<!-- c --><b>x</b>",
          "<1>x</1>", "<p", "x<br/>y", "<di\u0600v>z</div>", "<IMG SRC=x>", "<a b=\"<c>\">d</a>"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_remove_all_tags_is_w3lib_remove_tags_on_fixture_pages(page: Path) -> None:
    source = page.read_bytes().decode("utf-8", "replace")
    assert remove_all_tags(source) == remove_tags(source)


def test_remove_all_tags_is_w3lib_remove_tags_on_odd_markup() -> None:
    assert [remove_all_tags(t) for t in TRICKY] == [remove_tags(t) for t in TRICKY]


@pytest.mark.parametrize("fragment, expected", [
    ("<p>  a\n b\u00a0c \t</p>", "a b c"),
    ("<p></p>", ""),
    ("<p>\n \n</p>", ""),
    ("<P>X  Y</P>", "X Y"),
    ("<td>a\r\nb</td>", "a b"),
    ("<p>\u200cزور\u200c</p>", "\u200cزور\u200c"),  # ZWNJ is not a space
    ("<script>var x = 1;</script>", ""),
    ("<style>p {}</style>", ""),
    ("<br>", ""),
    ("<span>ال</span>", "ال"),
])
def test_element_text_of_a_childless_element(fragment: str, expected: str) -> None:
    assert selectors.element_text(html.fragment_fromstring(fragment)) == expected


def test_element_text_fast_path_equals_the_walk_on_fixture_pages() -> None:
    """A childless element's text equals the walk's result for the same text inside a wrapper."""
    checked = 0
    for page in PAGES:
        root = html.document_fromstring(page.read_bytes())
        for el in root.iter():
            if isinstance(el.tag, str) and not len(el) and el.tag.lower() not in ("script", "style", "br",
                                                                                  "noscript", "template"):
                wrapper = html.fragment_fromstring("<div><span></span></div>")
                wrapper[0].text = el.text  # inline child: the walk joins it with nothing
                assert selectors.element_text(el) == selectors.element_text(wrapper), el.text
                checked += 1
    assert checked > 100


@pytest.mark.parametrize("value", ["الحكومة", "  ٣٫٥ مليار\u0640  ", "x" * 5000, "Ø§Ù„Ø­ÙƒÙˆÙ…Ø©", ""])
def test_memoised_text_layers_equal_the_functions(value: str) -> None:
    for _ in range(2):  # the second call is served from the cache
        assert text.key(value) == text.key.__wrapped__(value)  # type: ignore[attr-defined]
        assert text.display(value) == text.display.__wrapped__(value)  # type: ignore[attr-defined]


def test_utf8_fast_path_counts_literal_replacement_characters() -> None:
    decoded = decode_html("<p>a\ufffdb</p>".encode(), "text/html; charset=utf-8")
    assert (decoded.text, decoded.encoding, decoded.replacement_chars, decoded.declared, decoded.note) == (
        "<p>a\ufffdb</p>", "utf-8", 1, "utf-8", None)
    broken = decode_html(b"<p>\xd8\xa7\xff</p>", "text/html; charset=utf-8")
    assert (broken.text, broken.replacement_chars) == ("<p>\u0627\ufffd</p>", 1)
