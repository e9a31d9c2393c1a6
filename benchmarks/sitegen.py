"""A deterministic Kurdistan24-shaped site of N articles (60-120 KB pages), generated on the fly from each number."""

from __future__ import annotations

import html
import json
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import lru_cache
from urllib.parse import quote

from benchmarks.vocab import AUTHORS, CUM_WEIGHTS, EDITIONS, NAV, PLACES, SECTIONS, TAGS, WORDS

HOST = "https://www.kurdistan24.net"
FIRST_ID = 300001
PER_PAGE = 50            # articles per /ar/latest?page=N
RSS_ITEMS = 50
SITEMAP_CHUNK = 500      # <url> entries per child sitemap of /sitemap.xml (a sitemap index)
EDIT_FRACTION = 0.02
EPOCH = datetime(2023, 1, 1, 6, 0, tzinfo=UTC)
MIN_PAGE, MAX_PAGE = 60_000, 120_000

# Site-wide furniture, the same bytes on every page: what a CMS theme ships inline.
_CSS = "\n".join(
    f".c{n}{{margin:{n % 7}px {n % 5}px;padding:{n % 3}px;color:#{(n * 2654435761) % 0xFFFFFF:06x};"
    f"font:{12 + n % 6}px/1.{n % 9} 'Noto Kufi Arabic',Tahoma,sans-serif;border-radius:{n % 4}px}}"
    for n in range(140)
)
_GTM = ("(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});"
        "var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;"
        "j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);"
        "})(window,document,'script','dataLayer','GTM-K24BNCH');")
_AD = ('<div class="ad-slot"><script>window.googletag=window.googletag||{cmd:[]};googletag.cmd.push(function(){'
       'googletag.defineSlot("/21804848/k24_ar_in_article",[[300,250],[336,280]],"ad-%d").addService('
       'googletag.pubads());googletag.enableServices();googletag.display("ad-%d");});</script></div>')


def _rng(seed: int, *parts: int) -> random.Random:
    value = seed
    for part in parts:
        value = value * 1_000_003 + part
    return random.Random(value)


def _words(rng: random.Random, k: int) -> list[str]:
    return rng.choices(WORDS, cum_weights=CUM_WEIGHTS, k=k)


def _sentence(rng: random.Random) -> str:
    words = _words(rng, rng.randint(8, 22))
    if rng.random() < 0.3:
        words.insert(rng.randint(1, len(words) - 1), "،")
    return " ".join(words).replace(" ،", "،") + "."


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


class Site:
    """Article `i` (0 <= i < n) has id FIRST_ID + i; `state` 1 applies the edits to `edited` articles."""

    def __init__(self, n: int, seed: int = 24, edit_fraction: float = EDIT_FRACTION, per_page: int = PER_PAGE,
                 sitemap_in_robots: bool = False) -> None:
        if n < 1:
            raise ValueError("n must be at least 1")
        self.n = n
        self.seed = seed
        k = max(1, round(n * edit_fraction)) if edit_fraction > 0 else 0
        self.edited: frozenset[int] = frozenset(random.Random(seed).sample(range(n), k))
        self.state = 0
        self.per_page = per_page
        self.pages = (n + per_page - 1) // per_page
        self.sitemap_in_robots = sitemap_in_robots
        # Cached per instance: a page is rendered once however often it is fetched.
        self.article = lru_cache(maxsize=4096)(self._article)  # type: ignore[method-assign]
        # Titles, slugs and page-state items recur on many pages (cards, listings): computed once each.
        self.title = lru_cache(maxsize=None)(self._title)  # type: ignore[method-assign]
        self.slug = lru_cache(maxsize=None)(self._slug)  # type: ignore[method-assign]
        self._item = lru_cache(maxsize=None)(self._state_item)

    # --- identity and validators ------------------------------------------------------------------
    def index_of(self, article_id: int) -> int | None:
        i = article_id - FIRST_ID
        return i if 0 <= i < self.n else None

    def revision(self, i: int) -> int:
        return 1 if self.state == 1 and i in self.edited else 0

    def published(self, i: int) -> datetime:
        return EPOCH + timedelta(minutes=7 * i)

    def modified(self, i: int) -> datetime:
        return self.published(i) + (timedelta(days=1, hours=2) if self.revision(i) else timedelta(minutes=25))

    def etag(self, i: int) -> str:
        return f'"k24b-{self.seed}-{FIRST_ID + i}-r{self.revision(i)}"'

    def last_modified(self, i: int) -> str:
        return http_date(self.modified(i))

    def edited_keys(self) -> list[str]:
        return sorted(f"kurdistan24:ar:{FIRST_ID + i}" for i in self.edited)

    # --- text ---------------------------------------------------------------------------------------
    def _title(self, i: int) -> str:
        return " ".join(_words(_rng(self.seed, i, 1), _rng(self.seed, i, 2).randint(6, 12)))

    def _slug(self, i: int) -> str:
        return quote("-".join(self.title(i).split()[:7]), safe="-")

    def _state_item(self, j: int) -> str:
        k = j % self.n
        return json.dumps({"id": FIRST_ID + k, "title": self.title(k), "section": SECTIONS[j % 8],
                           "image": f"https://static.kurdistan24.net/2023/thumbs/{FIRST_ID + k}.jpg",
                           "views": (j * 7919) % 100_000}, ensure_ascii=False)

    def path(self, i: int) -> str:
        return f"/ar/story/{FIRST_ID + i}/{self.slug(i)}"

    def paragraphs(self, i: int) -> list[str]:
        rng = _rng(self.seed, i, 3)
        paras = [" ".join(_sentence(rng) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(8, 22))]
        paras[0] = f"{rng.choice(PLACES)} (كوردستان 24)- {paras[0]}"
        if self.revision(i):
            k = _rng(self.seed, i, 4).randrange(1, len(paras))
            paras[k] = paras[k] + " " + _sentence(_rng(self.seed, i, 5))
            paras.append(_sentence(_rng(self.seed, i, 6)) + " " + _sentence(_rng(self.seed, i, 7)))
        return paras

    # --- pages --------------------------------------------------------------------------------------
    def _card(self, j: int, with_time: bool = True) -> str:
        j %= self.n
        t = self.published(j).strftime("%Y/%m/%d %H:%M")
        when = f'<span class="card-date">{t}</span>' if with_time else ""
        return (f'<article class="card"><a class="thumb" href="{HOST}{self.path(j)}"><img loading="lazy" '
                f'src="https://static.kurdistan24.net/2023/thumbs/{FIRST_ID + j}.jpg" alt=""></a>'
                f'<h3><a href="{HOST}{self.path(j)}">{esc(self.title(j))}</a></h3>{when}</article>')

    def _page(self, title: str, main: str, head: str, target: int, i: int) -> bytes:
        nav = "".join(f'<li><a href="/ar/section/{n + 1}">{esc(name)}</a></li>' for n, name in enumerate(NAV))
        editions = "".join(f'<a hreflang="{c}" href="/{c}">{name}</a>' for c, name in EDITIONS)
        ticker = "".join(f'<li>{self._card(i - 40 - k, with_time=False)}</li>' for k in range(8))
        footer = "".join(f'<li><a href="/ar/page/{n}">{esc(name)}</a></li>' for n, name in enumerate(NAV * 2))
        top = (f'<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head>\n<meta charset="utf-8">\n'
               f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{esc(title)}</title>\n'
               f'<link rel="preconnect" href="https://static.kurdistan24.net">\n'
               f'<link rel="stylesheet" href="https://static.kurdistan24.net/assets/app.7f3a9.css">\n'
               f"{head}<style>{_CSS}</style>\n<script>{_GTM}</script>\n")
        body = (f'</head>\n<body class="rtl ar">\n<noscript><iframe src="https://www.googletagmanager.com/ns.html?'
                f'id=GTM-K24BNCH" height="0" width="0" style="display:none"></iframe></noscript>\n'
                f'<header class="site-header"><a class="logo" href="/ar"><img src="https://static.kurdistan24.net/'
                f'logo.svg" alt="Kurdistan24"></a><div class="editions">{editions}</div>\n'
                f'<nav class="main-nav"><ul>{nav}</ul></nav>\n<div class="breaking"><ul>{ticker}</ul></div>'
                f"</header>\n<main>\n{main}\n</main>\n"
                f'<footer class="site-footer"><ul class="links">{footer}</ul><div class="social">'
                f'<a href="https://www.facebook.com/Kurdistan24.net">Facebook</a>'
                f'<a href="https://twitter.com/K24Arabic">X</a></div>'
                f'<div class="copyright">© 2023 كوردستان 24. جميع الحقوق محفوظة.</div></footer>\n')
        # Next.js-style page state: the bulk of a modern news page, padded to this page's target size.
        items: list[str] = []
        size = len(top.encode()) + len(body.encode()) + 400
        j = i
        while size < target:
            j += 97
            items.append(self._item(j % (8 * self.n)))
            size += len(items[-1].encode()) + 1
        head_state = json.dumps({"page": "story", "id": FIRST_ID + i, "menu": NAV}, ensure_ascii=False)
        blob = (head_state[:-1] + ', "trending": [' + ",".join(items) + "]}").replace("</", "<\\/")
        tail = (f'<script id="__NEXT_DATA__" type="application/json">{blob}</script>\n'
                f'<script src="https://static.kurdistan24.net/assets/app.7f3a9.js" defer></script>\n'
                "</body>\n</html>\n")
        return (top + body + tail).encode("utf-8")

    def _article(self, i: int, revision: int) -> bytes:
        rng = _rng(self.seed, i, 8)
        title, paras = self.title(i), self.paragraphs(i)
        lead = " ".join(_words(rng, rng.randint(12, 25)))
        author, section = rng.choice(AUTHORS), rng.choice(SECTIONS)
        tags = rng.sample(TAGS, rng.randint(3, 6))
        published, modified = self.published(i).isoformat(), self.modified(i).isoformat()
        url, img = HOST + self.path(i), f"https://static.kurdistan24.net/2023/{FIRST_ID + i}.jpg"
        caption = " ".join(_words(rng, rng.randint(5, 10)))
        ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title, "description": lead,
              "datePublished": published, "dateModified": modified,
              "author": {"@type": "Person", "name": author}, "image": {"@type": "ImageObject", "url": img},
              "articleSection": section, "keywords": ", ".join(tags), "inLanguage": "ar",
              "mainEntityOfPage": url, "publisher": {"@type": "Organization", "name": "Kurdistan24",
                                                      "logo": {"@type": "ImageObject", "url": HOST + "/logo.png"}}}
        crumbs = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "الرئيسية", "item": HOST + "/ar"},
            {"@type": "ListItem", "position": 2, "name": section, "item": f"{HOST}/ar/category/{SECTIONS.index(section)}"}]}
        meta = [("og:type", "article"), ("og:title", title), ("og:description", lead), ("og:image", img),
                ("og:url", url), ("article:published_time", published), ("article:modified_time", modified),
                ("article:section", section)] + [("article:tag", t) for t in tags]
        head = (f'<link rel="canonical" href="{esc(url)}">\n'
                + "".join(f'<meta property="{k}" content="{esc(v)}">\n' for k, v in meta)
                + '<meta name="twitter:card" content="summary_large_image">\n'
                + f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>\n'
                + f'<script type="application/ld+json">{json.dumps(crumbs, ensure_ascii=False)}</script>\n')
        body_html = []
        for n, p in enumerate(paras):
            if n and n % 4 == 0:
                body_html.append(_AD % (n, n))
            if n == 2:
                p = f"<strong>{esc(p[:40])}</strong>{esc(p[40:])}"
            else:
                p = esc(p)
            body_html.append(f"<p>{p}</p>")
        body_html.append("<p>تابعونا على تويتر</p>")
        tag_links = "".join(f'<a href="/ar/tag/{quote(t)}">{esc(t)}</a>' for t in tags)
        related = "".join(self._card(i - 1 - k) for k in range(8))
        most_read = "".join(f"<li>{self._card(i // 100 * 100 + 13 * k, with_time=False)}</li>" for k in range(10))
        main = (f'<nav class="breadcrumb"><a href="/ar">الرئيسية</a><a href="/ar/category/'
                f'{SECTIONS.index(section) + 1}">{section}</a></nav>\n<article class="story">\n'
                f'<div class="intro"><time datetime="{published}">{self.published(i).strftime("%Y/%m/%d %H:%M")}'
                f'</time><h1 itemprop="Title">{esc(title)}</h1><p class="lead">{esc(lead)}</p>'
                f'<div class="author" itemprop="author" itemscope itemtype="https://schema.org/Person">'
                f'<span itemprop="name">{esc(author)}</span></div></div>\n'
                f'<figure class="hero"><img src="{img}" alt="{esc(caption)}"><figcaption>{esc(caption)}'
                f"</figcaption></figure>\n"
                f'<div class="share"><a href="https://www.facebook.com/sharer.php?u={quote(url)}">شارك</a></div>\n'
                f'<div class="reader-content">\n' + "\n".join(body_html) + "\n</div>\n"
                f'<div class="tags">{tag_links}</div>\n</article>\n'
                f'<aside class="related"><h2>أخبار ذات صلة</h2>{related}</aside>\n'
                f'<aside class="most-read"><h2>الأكثر قراءة</h2><ol>{most_read}</ol></aside>')
        target = _rng(self.seed, i, 9).randint(MIN_PAGE, MAX_PAGE)
        return self._page(f"{title} | Kurdistan24", main, head, target, i)

    def article_page(self, i: int) -> bytes:
        return self.article(i, self.revision(i))  # type: ignore[no-any-return]

    def latest(self, page: int) -> bytes | None:
        """`/ar/latest?page=N`: newest first, `per_page` cards; past the end: None (404)."""
        if not 1 <= page <= self.pages:
            return None
        first = self.n - 1 - (page - 1) * self.per_page
        cards = "\n".join(self._card(i) for i in range(first, max(first - self.per_page, -1), -1))
        nxt = f'<div class="pagination"><a class="next" href="/ar/latest?page={page + 1}">التالي</a></div>' \
            if page < self.pages else ""
        main = f'<section class="list"><h1>آخر الأخبار</h1>\n{cards}\n</section>{nxt}'
        return self._page("آخر الأخبار | Kurdistan24", main, "", 0, page)

    def home(self) -> bytes:
        cards = "\n".join(self._card(self.n - 1 - k) for k in range(min(12, self.n)))
        main = f'<section class="featured"><h2>أبرز الأخبار</h2>\n{cards}\n</section>'
        return self._page("كوردستان 24 | Kurdistan24", main, "", 0, self.n - 1)

    def rss(self) -> bytes:
        items = []
        for i in range(self.n - 1, max(self.n - 1 - RSS_ITEMS, -1), -1):
            url = HOST + self.path(i)
            items.append(f"<item><title>{esc(self.title(i))}</title><link>{esc(url)}</link>"
                         f"<pubDate>{http_date(self.published(i))}</pubDate>"
                         f'<guid isPermaLink="true">{esc(url)}</guid></item>')
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>كوردستان 24</title>'
                f"<link>{HOST}/ar</link><description>آخر الأخبار</description>{''.join(items)}</channel></rss>\n"
                ).encode("utf-8")

    def robots(self) -> bytes:
        sitemap = f"Sitemap: {HOST}/sitemap.xml\n" if self.sitemap_in_robots else ""
        return f"User-agent: *\nDisallow: /ar/search\n{sitemap}".encode()

    # --- sitemaps: an index of children of SITEMAP_CHUNK articles each, oldest first, with lastmod ----
    @property
    def sitemap_count(self) -> int:
        return (self.n + SITEMAP_CHUNK - 1) // SITEMAP_CHUNK

    def sitemap_index(self) -> bytes:
        children = []
        for k in range(self.sitemap_count):
            last = min(self.n, (k + 1) * SITEMAP_CHUNK) - 1
            lastmod = max(self.modified(i) for i in range(k * SITEMAP_CHUNK, last + 1))
            children.append(f"<sitemap><loc>{HOST}/sitemaps/ar-{k + 1}.xml</loc>"
                            f"<lastmod>{lastmod.isoformat()}</lastmod></sitemap>")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                f'sitemap/0.9">{"".join(children)}</sitemapindex>\n').encode()

    def sitemap(self, k: int) -> bytes | None:
        """`/sitemaps/ar-K.xml` (K from 1): a urlset; None past the last one."""
        if not 1 <= k <= self.sitemap_count:
            return None
        # Google News style: a publication date besides lastmod.
        urls = [f"<url><loc>{esc(HOST + self.path(i))}</loc><lastmod>{self.modified(i).isoformat()}</lastmod>"
                f"<news:news><news:publication_date>{self.published(i).isoformat()}</news:publication_date>"
                "</news:news></url>"
                for i in range((k - 1) * SITEMAP_CHUNK, min(self.n, k * SITEMAP_CHUNK))]
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
                'sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
                f'{"".join(urls)}</urlset>\n').encode()


def article_index(site: Site, path: str) -> int | None:
    """The article index for `/ar/story/ID[/slug]`, else None."""
    parts = path.split("/")
    if len(parts) >= 4 and parts[1] == "ar" and parts[2] == "story" and parts[3].isdigit():
        return site.index_of(int(parts[3]))
    return None


def sample_pages(n: int, seed: int = 24, count: int | None = None) -> list[bytes]:
    """`count` article pages spread evenly over a site of `n` (for the extraction benchmark)."""
    site = Site(n, seed)
    count = min(count or n, n)
    step = n / count
    return [site.article_page(int(k * step)) for k in range(count)]


__all__ = ["Site", "article_index", "sample_pages", "HOST", "FIRST_ID", "PER_PAGE"]
