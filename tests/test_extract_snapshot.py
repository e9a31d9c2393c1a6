"""The extraction snapshot tool names each differing field and exits 1 on any difference."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import extract_snapshot as snap


def test_differences_name_page_config_and_field() -> None:
    old = {"p.html": {"generic": {"title": "a", "body": ["x"], "sources": {"title": "meta"}}}}
    new = {"p.html": {"generic": {"title": "a", "body": ["x", "y"], "sources": {"title": "jsonld"}}},
           "q.html": {"generic": {"title": "b"}}}
    assert snap.differences(old, new) == [
        "p.html [generic] body: \"['x']\" -> \"['x', 'y']\"",
        "p.html [generic] sources: \"{'title': 'meta'}\" -> \"{'title': 'jsonld'}\"",
        "q.html [generic] title: 'None' -> 'b'",
    ]
    assert snap.differences(old, old) == []


def test_check_exits_1_on_a_changed_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "snap.json"
    monkeypatch.setattr(snap, "snapshot", lambda: {"p": {"generic": {"title": "a", "sources": {}}}})
    assert snap.main(["record", "--out", str(out)]) == 0
    assert snap.main(["check", "--out", str(out)]) == 0
    monkeypatch.setattr(snap, "snapshot", lambda: {"p": {"generic": {"title": "b", "sources": {}}}})
    assert snap.main(["check", "--out", str(out)]) == 1
    assert "p [generic] title: 'a' -> 'b'" in capsys.readouterr().out
    assert snap.main(["check", "--out", str(tmp_path / "none.json")]) == 2
