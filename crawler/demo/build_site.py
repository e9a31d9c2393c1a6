"""Regenerates site/ from the article data in this file; the committed HTML is the source of truth for tests.

The article prose lives in `articles.json` beside this script (entry 100001 is imported from the
reference article with `--import-reference PATH`); the page layout, link lists and special pages are
here. Run `python -m crawler.demo.build_site` to rewrite `site/day1/`, `site/day2/` and
`site/manifest.json`.

URL -> file naming (what `server.py` implements):
- a URL path is percent-decoded; files mirror decoded paths under `site/dayN/`;
- `/{lang}` and `/{lang}/` -> `{lang}/index.html`;
- any article URL `/{lang}/story/{id}[/{slug}][/]`, generation B `/{lang}/story/{id}-{Slug}` and the
  `/public/index.php/` prefix -> `{lang}/story/{id}/index.html` (the slug is not identity);
- a page without extension `P` -> `P.html`; `P?page=N` (N > 1) -> `P.page-N.html`; other query
  parameters (utm_*, fbclid, ...) are ignored; files with an extension (`robots.txt`, `rss.xml`) as is;
- `day2/` holds only changed or new files; `day2/_deleted.txt` lists URL paths that answer 404 on day 2.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import unicodedata
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

HERE = Path(__file__).parent
DATA = HERE / "articles.json"
SITE = HERE / "site"
HOST = "https://www.kurdistan24.net"
SITE_NAME = "kurdistan24"
IMG = "https://static.kurdistan24.net/2021/11/{id}.jpg"

CATEGORIES = {1: "سياسة", 2: "اقتصاد"}
# Generation-B style Latin slugs for the URL variants that point at existing articles.
GEN_B_SLUGS = {"100004": "Heavy-Rain-Floods-Streets-In-Duhok", "100005": "Erbil-Water-Project-Second-Phase"}
# Articles kept out of "related" asides, so that day-2 changes touch only the pages meant to change.
NOT_RELATED = {"100003", "100007", "100015", "100021"}

# Link lists: (article id, link variant). Variants: abs, rel, utm, noslug, slash, genb, public.
LATEST = {
    1: [("100001", "abs"), ("100002", "abs"), ("100003", "abs"), ("100004", "rel"), ("100005", "abs"),
        ("100015", "abs"), ("100006", "rel"), ("100007", "abs")],
    2: [("100008", "abs"), ("100009", "abs"), ("100010", "rel"), ("100011", "abs"), ("100012", "abs"),
        ("100001", "utm"), ("100002", "noslug"), ("100050", "abs"), ("offsite", "")],
    3: [("100013", "abs"), ("100014", "abs"), ("100016", "abs"), ("100017", "rel"), ("100003", "slash"),
        ("100004", "genb"), ("100005", "public"), ("100099", "abs"), ("100098", "abs"), ("100097", "abs")],
}
CATEGORY_PAGES = {
    (1, 1): [("100018", "abs"), ("100019", "abs"), ("100001", "abs"), ("100015", "abs")],
    (1, 2): [("100020", "abs"), ("100006", "slash")],
    (2, 1): [("100008", "abs"), ("100010", "abs"), ("100012", "rel"), ("100020", "abs")],
    (2, 2): [("100011", "abs"), ("100014", "abs")],
}
FEATURED = [("100001", "abs"), ("100003", "abs"), ("100012", "abs"), ("100018", "rel")]
RSS_ITEMS = ["100001", "100002", "100003", "100004", "100005", "100006", "100007", "100008", "100015", "100019"]
DAY2_NEW_FIRST = "100021"  # prepended to latest page 1, the feed and the home page on day 2

OFFSITE = "https://example.org/x"
ROBOTS = "User-agent: *\nDisallow: /ar/search\nDisallow: /private/\n"
DISALLOWED_LINKS = ["/ar/search?q=x", "/private/ar/story/100090/draft-kurdistan-budget"]

# Pages that are linked like articles but are not articles.
SPECIAL = [
    {"id": "100099", "slug": "special-report-displaced-camps", "kind": "challenge", "status": 503,
     "outcome": "blocked", "reason": 'challenge page: "Just a moment..."',
     "title": "تقرير خاص عن أوضاع النازحين في المخيمات"},
    {"id": "100098", "slug": "مؤتمر-صحفي-لوزير-الداخلية", "kind": "missing", "status": 404,
     "outcome": "failed", "reason": "HTTP 404", "title": "مؤتمر صحفي لوزير الداخلية في أربيل"},
    {"id": "100097", "slug": "اجتماع-طارئ-لمجلس-الوزراء", "kind": "broken", "status": 200,
     "outcome": "failed", "reason": "unhealthy extraction: no title, empty body",
     "title": "عاجل: اجتماع طارئ لمجلس وزراء الإقليم"},
]

CHROME = {
    "ar": {"home": "الرئيسية", "latest": "آخر الأخبار", "related": "أخبار ذات صلة",
           "copyright": "© 2021 كوردستان 24. جميع الحقوق محفوظة."},
    "ckb": {"home": "سەرەکی", "latest": "دوایین هەواڵەکان", "related": "بابەتی پەیوەندیدار",
            "copyright": "© 2021 کوردستان24. هەموو مافەکان پارێزراون."},
}
SOCIAL = ["https://www.facebook.com/Kurdistan24.net", "https://twitter.com/K24Arabic",
          "https://www.youtube.com/c/Kurdistan24"]

BIDI = re.compile("[\u200b\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff]")
MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")


# --- small helpers ------------------------------------------------------------------------------
def esc(text: str) -> str:
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    return html.escape(text, quote=True)


def enc(segment: str) -> str:
    """Percent-encode one path segment the way the site does (UTF-8, uppercase hex)."""
    return quote(segment, safe="-")


def display(text: str) -> str:
    """What a reader sees: bidi marks gone, NBSP and runs of spaces collapsed (docs/arabic-text)."""
    text = BIDI.sub("", unicodedata.normalize("NFC", text)).replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", text).strip()


def html_text(fragment: str) -> str:
    """The string value of an HTML fragment (`<br>` -> newline), as display text."""
    text = re.sub(r"<br\s*/?>", "\n", fragment)
    return display(html.unescape(re.sub(r"<[^>]+>", "", text)))


def make_slug(title: str) -> str:
    words = re.sub(r"[^\w\s]", " ", MARKS.sub("", BIDI.sub("", title))).split()
    return "-".join(words[:8])


def rfc822(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso))


def para_html(p: str | dict[str, str]) -> str:
    return p["html"] if isinstance(p, dict) else p


# --- data ---------------------------------------------------------------------------------------
def load_articles() -> dict[str, dict[str, Any]]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    out: dict[str, dict[str, Any]] = {}
    for a in data["articles"]:
        a.setdefault("slug", make_slug(a["title"]))
        a["path"] = f"/{a['edition']}/story/{a['id']}/{enc(a['slug'])}"
        out[a["id"]] = a
    for s in SPECIAL:
        s["edition"] = "ar"
        s["path"] = f"/ar/story/{s['id']}/{enc(s['slug'])}"
    return out


def version(a: dict[str, Any], day: int) -> dict[str, Any]:
    """The article as served on `day` (day-2 edits and display noise applied)."""
    d2 = a.get("day2", {})
    if day == 1 or d2.get("status") not in ("edited", "noise_only"):
        return a
    v = dict(a)
    for key in ("title", "modified", "paragraphs"):
        if key in d2:
            v[key] = d2[key]
    for old, new in d2.get("replace", []):
        assert old in v["title"] or any(old in para_html(p) for p in v["paragraphs"]), old
        v["title"] = v["title"].replace(old, new)
        v["paragraphs"] = [p.replace(old, new) if isinstance(p, str) else p for p in v["paragraphs"]]
    return v


def exists_on(a: dict[str, Any], day: int) -> bool:
    status = a.get("day2", {}).get("status")
    return not (day == 1 and status == "new") and not (day == 2 and status == "deleted")


def import_reference(path: Path) -> None:
    """Copy title, lead, caption and body of the reference article into articles.json (entry 100001)."""
    text = path.read_text(encoding="utf-8")
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    title = blocks[0].strip("\n")
    lead, caption, caption2 = blocks[1].split("\n")
    assert caption == caption2, "reference: the caption is expected twice"
    data = json.loads(DATA.read_text(encoding="utf-8"))
    entry = next(a for a in data["articles"] if a.get("reference"))
    entry.update(title=title, lead=lead, caption=caption, paragraphs=[esc(b.strip("\n")) for b in blocks[2:]])
    assert all(html.unescape(p) == b.strip("\n") for p, b in zip(entry["paragraphs"], blocks[2:], strict=True))
    out = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    for ch in ("\u200c", "\u200e", "\u200f", "\u00a0"):  # keep invisible characters visible in the file
        out = out.replace(ch, f"\\u{ord(ch):04x}")
    DATA.write_text(out, encoding="utf-8")


# --- links ----------------------------------------------------------------------------------------
def href(a: dict[str, Any], variant: str) -> str:
    ed, id_ = a["edition"], a["id"]
    return {
        "abs": HOST + a["path"],
        "rel": a["path"],
        "utm": HOST + a["path"] + "?utm_source=twitter&fbclid=abc",
        "noslug": f"/{ed}/story/{id_}",
        "slash": HOST + a["path"] + "/",
        "genb": f"{HOST}/{ed}/story/{id_}-{GEN_B_SLUGS.get(id_, 'Kurdistan24-News')}",
        "public": f"/public/index.php/{ed}/story/{id_}-{GEN_B_SLUGS.get(id_, 'Kurdistan24-News')}",
    }[variant]


def category_path(cat: int) -> str:
    return f"/ar/list/category/{cat}/{enc(CATEGORIES[cat])}"


def card(link: str, title: str, extra: str = "") -> str:
    return f'<article class="card"><h3><a href="{attr(link)}">{esc(display(title))}</a></h3>{extra}</article>'


def cards(items: list[tuple[str, str]], arts: dict[str, dict[str, Any]], day: int) -> list[str]:
    specials = {s["id"]: s for s in SPECIAL}
    out = []
    for id_, variant in items:
        if id_ == "offsite":
            out.append(card(OFFSITE, "شركاء: تقرير عن الاقتصاد العالمي"))
        elif id_ in specials:
            out.append(card(HOST + specials[id_]["path"], specials[id_]["title"]))
        elif exists_on(arts[id_], day):
            out.append(card(href(arts[id_], variant), version(arts[id_], day)["title"]))
    return out


# --- page parts ---------------------------------------------------------------------------------
def nav(lang: str) -> str:
    if lang == "ckb":
        return ('<nav class="main-nav"><a href="/ckb">سەرەکی</a><a href="/ckb/latest">دوایین هەواڵەکان</a>'
                '<a href="/ar">عربي</a></nav>')
    links = [f'<a href="/ar">{CHROME["ar"]["home"]}</a>',
             f'<a href="{HOST}{category_path(1)}">{CATEGORIES[1]}</a>',
             f'<a href="{category_path(2)}">{CATEGORIES[2]}</a>',
             f'<a href="/ar/latest">{CHROME["ar"]["latest"]}</a>']
    return '<nav class="main-nav">' + "".join(links) + "</nav>"


def page(lang: str, title: str, main: str, head: str = "") -> str:
    social = "".join(f'<a href="{u}" rel="noopener">{u.split("/")[2]}</a>' for u in SOCIAL)
    return (f'<!DOCTYPE html>\n<html lang="{lang}" dir="rtl">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n{head}</head>\n<body>\n"
            f'<header><a class="logo" href="/{lang}">Kurdistan24</a>\n{nav(lang)}\n</header>\n'
            f"<main>\n{main}\n</main>\n"
            f'<footer><div class="social">{social}</div>\n'
            f'<div class="copyright">{CHROME[lang]["copyright"]}</div></footer>\n</body>\n</html>\n')


def head_meta(v: dict[str, Any]) -> str:
    url = HOST + v["path"]
    mode, title, lead = v.get("meta", "none"), display(v["title"]), v.get("lead") or ""
    out = [f'<link rel="canonical" href="{attr(url)}">']
    if mode in ("both", "og"):
        props = [("og:type", "article"), ("og:title", title), ("og:description", lead),
                 ("og:image", IMG.format(id=v["id"])), ("og:url", url),
                 ("article:published_time", v["published"]), ("article:modified_time", v["modified"]),
                 ("article:section", v.get("section", ""))] + [("article:tag", t) for t in v["tags"]]
        out += [f'<meta property="{k}" content="{attr(val)}">' for k, val in props if val]
    if mode in ("both", "jsonld"):
        img = IMG.format(id=v["id"])  # the three shapes schema.org allows, varied across pages
        image = [img, {"@type": "ImageObject", "url": img, "caption": v["caption"]}, [img]][int(v["id"]) % 3]
        ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
              "description": lead or None, "datePublished": v["published"], "dateModified": v["modified"],
              "author": {"@type": "Person", "name": v.get("author", "كوردستان 24")},
              "image": image, "articleSection": v.get("section"),
              "keywords": ", ".join(v["tags"]), "inLanguage": v["edition"], "mainEntityOfPage": url,
              "publisher": {"@type": "Organization", "name": "Kurdistan24"}}
        body = json.dumps({k: x for k, x in ld.items() if x}, ensure_ascii=False, indent=1).replace("</", "<\\/")
        out.append(f'<script type="application/ld+json">\n{body}\n</script>')
    return "\n".join(out) + "\n"


def related(a: dict[str, Any], arts: dict[str, dict[str, Any]]) -> str:
    if a["edition"] != "ar":
        return ""
    pool = sorted(i for i, x in arts.items() if x["edition"] == "ar" and i not in NOT_RELATED)
    start = (pool.index(a["id"]) + 1) if a["id"] in pool else 0
    picks = [arts[pool[(start + k) % len(pool)]] for k in range(3)]
    items = "".join(card(HOST + p["path"], p["title"]) for p in picks)
    return f'<aside class="related"><h2>{CHROME["ar"]["related"]}</h2>{items}</aside>'


def article_page(a: dict[str, Any], arts: dict[str, dict[str, Any]], day: int) -> str:
    v = version(a, day)
    lang, h1 = v["edition"], ' itemprop="Title"' if v.get("h1_itemprop") else ""
    when = (f'<time datetime="{v["published"]}">{v["published"][:16].replace("-", "/").replace("T", " ")}</time>'
            if v.get("time_element") else f'<span class="time-ago">{v["time_ago"]}</span>')
    crumb = ""
    if v.get("breadcrumb"):
        crumb = (f'<nav class="breadcrumb"><a href="/{lang}">{CHROME[lang]["home"]}</a>'
                 f'<a href="/{lang}/category/9/{enc(v["section"])}">{v["section"]}</a></nav>\n')
    author = ""
    if v.get("author"):
        author = (f'<div class="author" itemprop="author" itemscope itemtype="https://schema.org/Person">'
                  f'<span itemprop="name">{esc(v["author"])}</span></div>')
    lead = f'<p class="lead">{esc(v["lead"])}</p>' if v.get("lead") else ""
    cap = v["caption"]
    paras = "\n".join(f"<p>{para_html(p)}</p>" for p in v["paragraphs"])
    tags = "".join(f'<a href="/{lang}/tag/{enc(t)}">{esc(t)}</a>' for t in v["tags"])
    main = (f'{crumb}<article class="story">\n'
            f'<div class="intro">{when}<h1{h1}>{esc(v["title"])}</h1>{lead}{author}</div>\n'
            f'<figure class="hero"><img src="{IMG.format(id=v["id"])}" alt="{attr(cap)}">'
            f"<figcaption>{esc(cap)}</figcaption></figure>\n"
            f'<div class="reader-content">\n{paras}\n</div>\n<div class="tags">{tags}</div>\n</article>\n'
            f"{related(a, arts)}")
    return page(lang, f"{display(v['title'])} | Kurdistan24", main, head_meta(v))


def challenge_page() -> str:
    return ('<!DOCTYPE html>\n<html lang="en-US"><head><title>Just a moment...</title>\n'
            '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">\n'
            '<meta name="robots" content="noindex,nofollow"></head>\n<body>\n'
            '<div class="main-wrapper" role="main"><div class="main-content">\n'
            '<h1 class="zone-name-title h1">www.kurdistan24.net</h1>\n'
            '<h2 class="h2" id="challenge-running">Checking if the site connection is secure</h2>\n'
            '<div id="challenge-stage"></div>\n'
            '<div id="challenge-body-text" class="core-msg spacer">www.kurdistan24.net needs to review the '
            'security of your connection before proceeding.</div>\n'
            '<script src="/cdn-cgi/challenge-platform/h/g/orchestrate/jsch/v1"></script>\n'
            '</div></div>\n</body></html>\n')


def broken_page(s: dict[str, Any]) -> str:
    main = ('<article class="story">\n<div class="intro"><span class="time-ago">منذ 20 دقيقة</span></div>\n'
            '<div class="reader-content">\n</div>\n</article>')
    return page("ar", "Kurdistan24", main, f'<link rel="canonical" href="{HOST}{s["path"]}">\n')


def listing_page(title: str, items: list[str], next_href: str | None) -> str:
    nxt = f'\n<div class="pagination"><a class="next" href="{attr(next_href)}">التالي</a></div>' if next_href else ""
    return page("ar", f"{title} | Kurdistan24", f'<section class="list"><h1>{esc(title)}</h1>\n'
                + "\n".join(items) + f"\n</section>{nxt}")


def home_page(arts: dict[str, dict[str, Any]], day: int) -> str:
    featured = ([(DAY2_NEW_FIRST, "abs")] if day == 2 else []) + FEATURED
    items = cards(featured, arts, day)
    items.append('<article class="card"><h3><a href="/ar/search?q=x">البحث في الأرشيف</a></h3></article>')
    items.append(f'<article class="card"><h3><a href="{DISALLOWED_LINKS[1]}">مسودة: الموازنة</a></h3></article>')
    return page("ar", "كوردستان 24 | Kurdistan24", '<section class="featured"><h2>أبرز الأخبار</h2>\n'
                + "\n".join(items) + "\n</section>")


def rss(arts: dict[str, dict[str, Any]], day: int) -> str:
    ids = ([DAY2_NEW_FIRST] if day == 2 else []) + RSS_ITEMS
    items = []
    for id_ in ids:
        a = arts[id_]
        if not exists_on(a, day):
            continue
        v, url = version(a, day), HOST + a["path"]
        items.append(f"<item><title>{esc(display(v['title']))}</title><link>{esc(url)}</link>"
                     f"<description>{esc(v.get('lead') or '')}</description>"
                     f"<pubDate>{rfc822(v['published'])}</pubDate>"
                     f'<guid isPermaLink="true">{esc(url)}</guid></item>')
    built = rfc822("2021-11-27T09:30:00+03:00" if day == 2 else "2021-11-26T18:00:00+03:00")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
            f"<title>كوردستان 24</title><link>{HOST}/ar</link><description>آخر أخبار كوردستان 24</description>"
            f"<language>ar</language><lastBuildDate>{built}</lastBuildDate>\n"
            + "\n".join(items) + "\n</channel>\n</rss>\n")


# --- the site -----------------------------------------------------------------------------------
def pages_for(arts: dict[str, dict[str, Any]], day: int) -> dict[str, tuple[str, str]]:
    """URL (percent-encoded path + page query) -> (file relative to the day dir, content)."""
    out: dict[str, tuple[str, str]] = {
        "/robots.txt": ("robots.txt", ROBOTS),
        "/ar": ("ar/index.html", home_page(arts, day)),
        "/ar/rss.xml": ("ar/rss.xml", rss(arts, day)),
    }
    for n, items in LATEST.items():
        full = ([(DAY2_NEW_FIRST, "abs")] if day == 2 and n == 1 else []) + items
        nxt = f"/ar/latest?page={n + 1}" if n + 1 in LATEST else None
        url, file = ("/ar/latest", "ar/latest.html") if n == 1 else (f"/ar/latest?page={n}", f"ar/latest.page-{n}.html")
        out[url] = (file, listing_page(CHROME["ar"]["latest"], cards(full, arts, day), nxt))
    for (cat, n), items in CATEGORY_PAGES.items():
        base, url = f"ar/list/category/{cat}/{CATEGORIES[cat]}", category_path(cat)
        nxt = f"{url}?page={n + 1}" if (cat, n + 1) in CATEGORY_PAGES else None
        url, file = (url, f"{base}.html") if n == 1 else (f"{url}?page={n}", f"{base}.page-{n}.html")
        out[url] = (file, listing_page(CATEGORIES[cat], cards(items, arts, day), nxt))
    # The Sorani edition's own entry points (its feed is missing, as reported of the real site).
    sorani = cards([(a["id"], "abs") for a in arts.values() if a["edition"] == "ckb"], arts, day)
    out["/ckb"] = ("ckb/index.html", page("ckb", "کوردستان 24 | Kurdistan24",
                                          '<section class="featured">\n' + "\n".join(sorani) + "\n</section>"))
    out["/ckb/latest"] = ("ckb/latest.html", page("ckb", f"{CHROME['ckb']['latest']} | Kurdistan24",
                                                  '<section class="list">\n' + "\n".join(sorani) + "\n</section>"))
    for a in arts.values():
        if exists_on(a, day):
            out[a["path"]] = (f"{a['edition']}/story/{a['id']}/index.html", article_page(a, arts, day))
    for s in SPECIAL:
        if s["kind"] == "challenge":
            out[s["path"]] = (f"ar/story/{s['id']}/index.html", challenge_page())
        elif s["kind"] == "broken":
            out[s["path"]] = (f"ar/story/{s['id']}/index.html", broken_page(s))
    return out


def article_facts(a: dict[str, Any], day: int) -> dict[str, Any]:
    v = version(a, day)
    kept = [html_text(p) for p in v["paragraphs"] if isinstance(p, str)]
    dropped = [{"text": html_text(p["html"]), "reason": p["drop"]} for p in v["paragraphs"] if isinstance(p, dict)]
    m = re.match(r"^(.+?) \((.+?)\)- ", kept[0])
    declared = v.get("meta", "none") != "none" or v.get("time_element")
    return {"title": display(v["title"]), "lead": v.get("lead"), "caption": v["caption"],
            "body_paragraphs": len(kept), "dropped": dropped,
            "dateline": {"place": m.group(1), "agency": m.group(2)} if m else None,
            "published": v["published"] if declared else None,
            "modified": v.get("modified") if v.get("meta", "none") != "none" else None}


def manifest(arts: dict[str, dict[str, Any]], day_pages: dict[int, dict[str, tuple[str, str]]],
             overlay: list[str], deleted: list[str]) -> dict[str, Any]:
    articles = []
    for a in arts.values():
        status = a.get("day2", {}).get("status", "unchanged")
        entry = {"path": a["path"], "url": HOST + a["path"], "file": f"{a['edition']}/story/{a['id']}/index.html",
                 "id": a["id"], "edition": a["edition"], "key": f"{SITE_NAME}:{a['edition']}:{a['id']}",
                 **article_facts(a, 2 if status == "new" else 1),
                 "relative_label": a.get("time_ago"), "metadata": a.get("meta", "none"),
                 "quirks": a.get("quirks", []), "day1": status != "new", "day2": status}
        if status == "edited":
            d2 = article_facts(a, 2)
            entry.update(day2_title=d2["title"], day2_body_paragraphs=d2["body_paragraphs"],
                         day2_modified=d2["modified"])
        articles.append(entry)
    specials = [{"path": s["path"], "url": HOST + s["path"], "key": f"{SITE_NAME}:ar:{s['id']}",
                 "file": None if s["kind"] == "missing" else f"ar/story/{s['id']}/index.html",
                 "kind": s["kind"], "status": s["status"], "outcome": s["outcome"], "reason": s["reason"]}
                for s in SPECIAL]
    variants = []
    for items in list(LATEST.values()) + list(CATEGORY_PAGES.values()):
        for id_, variant in items:
            if variant not in ("abs", "rel", "") and id_ in arts:
                variants.append({"href": href(arts[id_], variant), "variant": variant,
                                 "key": f"{SITE_NAME}:{arts[id_]['edition']}:{id_}"})
    pages = [{"url": url, "file": file, "days": [d for d in (1, 2) if url in day_pages[d]]}
             for url, (file, _) in sorted({**day_pages[1], **day_pages[2]}.items())
             if "/story/" not in url]
    by_status: dict[str, list[str]] = {}
    for e in articles:
        by_status.setdefault(e["day2"], []).append(e["key"])

    def totals(day: int) -> dict[str, int]:
        present = [e for e in articles if (e["day1"] if day == 1 else e["day2"] != "deleted")]
        counts = {"articles": len(present)}
        for e in present:
            counts[e["edition"]] = counts.get(e["edition"], 0) + 1
        return counts

    return {
        "site": SITE_NAME, "host": HOST,
        "naming": "see crawler/demo/build_site.py docstring",
        "entry_points": {"home": "/ar", "latest": "/ar/latest", "feed": "/ar/rss.xml",
                         "categories": [category_path(c) for c in CATEGORIES]},
        "articles": articles,
        "special": specials,
        "robots": {"disallow": ["/ar/search", "/private/"], "linked": DISALLOWED_LINKS},
        "offsite_links": [OFFSITE],
        "url_variants": variants,
        "day2_changes": {k: by_status.get(k, []) for k in ("edited", "noise_only", "new", "deleted")},
        "day2_overlay": overlay, "day2_deleted_paths": deleted,
        "totals": {"day1": totals(1), "day2": totals(2)},
        "pages": pages,
    }


def build(site: Path = SITE) -> dict[str, Any]:
    arts = load_articles()
    day_pages = {d: pages_for(arts, d) for d in (1, 2)}
    if site.exists():
        shutil.rmtree(site)
    for file, content in day_pages[1].values():
        (site / "day1" / file).parent.mkdir(parents=True, exist_ok=True)
        (site / "day1" / file).write_text(content, encoding="utf-8")
    day1_files = {f: c for f, c in day_pages[1].values()}
    overlay = sorted(f for f, c in day_pages[2].values() if day1_files.get(f) != c)
    deleted = sorted(a["path"] for a in arts.values() if a.get("day2", {}).get("status") == "deleted")
    for file, content in day_pages[2].values():
        if file in overlay:
            (site / "day2" / file).parent.mkdir(parents=True, exist_ok=True)
            (site / "day2" / file).write_text(content, encoding="utf-8")
    (site / "day2" / "_deleted.txt").write_text("".join(p + "\n" for p in deleted), encoding="utf-8")
    data = manifest(arts, day_pages, overlay, deleted)
    (site / "manifest.json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import-reference", type=Path, metavar="PATH",
                        help="copy the reference article's text into articles.json first")
    args = parser.parse_args()
    if args.import_reference:
        import_reference(args.import_reference)
    data = build()
    print(f"wrote {SITE}: day1 {data['totals']['day1']}, day2 {data['totals']['day2']}, "
          f"overlay {len(data['day2_overlay'])} files")


if __name__ == "__main__":
    main()
