"""Each layout's fixture pages (`<site dir>/<site>/fixtures/<layout>/*.html` + `.expected.json`) and checks on them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.site.schema import Layout, Site


@dataclass(frozen=True)
class Fixture:
    """One saved page of a layout and what extraction must give for it."""

    site: Site
    layout: str
    page: Path

    @property
    def expected_path(self) -> Path:
        return self.page.with_suffix(".expected.json")

    def load(self) -> tuple[dict[str, Any], bytes]:
        """`{"input": {"url", "fetched_at", "content_type"}, "expected": {...}}` and the page bytes."""
        return json.loads(self.expected_path.read_text("utf-8")), self.page.read_bytes()


def fixture_dir(site: Site, layout: Layout | str) -> Path:
    name = layout if isinstance(layout, str) else layout.name
    return Path(site.source).parent / Path(site.source).stem / "fixtures" / name


def fixtures(site: Site) -> list[Fixture]:
    return [Fixture(site, lay.name, page) for lay in site.layouts
            for page in sorted(fixture_dir(site, lay).glob("*.html"))]


def fixture_problems(site: Site) -> list[str]:
    """A layout with no fixture page, a page with no expected JSON: one line each."""
    problems = []
    for lay in site.layouts:
        folder = fixture_dir(site, lay)
        pages = sorted(folder.glob("*.html"))
        if not pages:
            problems.append(f"{site.source}: layouts.{lay.name}: no fixture page in {folder} (a saved page "
                            f"and its .expected.json: docs/sites.md)")
        for page in pages:
            if not page.with_suffix(".expected.json").is_file():
                problems.append(f"{site.source}: layouts.{lay.name}: {page.name} has no {page.stem}.expected.json")
    return problems


def fixture_input(doc: dict[str, Any]) -> tuple[str, datetime, str | None]:
    inp = doc["input"]
    return inp["url"], datetime.fromisoformat(inp["fetched_at"]), inp.get("content_type")
