"""`python -m benchmarks.extract_snapshot record|check`: every extracted field of every bundled page, for refactors.

Runs `extract_article` (all fields, with the per-field `sources`) on the article-extraction benchmark pages,
tests/fixtures/pages and every site's fixture pages, once with no profile and once with each bundled site
layout's selectors, plus the crawl's `page_record` for each site fixture under its own site. `record` writes
the outputs as JSON; `check` compares the current outputs with that file and exits 1 on any difference.
A speed change to the extraction must leave the file byte-identical.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "article-extraction"
PAGES = ROOT / "tests" / "fixtures" / "pages"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "extract-snapshot.json"
FETCHED = "2026-01-01T00:00:00+00:00"


def _pages() -> Iterator[tuple[str, bytes, dict[str, Any]]]:
    """(name, bytes, input) for every page: url, fetched_at and content_type from its expected JSON if any."""
    from crawler.site import available_sites, load_site
    from crawler.site.fixtures import fixtures

    truth = json.loads((BENCH / "ground-truth.json").read_text("utf-8"))
    for key in sorted(truth):
        html = gzip.decompress((BENCH / "html" / f"{key}.html.gz").read_bytes())
        yield (f"bench/{key[:16]}", html, {"url": truth[key].get("url") or "https://example.org/",
                                           "fetched_at": FETCHED, "content_type": "text/html; charset=utf-8"})
    site_pages = [f.page for name in available_sites() for f in fixtures(load_site(name))]
    for page in [*sorted(PAGES.glob("*.html")), *site_pages]:
        expected = page.with_suffix(".expected.json")
        inp = json.loads(expected.read_text("utf-8"))["input"] if expected.is_file() else {}
        yield (str(page.relative_to(ROOT)), page.read_bytes(),
               {"url": inp.get("url") or "https://example.org/a", "fetched_at": inp.get("fetched_at") or FETCHED,
                "content_type": inp.get("content_type")})


def snapshot() -> dict[str, Any]:
    """{page: {config: output}} for every page and configuration (generic, site/layout, crawl:site)."""
    from crawler.extract import extract_article
    from crawler.process import Page, page_record
    from crawler.site import available_sites, load_site
    from crawler.site.fixtures import fixtures

    sites = [load_site(name) for name in available_sites()]
    configs = [("generic", {}, "UTC")] + [(f"{s.name}/{lay.name}", lay.selectors, s.timezone)
                                          for s in sites for lay in s.layouts]
    own_site = {str(f.page.relative_to(ROOT)): s for s in sites for f in fixtures(s)}
    out: dict[str, Any] = {}
    for name, html, inp in _pages():
        fetched = datetime.fromisoformat(inp["fetched_at"]).astimezone(UTC)
        runs: dict[str, Any] = {}
        for config, selectors, tz in configs:
            runs[config] = extract_article(html, url=inp["url"], content_type=inp["content_type"],
                                           selectors=selectors, tz=tz, fetched_at=fetched)
        if name in own_site:
            site = own_site[name]
            page = Page(url=inp["url"], status=200, body=html, fetched_at=datetime.fromisoformat(inp["fetched_at"]),
                        content_type=inp["content_type"])
            runs[f"crawl:{site.name}"] = page_record(page, site)
        out[name] = runs
    return out


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n"


def differences(old: dict[str, Any], new: dict[str, Any], limit: int = 20) -> list[str]:
    """One line per (page, config, field) that differs, at most `limit`."""
    lines: list[str] = []
    for page in sorted(set(old) | set(new)):
        a, b = old.get(page, {}), new.get(page, {})
        for config in sorted(set(a) | set(b)):
            x, y = a.get(config, {}), b.get(config, {})
            for key in sorted(set(x) | set(y)):
                if json.dumps(x.get(key), sort_keys=True, default=str) != json.dumps(y.get(key), sort_keys=True,
                                                                                     default=str):
                    lines.append(f"{page} [{config}] {key}: {str(x.get(key))[:120]!r} -> {str(y.get(key))[:120]!r}")
                    if len(lines) >= limit:
                        return lines
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.extract_snapshot",
                                     description="Record every extracted field of the bundled pages, or check "
                                                 "that the extraction still gives exactly that.")
    parser.add_argument("action", choices=("record", "check"))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"snapshot file (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    text = dumps(snapshot())
    count = text.count('"sources"')
    if args.action == "record":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"recorded {count} extractions in {args.out}")
        return 0
    if not args.out.is_file():
        print(f"error: no snapshot at {args.out} (run `record` first)", file=sys.stderr)
        return 2
    old_text = args.out.read_text("utf-8")
    if old_text == text:
        print(f"ok: {count} extractions identical to {args.out}")
        return 0
    lines = differences(json.loads(old_text), json.loads(text)) or ["(the files differ in formatting only)"]
    print("\n".join(["DIFFERENT:", *lines]))
    return 1


if __name__ == "__main__":
    sys.exit(main())
