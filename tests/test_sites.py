"""Every bundled site and layout against its fixture pages; profiles validated whole, one line per problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.site import SiteError, available_sites, load_site, read_site
from crawler.site.fixtures import extract_fixture, fixture_problems, fixtures
from tests.conftest import run_cli

SITES = [load_site(name) for name in available_sites()]
LAYOUTS = [(site, layout) for site in SITES for layout in site.layouts]
FIXTURES = [f for site in SITES for f in fixtures(site)]


@pytest.mark.parametrize("site", SITES, ids=lambda s: s.name)
def test_bundled_profile_is_valid(site):
    assert read_site(Path(site.source))[1] == []


@pytest.mark.parametrize(("site", "layout"), LAYOUTS, ids=[f"{s.name}/{lay.name}" for s, lay in LAYOUTS])
def test_every_layout_has_fixtures(site, layout):
    assert [p for p in fixture_problems(site) if f"layouts.{layout.name}:" in p] == []


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f"{f.site.name}/{f.layout}/{f.page.stem}" for f in FIXTURES])
def test_layout_fixture(fixture):
    got, expected = extract_fixture(fixture)
    assert got.get("layout") == fixture.layout, "the page must be read by the layout it is filed under"
    assert got == expected


def write(tmp_path: Path, text: str, name: str = "site.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """
[site]
name = "example"
base_url = "https://www.example.net"
[editions.ar]
[[article_urls]]
regex = '^/(?P<edition>ar)/news/(?P<id>\\d+)'
"""


def test_minimal_profile_loads_with_defaults(tmp_path):
    site = load_site(str(write(tmp_path, MINIMAL)))
    assert (site.name, site.hosts, site.default_editions, [lay.name for lay in site.layouts]) == (
        "example", ("www.example.net",), ("ar",), ["default"])
    assert site.identify("https://www.example.net/ar/news/123/x").key == "example:ar:123"


@pytest.mark.parametrize(("extra", "problem"), [
    ("[boilerplat]\nlines = []\n", "boilerplat: unknown key (did you mean boilerplate?)"),
    ("[discovery]\nlisting_link = ['a']\n", "discovery.listing_link: unknown key (did you mean listing_links?)"),
    ("[selectors]\ntitle = ['article h1[[[']\n", "selectors.title: bad selector 'article h1[[['"),
    ("[selectors]\nbody = ['//p[']\n", "selectors.body: bad selector '//p['"),
    ("[discovery]\nlisting_urls = ['^/(?P<edition>ar/list']\n", "discovery.listing_urls: bad regex"),
    ("[discovery.pagination]\nkind = 'scroll'\n", "discovery.pagination.kind: expected one of query, path, next, none"),
    ("[[layouts]]\nname = 'x'\nvalid_until = 'soon'\n", "layouts[0].valid_until: expected a date YYYY-MM-DD"),
    ("[blocks]\nmarkers = 'x'\nmarker = []\n", "blocks.marker: unknown key (did you mean markers?)"),
])
def test_every_mistake_is_named_by_file_and_key(tmp_path, extra, problem):
    path = write(tmp_path, MINIMAL + extra)
    with pytest.raises(SiteError) as err:
        load_site(str(path))
    assert str(err.value).startswith(f"{path}: {problem}")
    assert "\n" not in str(err.value)


def test_site_check_lists_every_problem(tmp_path):
    path = write(tmp_path, MINIMAL.replace('name = "example"', 'name = "Example"') +
                 "[selectors]\ntitle = ['h1[[']\ntitel = ['h1']\n[editions.ar.extra]\n")
    proc = run_cli("site", "check", str(path))
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert lines == [f"{path}: site.name: 'Example': lowercase letters, digits and '-' only",
                     f"{path}: editions.ar.extra: unknown key",
                     f"{path}: selectors.title: bad selector 'h1[[': Expected ident or '*', got <DELIM '[' at 3>",
                     f"{path}: selectors.titel: unknown key (did you mean title?)"], proc.stderr
    proc = run_cli("site", "check", "--json", str(path))
    assert (proc.returncode, json.loads(proc.stdout)["valid"], len(json.loads(proc.stdout)["problems"])) == (2, False, 4)


def test_site_check_wants_fixtures_for_each_layout(tmp_path):
    path = write(tmp_path, MINIMAL)
    proc = run_cli("site", "check", str(path))
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"{path}: layouts.default: no fixture page in {tmp_path / 'site' / 'fixtures' / 'default'}")
    folder = tmp_path / "site" / "fixtures" / "default"
    folder.mkdir(parents=True)
    (folder / "a.html").write_text("<h1>x</h1>")
    proc = run_cli("site", "check", str(path))
    assert proc.stderr == f"{path}: layouts.default: a.html has no a.expected.json\n"
    (folder / "a.expected.json").write_text("{}")
    proc = run_cli("site", "check", str(path))
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.startswith(f"{path}: valid: site example, editions ar, layouts default")


def test_site_list():
    proc = run_cli("site", "list", "--json")
    assert proc.returncode == 0
    assert [s["name"] for s in json.loads(proc.stdout)] == available_sites()


def test_extract_prints_fields_in_input_order(tmp_path):
    first, second = [f for f in FIXTURES if f.site.name == "kurdistan24" and f.layout == "2024"][:2]
    doc = json.loads(first.expected_path.read_text("utf-8"))
    proc = run_cli("extract", "--site", "kurdistan24", "--url", doc["input"]["url"], "--fetched-at",
                   doc["input"]["fetched_at"], "--json-lines", str(first.page), "-", str(second.page),
                   stdin=second.page.read_text("utf-8"))
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["file"] for r in records] == [str(first.page), "-", str(second.page)]
    assert {k: v for k, v in records[0].items() if k != "file"} == doc["expected"]
    assert records[1]["title"] == records[2]["title"]
    for name in ("title", "lead", "body", "published_at", "author", "tags", "images", "section", "sources"):
        assert name in records[0]


def test_extract_generic_and_errors(tmp_path):
    empty = write(tmp_path, "<html><body><p>hi</p></body></html>", "empty.html")
    proc = run_cli("extract", "--site", "generic", str(empty))
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"] in ("no title", "empty body")
    proc = run_cli("extract", str(tmp_path / "missing.html"))
    assert (proc.returncode, proc.stderr) == (2, f"newsarchive: cannot read {tmp_path / 'missing.html'}: "
                                                 "No such file or directory\n")


def test_site_fixture_files_a_page_and_its_expected_json(tmp_path):
    path = write(tmp_path, MINIMAL + "[selectors]\ntitle = ['h1']\nbody = ['div.text p']\n")
    first, second = "فقرة أولى من نص الخبر المحفوظ. " * 3, "فقرة ثانية من نص الخبر المحفوظ. " * 3
    page = write(tmp_path, f"<html><body><h1>عنوان</h1><div class='text'><p>{first}</p><p>{second}</p></div>"
                 "</body></html>", "saved.html")
    proc = run_cli("site", "fixture", str(path), str(page), "--url", "https://www.example.net/ar/news/5",
                   "--fetched-at", "2024-01-02T03:04:05+00:00")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "site" / "fixtures" / "default" / "saved.expected.json").read_text("utf-8"))
    assert doc["input"] == {"url": "https://www.example.net/ar/news/5", "fetched_at": "2024-01-02T03:04:05+00:00",
                            "content_type": None}
    assert (doc["expected"]["key"], doc["expected"]["title"], doc["expected"]["body"], doc["expected"]["layout"]) == (
        "example:ar:5", "عنوان", f"{first.strip()}\n\n{second.strip()}", "default")
    assert run_cli("site", "check", str(path)).returncode == 0
    proc = run_cli("site", "fixture", str(path), str(page), "--url", "https://www.example.net/", "--layout", "old")
    assert (proc.returncode, proc.stderr) == (2, "newsarchive: unknown layout 'old' for site example (known: default)\n")
