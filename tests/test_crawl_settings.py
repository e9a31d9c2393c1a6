"""Crawl options are settings: `-s` wins over a flag, bad values are one line and exit 2, a site given by path
is crawled and re-extracted (real Scrapy runs against a loopback fixture server, a real SQLite file)."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from crawler.site import SITES_DIR
from tests.conftest import crawl_json, run_cli
from tests.server import FixtureServer, Route
from tests.test_edits import page, site


@pytest.mark.parametrize(("args", "message"), [
    (["-s", "DOWNLOAD_DELAY=abc"], "newsarchive: -s DOWNLOAD_DELAY='abc': expected a number\n"),
    (["-s", "AUTOTHROTTLE_ENABLED=maybe"], "newsarchive: -s AUTOTHROTTLE_ENABLED='maybe': expected 0, 1, true or false\n"),
    (["-s", "NEWSARCHIVE_RECHECK=sometimes"],
     "newsarchive: NEWSARCHIVE_RECHECK (--recheck): unknown mode 'sometimes' (expected all, due or none)\n"),
    (["--base-url", "http://127.0.0.1:99999"],
     "newsarchive: malformed --base-url 'http://127.0.0.1:99999': the port must be 1-65535\n"),
    (["--site", "generic"], "newsarchive: --site generic needs --base-url: the home page of the site to crawl\n"),
    (["-s", "NEWSARCHIVE_SITE=nosuch"], "newsarchive: unknown site 'nosuch' (known: "),
])
def test_bad_values_are_one_line_exit_2(tmp_path, args, message):
    proc = run_cli("crawl", "--db", str(tmp_path / "a.db"), *args)
    assert proc.returncode == 2
    assert proc.stderr.startswith(message) and proc.stderr.count("\n") == 1, proc.stderr
    assert not (tmp_path / "a.db").exists()


def test_bad_recheck_tiers(tmp_path):
    proc = run_cli("crawl", "--db", str(tmp_path / "a.db"), "-s", "NEWSARCHIVE_RECHECK_TIERS=garbage")
    assert proc.returncode == 2
    assert proc.stderr.startswith("newsarchive: NEWSARCHIVE_RECHECK_TIERS='garbage': expected JSON [[age_seconds, "
                                  "interval_seconds], ...]")


def test_edition_home_as_base_url_is_the_site_root(db_path):
    with FixtureServer(site(Route(page()))) as srv:
        proc = run_cli("crawl", "--db", db_path, "--base-url", srv.base_url + "/ar", "--local", "--json")
    assert proc.returncode == 0, proc.stderr
    assert (f"newsarchive: note: --base-url {srv.base_url}/ar is the ar edition's home page: crawling the site at "
            f"{srv.base_url} (choose editions with --lang)\n") in proc.stderr
    assert [r["key"] for r in json.loads(proc.stdout)["new"]] == ["kurdistan24:ar:1"]


def test_mirror_under_a_path_may_read_robots_txt(db_path):
    # Links to the real site, mapped onto the mirror; robots.txt is the host's, outside the mirror's path.
    home = Route(b"<html><body><a href='https://www.kurdistan24.net/ar/story/1/x'>1</a></body></html>")
    routes = {f"/mirror{path}": route for path, route in site(Route(page()), **{"/ar": home}).items()
              if path != "/robots.txt"}
    routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /mirror/ar/latest\n")
    with FixtureServer(routes) as srv:
        report = crawl_json("--db", db_path, "--base-url", srv.base_url + "/mirror")
        assert "/robots.txt" in srv.requests and "/mirror/ar/latest" not in srv.requests
    assert [r["key"] for r in report["new"]] == ["kurdistan24:ar:1"]


def test_dash_s_wins_over_the_flag(db_path):
    with FixtureServer(site(Route(page()))) as srv:
        crawl_json("--db", db_path, "--base-url", srv.base_url)
        mark = len(srv.requests)
        crawl_json("--db", db_path, "--base-url", srv.base_url, "--recheck", "none")
        assert "/ar/story/1/x" not in srv.requests[mark:]
        mark = len(srv.requests)
        report = crawl_json("--db", db_path, "--base-url", srv.base_url, "--recheck", "none",
                            "-s", "NEWSARCHIVE_RECHECK=all")
        assert srv.requests[mark:].count("/ar/story/1/x") == 1
    assert report["crawl"]["unchanged"] == 1


def test_site_by_path_is_crawled_and_reextracted(tmp_path, db_path):
    profile = tmp_path / "profiles" / "mysite.toml"
    profile.parent.mkdir()
    profile.write_text((SITES_DIR / "kurdistan24.toml").read_text("utf-8").replace(
        'name = "kurdistan24"', 'name = "mysite"'), encoding="utf-8")
    with FixtureServer(site(Route(page()))) as srv:
        report = crawl_json("--db", db_path, "--base-url", srv.base_url, "-s", f"NEWSARCHIVE_SITE={profile}")
    assert [r["key"] for r in report["new"]] == ["mysite:ar:1"]
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT site, site_source FROM crawls").fetchall() == [("mysite", str(profile))]
    assert conn.execute("SELECT layout FROM versions").fetchall() == [("2024",)]
    conn.close()
    proc = run_cli("reextract", "--db", db_path, "--json")
    assert proc.returncode == 0, proc.stderr
    assert (json.loads(proc.stdout)["pages"], json.loads(proc.stdout)["unchanged"]) == (1, 1)
    moved = tmp_path / "elsewhere.toml"
    shutil.move(profile, moved)
    proc = run_cli("reextract", "--db", db_path)
    assert proc.returncode == 2
    assert proc.stderr == (f"newsarchive: site 'mysite' is not bundled and its profile was not found ({profile}): "
                           "pass --site PATH.toml\n")
    proc = run_cli("reextract", "--db", db_path, "--site", str(moved), "--json")
    assert (proc.returncode, json.loads(proc.stdout)["unchanged"]) == (0, 1), proc.stderr


def test_old_archive_is_migrated_in_place(tmp_path):
    path = tmp_path / "old.db"
    from sqlite_utils import Database

    from archive.schema import _v1

    conn = sqlite3.connect(path)
    _v1(Database(conn))  # the tables schema 1 made, as an archive written then would have them
    conn.executescript("PRAGMA foreign_keys = OFF; INSERT INTO versions (id, article_key, version, fetched_at, "
                       "content_hash) VALUES (1, 'k', 1, 't', 'h'); PRAGMA user_version = 1;")
    conn.close()
    from archive.schema import connect

    db = connect(path)
    assert "layout" in db.table("versions").columns_dict and "site_source" in db.table("crawls").columns_dict
    assert db.execute("SELECT article_key, layout FROM versions").fetchall() == [("k", None)]
    assert db.execute("PRAGMA user_version").fetchone()[0] == 4


def test_components_get_the_site_from_the_extension_and_refuse_without_one(tmp_path):
    from scrapy.exceptions import IgnoreRequest
    from scrapy.http import Request
    from scrapy.utils.test import get_crawler

    from crawler.middlewares.guard import HostGuardMiddleware
    from crawler.site import SiteError
    from crawler.site.extension import SiteExtension

    with pytest.raises(SiteError, match="no site on the crawler"):
        HostGuardMiddleware.from_crawler(get_crawler(settings_dict={}))
    crawler = get_crawler(settings_dict={"NEWSARCHIVE_SITE": "kurdistan24", "NEWSARCHIVE_DB": str(tmp_path / "a.db"),
                                         "NEWSARCHIVE_EDITIONS": "so,ar", "NEWSARCHIVE_BASE_URL": "http://127.0.0.1:8000"})
    SiteExtension.from_crawler(crawler)
    assert (crawler.newsarchive.site.name, crawler.newsarchive.editions) == ("kurdistan24", ("ckb", "ar"))
    guard = HostGuardMiddleware.from_crawler(crawler)
    guard.process_request(Request("http://127.0.0.1:8000/ar/story/1"))
    for url in ("https://www.kurdistan24.net/ar/story/1", "http://127.0.0.1:8001/ar/story/1", "https://example.org/"):
        with pytest.raises(IgnoreRequest):
            guard.process_request(Request(url))


def test_s_wins_over_local_inside_the_crawler():
    """Scrapy's create_crawler() merges the process's settings (--local: 64 requests) into each crawler's at
    their priority: a job's `-s` must still win there, where the downloader reads it (a bug once)."""
    from scrapy.crawler import Crawler, CrawlerRunner

    from crawler.cli import build_parser
    from crawler.commands.crawl import crawl_job
    from crawler.runner import LOCAL_MIRROR_SETTINGS, build_settings, job_settings
    from crawler.spiders.news import NewsSpider

    args = build_parser().parse_args(["crawl", "--local", "--recheck", "none", "-s", "CONCURRENT_REQUESTS=2",
                                      "-s", "NEWSARCHIVE_RECHECK=all"])
    settings = build_settings(LOCAL_MIRROR_SETTINGS, "WARNING")
    job = crawl_job(args)
    crawler = CrawlerRunner(settings).create_crawler(Crawler(NewsSpider, job_settings(settings, job)))
    assert (crawler.settings.getint("CONCURRENT_REQUESTS"), crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            crawler.settings.get("NEWSARCHIVE_RECHECK")) == (2, 64, "all")
