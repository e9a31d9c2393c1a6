"""A small news site nobody profiled (WordPress-like): dated and numeric article URLs, a sitemap named in
robots.txt, an RSS feed linked from the home page, category listings with rel=next pagination."""

from __future__ import annotations

import json

from tests.server import Route

HTML = {"Content-Type": "text/html; charset=utf-8"}
XML = {"Content-Type": "application/xml"}

# path -> (title, paragraphs, published, how the page says it is an article)
ARTICLES: dict[str, tuple[str, list[str], str, str]] = {
    "/2024/05/12/parliament-approves-new-budget-law/": (
        "البرلمان يقر قانون الموازنة الجديد",
        ["أقر البرلمان اليوم قانون الموازنة العامة للسنة المالية الجديدة بعد جلسة طويلة.",
         "وقال رئيس اللجنة المالية إن الموازنة تتضمن زيادة في مخصصات التعليم والصحة."],
        "2024-05-12T10:30:00+03:00", "jsonld"),
    "/2024/05/13/floods-hit-northern-villages/": (
        "فيضانات تضرب قرى في الشمال",
        ["ضربت فيضانات قوية عدة قرى في المناطق الشمالية بعد أمطار غزيرة استمرت يومين.",
         "وأعلنت فرق الدفاع المدني إجلاء عشرات العائلات إلى مناطق آمنة."],
        "2024-05-13T08:00:00+03:00", "og"),
    "/news/84213/market-prices-rise": (
        "ارتفاع أسعار المواد الغذائية في الأسواق",
        ["شهدت الأسواق المحلية ارتفاعا ملحوظا في أسعار المواد الغذائية الأساسية خلال الأسبوع الجاري. " * 3,
         "وعزا تجار هذا الارتفاع إلى زيادة تكاليف النقل والاستيراد من دول الجوار. " * 3,
         "ودعت جمعيات حماية المستهلك الحكومة إلى التدخل لضبط الأسعار ومراقبة الأسواق. " * 3],
        "2024-05-14T12:00:00+03:00", "density"),
    "/2024/05/10/minister-visits-erbil-for-talks/": (
        "الوزير يزور أربيل لإجراء محادثات",
        ["وصل وزير الخارجية إلى أربيل اليوم في زيارة رسمية تستمر يومين.",
         "ومن المقرر أن يلتقي الوزير بعدد من المسؤولين لبحث العلاقات الثنائية."],
        "2024-05-10T09:15:00+03:00", "jsonld"),
    "/2024/05/01/old-story-from-page-two/": (
        "قصة قديمة من الصفحة الثانية",
        ["هذه قصة نشرت في بداية الشهر وتظهر في الصفحة الثانية من القسم.",
         "ولا يصل إليها الزاحف إلا باتباع رابط الصفحة التالية."],
        "2024-05-01T07:00:00+03:00", "og"),
}
# Listed only in the sitemap, under a URL of no article shape: sitemap entries are trusted candidates.
SITEMAP_ONLY = "/story/abc-xyz"
ARTICLES[SITEMAP_ONLY] = ("خبر لا يوجد إلا في خريطة الموقع",
                          ["هذا الخبر مذكور في خريطة الموقع فقط وعنوانه لا يشبه عنوان مقال.",
                           "ويتعرف عليه الزاحف من بيانات الصفحة نفسها."], "2024-05-09T10:00:00+03:00", "jsonld")
# Article-shaped URL that is an index page: read as a listing, never archived.
INDEX = "/2024/05/12/todays-headlines-roundup-index/"
ONLY_ON_INDEX = "/2024/05/11/story-linked-only-from-an-index/"
ARTICLES[ONLY_ON_INDEX] = ("قصة مرتبطة من صفحة الفهرس فقط",
                           ["هذه القصة لا يوجد رابط إليها إلا من صفحة فهرس تشبه عنوانها عنوان مقال.",
                            "ويجب أن يجدها الزاحف رغم ذلك."], "2024-05-11T11:00:00+03:00", "jsonld")


def article(path: str) -> bytes:
    title, paras, published, signal = ARTICLES[path]
    head = f"<title>{title} | أخبار</title>"
    if signal == "jsonld":
        ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title, "datePublished": published}
        head += f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
    elif signal == "og":
        head += f'<meta property="og:type" content="article"><meta property="article:published_time" content="{published}">'
    else:
        head += f'<meta name="date" content="{published}">'
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f"<html lang='ar' dir='rtl'><head><meta charset='utf-8'>{head}</head><body>"
            f"<header><nav><a href='/'>الرئيسية</a> <a href='/category/politics/'>سياسة</a> "
            f"<a href='/about-us/'>من نحن</a></nav></header>"
            f"<main><article><h1>{title}</h1><time datetime='{published}'>{published[:10]}</time>"
            f"<div class='entry-content'>{body}</div></article></main>"
            f"<aside><a href='/2024/05/12/parliament-approves-new-budget-law/'>الأكثر قراءة</a></aside>"
            f"<footer><a href='/privacy-policy/'>الخصوصية</a></footer></body></html>").encode()


def links(*paths: str, extra: str = "") -> bytes:
    cards = "".join(f"<div class='card'><a href='{p}'>{ARTICLES.get(p, ('x',))[0]}</a></div>" for p in paths)
    return (f"<html><head><meta charset='utf-8'>{extra}</head><body><header><nav><a href='/category/politics/'>سياسة"
            f"</a> <a href='/category/economy/'>اقتصاد</a> <a href='/about-us/'>من نحن</a></nav></header>"
            f"<main>{cards}</main></body></html>").encode()


def routes(base_url: str) -> dict[str, Route]:
    sitemap = ("<?xml version='1.0' encoding='UTF-8'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
               f"<url><loc>{base_url}/news/84213/market-prices-rise</loc></url>"
               f"<url><loc>{base_url}{SITEMAP_ONLY}</loc></url></urlset>").encode()
    feed = ("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>x</title><item><title>f</title>"
            f"<link>{base_url}/2024/05/13/floods-hit-northern-villages/?utm_source=rss</link></item>"
            "</channel></rss>").encode()
    found = {
        "/robots.txt": Route(f"User-agent: *\nDisallow: /wp-admin/\nSitemap: {base_url}/sitemap.xml\n".encode(), 200,
                             {"Content-Type": "text/plain"}),
        "/sitemap.xml": Route(sitemap, headers=XML),
        "/feed/": Route(feed, headers={"Content-Type": "application/rss+xml"}),
        "/": Route(links("/2024/05/12/parliament-approves-new-budget-law/", INDEX,
                         extra="<link rel='alternate' type='application/rss+xml' href='/feed/'>")),
        "/category/politics/": Route(links("/2024/05/10/minister-visits-erbil-for-talks/",
                                           extra="<link rel='next' href='/category/politics/page/2/'>")),
        "/category/politics/page/2/": Route(links("/2024/05/01/old-story-from-page-two/")),
        "/category/economy/": Route(links("/news/84213/market-prices-rise")),
        "/about-us/": Route(b"<html><body><h1>about</h1><p>short</p></body></html>"),
        INDEX: Route(links(ONLY_ON_INDEX, "/2024/05/10/minister-visits-erbil-for-talks/")),
    }
    found.update({path: Route(article(path)) for path in ARTICLES})
    return found
