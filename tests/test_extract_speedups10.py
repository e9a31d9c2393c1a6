"""The third speed pass's shortcuts give exactly what the code they shortcut gave."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

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
    assert rl._scan_raw.__wrapped__(raw) == ungated(raw)


# --- first text-node match (crawler/extract/textsearch.py) -------------------------------------------------
CRAFTED = [
    "<body><div><p>alpha beta gamma</p> alpha beta gamma tail</div></body>",
    "<body><div><section><p>x <b>alpha beta gamma</b></p></section>alpha beta gamma</div>alpha beta gamma</body>",
    "<body><div><script>alpha beta gamma</script><p>alpha beta gamma</p>alpha beta gamma</div></body>",
    "<body><noscript><p>alpha beta gamma</p>alpha beta gamma</noscript><div>alpha  beta\ngamma</div></body>",
    "<head><title>alpha beta gamma</title></head><body><p>alpha beta <i>gamma</i></p></body>",
    "<body>alpha beta gamma<p>alpha beta gamma</p></body>",
]


@pytest.mark.parametrize("index", range(len(BENCH) + 2 + len(CRAFTED)))
def test_first_text_match_is_the_first_of_all_matches(index: int) -> None:
    from parsel import Selector

    from crawler.extract import tree
    from crawler.extract import textsearch as ts

    docs = _documents()
    root = docs[index] if index < len(docs) else \
        etree.fromstring(CRAFTED[index - len(docs)], etree.HTMLParser())
    probes = _probes(root) + ["one two three", "alpha beta gamma", "beta", "alpha beta gamma tail"]
    for document in (tree.Document(root=root, type="html"), Selector(root=root, type="html")):
        for probe in probes:
            word = max(probe.split(), key=len)
            for rest, variables in [(ts._TITLE_TEXT, {"t": probe, "w": word}), (ts._START_TEXT, {"p": probe}),
                                    (ts._START_SPACED, {"p": probe, "w": word})]:
                want = ts._body_text(document, rest, **variables)
                assert ts._first_text(document, rest, **variables) is (want[0] if want else None)
