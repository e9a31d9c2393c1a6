"""Site profile (crawler/site): identities of every URL generation, mirrors, tracking parameters."""

from __future__ import annotations

import pytest

from archive.urls import clean_url
from crawler.site import SiteError, load_site

SITE = "https://www.kurdistan24.net"


@pytest.fixture(scope="module")
def profile():
    return load_site("kurdistan24")


@pytest.mark.parametrize(
    ("url", "key", "generation"),
    [
        (f"{SITE}/ar/story/100001/slug", "kurdistan24:ar:100001", "C"),
        (f"{SITE}/ar/story/100001", "kurdistan24:ar:100001", "C"),
        (f"{SITE}/ar/story/100001/", "kurdistan24:ar:100001", "C"),
        (f"{SITE}/ar/story/100001/%D8%A7%D9%84%D8%AA%D8%AD%D8%A7%D9%84%D9%81?utm_source=x&fbclid=y", "kurdistan24:ar:100001", "C"),
        (f"{SITE}/ar/story/100001/التحالف-الدولي", "kurdistan24:ar:100001", "C"),
        (f"{SITE}/ar/opinion/4321/rethinking", "kurdistan24:ar:4321", "C"),
        (f"{SITE}/ar/story/25763-Coalition-Strikes-Will-Continue", "kurdistan24:ar:25763", "B"),
        (f"{SITE}/public/index.php/ckb/story/25763-Slug", "kurdistan24:ckb:25763", "B"),
        (f"{SITE}/so/news/0B4C2F9E-1234-4abc-8def-0123456789ab", "kurdistan24:ckb:0b4c2f9e-1234-4abc-8def-0123456789ab", "A"),
        (f"{SITE}/ku/news/0b4c2f9e-1234-4abc-8def-0123456789ab", "kurdistan24:kmr:0b4c2f9e-1234-4abc-8def-0123456789ab", "A"),
        ("https://kurdistan24.net/en/story/42", "kurdistan24:en:42", "C"),
    ],
)
def test_identity_of_every_generation(profile, url, key, generation):
    ident = profile.identify(url)
    assert ident is not None
    assert (ident.key, ident.generation) == (key, generation)


@pytest.mark.parametrize(
    "url",
    [
        f"{SITE}/ar/latest",
        f"{SITE}/ar/list/category/1/x",
        f"{SITE}/xx/story/1",               # unknown edition
        "https://example.org/ar/story/1",   # another host
        "ftp://www.kurdistan24.net/ar/story/1",
        f"{SITE}/ar/story/abc",
        "https://static.kurdistan24.net/ar/story/1",  # asset host is not an article host
    ],
)
def test_not_articles(profile, url):
    assert profile.identify(url) is None


def test_mirror_maps_both_ways():
    p = load_site("kurdistan24", base_url="http://127.0.0.1:8123/mirror/")
    assert p.to_fetch_url(f"{SITE}/ar/story/7/x?page=2") == "http://127.0.0.1:8123/mirror/ar/story/7/x?page=2"
    assert p.to_site_url("http://127.0.0.1:8123/mirror/ar/story/7/x") == f"{SITE}/ar/story/7/x"
    assert p.identify("http://127.0.0.1:8123/mirror/ar/story/7/x").key == "kurdistan24:ar:7"
    assert p.identify("http://127.0.0.1:9999/mirror/ar/story/7/x") is None  # another port is another host
    assert p.fetch_hosts == ("127.0.0.1",)


def test_tracking_parameters_removed():
    assert clean_url(f"{SITE}/ar/story/1/x?utm_source=a&fbclid=b&page=2#top") == f"{SITE}/ar/story/1/x?page=2"
    assert clean_url(f"{SITE}/ar/story/1/x?b=2&utm_x=1&a=1") == f"{SITE}/ar/story/1/x?b=2&a=1"  # order kept
    assert clean_url(f"{SITE}/ar/story/1/x?utm_medium=a") == f"{SITE}/ar/story/1/x"


def test_editions_and_aliases(profile):
    assert profile.check_editions(["ar", "so", "ckb", "ku"]) == ["ar", "ckb", "kmr"]
    with pytest.raises(SiteError, match="unknown edition 'zz'"):
        profile.check_editions(["zz"])


@pytest.mark.parametrize("bad", ["127.0.0.1:8000", "ftp://x", "http://", "http://h/?q=1"])
def test_malformed_base_url(bad):
    with pytest.raises(SiteError, match="malformed --base-url"):
        load_site("kurdistan24", base_url=bad)


def test_unknown_site():
    with pytest.raises(SiteError, match="unknown site 'nosuch' \\(known: .*kurdistan24.*generic"):
        load_site("nosuch")
