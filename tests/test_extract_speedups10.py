"""The third speed pass's shortcuts give exactly what the code they shortcut gave."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crawler.extract import roles as rl
from tests.test_extract_fastpath import language

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
