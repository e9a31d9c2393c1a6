"""Dates as published: month names (Arabic, Sorani, Kurmanji, ...), ص/م, digits, offsets kept, a sane window."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from crawler.extract import extract_article
from crawler.extract.dates import parse_absolute, resolve_relative

FETCHED = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)  # 15:00 in Erbil
TZ = "+03:00"
FORMATS = ["%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y/%m/%d", "%d/%m/%Y"]


def parse(text: str, notes: list[str] | None = None) -> str | None:
    return parse_absolute(text, FORMATS, TZ, fetched_at=FETCHED, notes=notes)


@pytest.mark.parametrize("text, expected", [
    # MSA / Egyptian month names, weekday prefix, ص/م 12-hour marks
    ("الأربعاء، 07 أكتوبر 2020 - 12:09 م", "2020-10-07T12:09:00+03:00"),
    ("07 أكتوبر 2020 - 01:00 م", "2020-10-07T13:00:00+03:00"),
    ("07 أكتوبر 2020 - 12:30 ص", "2020-10-07T00:30:00+03:00"),
    ("07 اكتوبر 2020 - 11:45 ص", "2020-10-07T11:45:00+03:00"),
    ("الخميس 3 ديسمبر 2020 09:05 مساءً", "2020-12-03T21:05:00+03:00"),
    ("1 يونيه 2019", "2019-06-01T00:00:00+03:00"),
    # Levantine / Iraqi, with Eastern Arabic and Persian digits
    ("٧ تشرين الأول ٢٠٢٠ ١٠:١٥ ص", "2020-10-07T10:15:00+03:00"),
    ("15 كانون الثاني 2021", "2021-01-15T00:00:00+03:00"),
    ("۲۰ کانون الأول ۲۰۲۲ - ۰۸:۳۰", "2022-12-20T08:30:00+03:00"),
    ("السبت 5 آذار/مارس 2022", "2022-03-05T00:00:00+03:00"),
    ("9 أيار 2017", "2017-05-09T00:00:00+03:00"),
    # Maghreb (Algeria/Tunisia, Morocco)
    ("3 جانفي 2022 على الساعة 14:05", "2022-01-03T14:05:00+03:00"),
    ("3 فيفري 2022", "2022-02-03T00:00:00+03:00"),
    ("12 أوت 2019", "2019-08-12T00:00:00+03:00"),
    ("5 يوليوز 2018", "2018-07-05T00:00:00+03:00"),
    ("1 دجنبر 2018", "2018-12-01T00:00:00+03:00"),
    # Sorani (ezafe endings, Kurdish letters, Eastern digits)
    ("٧ی تشرینی یەکەمی ٢٠٢٠ - ١٢:٠٩ م", "2020-10-07T12:09:00+03:00"),
    ("۷ی کانوونی دووەمی ۲۰۲۴", "2024-01-07T00:00:00+03:00"),
    ("پێنجشەممە ١٤ی شوباتی ٢٠٢٤", "2024-02-14T00:00:00+03:00"),
    ("12 ڕێبەندان 2023", "2023-01-12T00:00:00+03:00"),
    # Kurmanji (both month sets, ezafe endings, with and without diacritics)
    ("7ê Cotmehê 2020, 14:30", "2020-10-07T14:30:00+03:00"),
    ("12 Çile 2021", "2021-01-12T00:00:00+03:00"),
    ("3 Hezîran 2019", "2019-06-03T00:00:00+03:00"),
    ("3 Heziran 2019", "2019-06-03T00:00:00+03:00"),
    ("1ê Sibatê 2022", "2022-02-01T00:00:00+03:00"),
    ("5 Îlon 2020", "2020-09-05T00:00:00+03:00"),
    ("20 Kanûn 2020", "2020-12-20T00:00:00+03:00"),
    ("Rêbendan 4, 2023", "2023-01-04T00:00:00+03:00"),
    # English, RFC 2822 (its zone kept)
    ("October 7, 2020 3:05 pm", "2020-10-07T15:05:00+03:00"),
    ("Wed, 07 Oct 2020 12:09:00 GMT", "2020-10-07T12:09:00+00:00"),
    # Sorani before/after noon, Persian ق.ظ/ب.ظ
    ("١٢ی ئازاری ٢٠٢٣ - ١٠:٢٠ پ.ن", "2023-03-12T10:20:00+03:00"),
    ("١٢ی ئازاری ٢٠٢٣ - ٠٢:٢٠ د.ن", "2023-03-12T14:20:00+03:00"),
    ("۱۴ مارس ۲۰۲۳ ۰۳:۱۵ ب.ظ", "2023-03-14T15:15:00+03:00"),
    # A 24-hour time with a redundant mark
    ("14:30 م 2020/01/01", "2020-01-01T14:30:00+03:00"),
])
def test_month_names(text: str, expected: str) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("text", ["31 شباط 2020", "7 آبان 1399", "12:09 مدينة أربيل", "أكتوبر", "07 أكتوبر",
                                  "المادة 7 من دستور 2005"])
def test_not_a_gregorian_date(text: str) -> None:
    assert parse(text) is None


@pytest.mark.parametrize("text, expected", [
    ("2020-10-07T12:09:00+05:30", "2020-10-07T12:09:00+05:30"),
    ("2020-10-07T09:09:00Z", "2020-10-07T09:09:00+00:00"),
    ("2020-10-07 12:09 +0200", "2020-10-07T12:09:00+02:00"),
    ("2020-10-07T12:09:00", "2020-10-07T12:09:00+03:00"),  # naive: the site's zone
])
def test_the_page_offset_is_kept(text: str, expected: str) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("text, note", [
    ("9999-12-31T23:59:59Z", "date '9999-12-31T23:59:59Z' outside 1900 to a day after the fetch: dropped"),
    ("0001-01-01T00:00:00+03:00", "date '0001-01-01T00:00:00+03:00' outside 1900 to a day after the fetch: dropped"),
    ("0001-01-01T00:00:00-05:00", "date '0001-01-01T00:00:00-05:00' outside 1900 to a day after the fetch: dropped"),
    ("1899-12-31", "date '1899-12-31' outside 1900 to a day after the fetch: dropped"),
    ("2026-11-24T12:01:00Z", "date '2026-11-24T12:01:00Z' outside 1900 to a day after the fetch: dropped"),
    ("-0001-01-01", None),
    ("99999-01-01", None),
    ("12 أكتوبر 99999", None),
])
def test_dates_outside_the_window_are_dropped_with_a_note(text: str, note: str | None) -> None:
    notes: list[str] = []
    assert parse(text, notes) is None
    assert notes == ([note] if note else [])


def test_the_window_edges() -> None:
    assert parse("1900-01-01T00:00:00+03:00") == "1900-01-01T00:00:00+03:00"
    assert parse("2026-11-24T11:59:00Z") == "2026-11-24T11:59:00+00:00"  # a day ahead of the fetch, less a minute


@pytest.mark.parametrize("label, expected", [
    ("اليوم 14:30", "2026-11-23T14:30:00+03:00"),
    ("أمس 10:00 م", "2026-11-22T22:00:00+03:00"),
    ("ئەمڕۆ ١٠:٣٠", "2026-11-23T10:30:00+03:00"),
    ("yesterday 08:15", "2026-11-22T08:15:00+03:00"),
    ("أمس", None),
])
def test_today_and_yesterday(label: str, expected: str | None) -> None:
    assert resolve_relative(label, FETCHED, tz=TZ) == expected


def test_relative_labels_before_1900_do_not_raise() -> None:
    notes: list[str] = []
    assert resolve_relative("منذ 3000 سنة", FETCHED, tz=TZ, notes=notes) is None
    assert notes == ["date 'منذ 3000 سنة' outside 1900 to a day after the fetch: dropped"]
    assert resolve_relative("منذ 100000 ساعة", FETCHED, tz=TZ) == "2015-06-27T23:00:00+03:00"


# --- through extract_article: never raises, the article keeps its other fields, the note is kept -----------
def _page(head: str, body: str) -> bytes:
    article = "<div class='story-text'>" + "<p>" + "نص الخبر " * 12 + "</p>" * 1 + "</div>"
    return f"<html><head><meta charset='utf-8'>{head}</head><body><h1>عنوان</h1>{body}{article}</body></html>".encode()


def extract(body: bytes) -> dict:
    return extract_article(body, url="https://www.kurdistan24.net/ar/story/1", content_type=None, selectors={},
                           tz=TZ, fetched_at=FETCHED)


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00+03:00"])
def test_an_impossible_declared_date_is_dropped_and_the_next_layer_used(value: str) -> None:
    head = (f'<script type="application/ld+json">{{"@type":"NewsArticle","datePublished":"{value}"}}</script>'
            '<meta property="article:published_time" content="2020-10-07T12:09:00+03:00">')
    result = extract(_page(head, ""))
    assert (result["published_at"], result["sources"]["published_at"]) == ("2020-10-07T12:09:00+03:00", "meta")
    assert result["dropped"] == [{"text": value,
                                  "reason": f"published_at: date '{value}' outside 1900 to a day after the fetch: dropped"}]


def test_a_relative_label_of_3000_years_is_dropped() -> None:
    result = extract(_page("", "<span class='post-date'>منذ 3000 سنة</span>"))
    assert result["published_at"] is None and result["title"] == "عنوان"
    assert result["dropped"] == [{"text": "منذ 3000 سنة", "reason": "published_at: date 'منذ 3000 سنة' outside "
                                                                   "1900 to a day after the fetch: dropped"}]


def test_visible_arabic_month_date_by_class() -> None:
    result = extract(_page("", "<div class='meta-line'><span class='pub-date'>الأربعاء، 07 أكتوبر 2020 - 12:09 م"
                               "</span><span class='last-update'>آخر تحديث: 08 أكتوبر 2020 - 01:00 م</span></div>"))
    assert (result["published_at"], result["modified_at"]) == ("2020-10-07T12:09:00+03:00", "2020-10-08T13:00:00+03:00")
    assert result["sources"]["published_at"] == result["sources"]["modified_at"] == "generic"


def test_deep_jsonld_and_deep_nesting_do_not_raise() -> None:
    deep_json = "[" * 100_000 + "]" * 100_000
    deep_graph = '{"@graph":' * 5_000 + '{"@type":"NewsArticle","headline":"عميق"}' + "}" * 5_000
    head = (f'<script type="application/ld+json">{deep_json}</script>'
            f'<script type="application/ld+json">{deep_graph}</script>')
    nested = "<div>" * 5_000 + "<span>" * 5_000 + "نص" + "</span>" * 5_000 + "</div>" * 5_000
    page = _page(head, "").replace(b"</body>", nested.encode() + b"</body>")
    result = extract(page)
    assert result["title"] == "عنوان"  # the deep JSON-LD gave nothing, the page's h1 stands
    assert result["body"] == ["نص الخبر " * 11 + "نص الخبر"]
