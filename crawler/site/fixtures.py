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


def extract_fixture(fixture: Fixture) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the crawl's path gives for a fixture page now, and what its expected JSON says."""
    from crawler.process import Page, page_record

    doc, body = fixture.load()
    inp = doc["input"]
    page = Page(url=inp["url"], status=200, body=body, fetched_at=datetime.fromisoformat(inp["fetched_at"]),
                content_type=inp.get("content_type"))
    return page_record(page, fixture.site), doc["expected"]


def write_expected(page: Path, site: Site, url: str, fetched_at: str, content_type: str | None = None) -> Path:
    """Write a page's .expected.json from what extraction gives now (review it by eye before committing)."""
    from crawler.process import Page, page_record

    record = page_record(Page(url=url, status=200, body=page.read_bytes(), fetched_at=datetime.fromisoformat(fetched_at),
                              content_type=content_type), site)
    doc = {"input": {"url": url, "fetched_at": fetched_at, "content_type": content_type}, "expected": record}
    target = page.with_suffix(".expected.json")
    target.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target
