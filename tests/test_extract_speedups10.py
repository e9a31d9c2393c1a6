"""The third speed pass's shortcuts give exactly what the code they shortcut gave."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from crawler.extract import body
from crawler.extract import roles as rl
from tests.test_extract_fastpath import BENCH, language
from tests.test_extract_fastpath_tree import _documents, _probes

# Class/id strings: role words and their neighbours, camelCase, separators, non-ASCII case pairs.
ROLE_PIECES = st.sampled_from([*sorted(rl._GATE_WORDS), "Lead", "AUTHOR", "Tag", "DateTime", "updated", "upd",
                               "pubDate", "x", "col", "md", "8", "-", "_", " ", "\t", "\u00a0", "İ", "\u212a",
                               "\u03a3", "é", "a", "Z"])


def ungated(raw: str) -> tuple[str, ...]:
    """roles._scan_raw before the gate: the union of the tokens' roles."""
    found = {name for token in raw.split() for name in rl._token_roles.__wrapped__(token)}
    return tuple(name for name in rl.ROLES if name in found)


def test_gate_covers_every_role_word_and_date_match() -> None:
    for ws in rl._ROLE_WORDS.values():
        assert all(rl._GATE.search(w) for w in ws)
    for pattern in (rl._DATE_ROLE, rl.MODIFIED_ROLE):
        matched = language(pattern.pattern.replace("^", "").replace("$", ""))
        assert matched and all(rl._GATE.search(w) for w in matched)


@given(st.lists(ROLE_PIECES, max_size=8).map("".join))
def test_gated_roles_are_the_ungated_ones(raw: str) -> None:
    assert rl._roles_in(raw) == rl._scan_raw(raw) == ungated(raw)


# --- first text-node match (crawler/extract/textsearch.py) -------------------------------------------------
CRAFTED = [
    "<body><div><p>alpha beta gamma</p> alpha beta gamma tail</div></body>",
    "<body><div><section><p>x <b>alpha beta gamma</b></p></section>alpha beta gamma</div>alpha beta gamma</body>",
    "<body><div><script>alpha beta gamma</script><p>alpha beta gamma</p>alpha beta gamma</div></body>",
    "<body><noscript><p>alpha beta gamma</p>alpha beta gamma</noscript><div>alpha  beta\ngamma</div></body>",
    "<head><title>alpha beta gamma</title></head><body><p>alpha beta <i>gamma</i></p></body>",
    "<body>alpha beta gamma<p>alpha beta gamma</p></body>",
    "<body><p>alpha\nbeta  gamma</p><div>x alpha beta gamma</div>alpha beta gamma</body>",
    "<body><p>alpha\tbeta gamma<!-- c -->alpha beta\r\ngamma</p><b>alpha</b> alpha  beta gamma</body>",
    "<body><div><p>alpha</p> alpha\nbeta gamma </div></body>",
]


@pytest.mark.parametrize("index", range(len(BENCH) + 2 + len(CRAFTED)))
def test_first_text_match_is_the_first_of_all_matches(index: int) -> None:
    from parsel import Selector

    from crawler.extract import tree
    from crawler.extract import textsearch as ts

    docs = _documents()
    root = docs[index] if index < len(docs) else \
        etree.fromstring(CRAFTED[index - len(docs)], etree.HTMLParser())
    probes = _probes(root) + ["one two three", "alpha beta gamma", "beta", "alpha beta gamma tail", "alpha beta"]
    for document in (tree.Document(root=root, type="html"), Selector(root=root, type="html")):
        for probe in probes:
            word = max(probe.split(), key=len)
            for rest, variables in [(ts._TITLE_TEXT, {"t": probe, "w": word}), (ts._START_TEXT, {"p": probe}),
                                    (ts._START_SPACED, {"p": probe, "w": word})]:
                want = ts._body_text(document, rest, **variables)
                assert ts._first_text(document, rest, **variables) is (want[0] if want else None)
            if probe.strip():
                plain = ts._body_text(document, ts._START_TEXT, p=probe)
                spaced = ts._body_text(document, ts._START_SPACED, p=probe, w=max(probe.split(), key=len))
                want = (plain or spaced or [None])[0]
                assert ts.start_text(document, probe) is want


# --- block text and votes (crawler/extract/blocks.py, body.py) ---------------------------------------------
def test_only_the_ascii_space_is_printable_whitespace() -> None:
    """What the block text's shortcut rests on: a printable text's whitespace is the ASCII space alone."""
    assert [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c.isprintable()] == [" "]


SPACED = st.text(alphabet=st.sampled_from(list("ab ,،؛\t\n\u00a0\u2003\u200c\u00ad\x1c\x85\u2028ع")), max_size=24)


@given(SPACED)
def test_block_text_is_the_collapsed_text(raw: str) -> None:
    from crawler.extract import blocks

    root = etree.fromstring("<div><p></p></div>", etree.HTMLParser()).find(".//p")
    root.text = raw.replace("\x1c", "x").replace("\x85", "y")  # XML text cannot hold these two
    want = " ".join(root.text.split())
    got = [b.text for b in blocks.segment(root).blocks]
    assert got == ([want] if want else [])
    assert root.text.count(",") + root.text.count("،") + root.text.count("؛") == len(body._COMMAS.findall(root.text))


def test_role_tests_are_per_pattern_source_and_flags() -> None:
    el = etree.fromstring('<div class="Related-box" id="x"/>')
    plain, folded = re.compile(r"^related$"), re.compile(r"^related$", re.I)
    assert rl.has_role(el, plain) and rl.has_role(el, re.compile(r"^related$"))  # words are lower-cased
    assert rl.has_role(el, folded) and not rl.has_role(el, re.compile(r"^Related$"))


@given(st.lists(ROLE_PIECES | st.sampled_from(["share", "Tooltip", "sr-only", "embed", "comments"]), max_size=6)
       .map("".join))
def test_segmenter_name_tests_are_the_cached_tests(names: str) -> None:
    from crawler.extract import names as nm

    assert nm.name_tests(names) == (nm.hidden_words(names), *nm.negative_embed(names))
