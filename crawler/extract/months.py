"""Dates written with month names as news sites print them (Arabic, Sorani, Kurmanji, Persian, Turkish, English)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

# Arabic-script letters folded so that keheh/yeh/heh/alef spellings and Sorani forms meet one spelling.
FOLD = str.maketrans({"ك": "ک", "ي": "ی", "ى": "ی", "ە": "ه", "ة": "ه", "ۀ": "ه", "ھ": "ه", "أ": "ا",
                      "إ": "ا", "آ": "ا", "ٱ": "ا", "ڕ": "ر", "ڵ": "ل", "ۆ": "و", "ێ": "ی", "ئ": ""})

# Gregorian months only. Sources: the month names in use on Arabic news sites (MSA/Egyptian, Levantine
# and Iraqi, Maghreb: Algeria/Tunisia and Morocco), the Sorani and Kurmanji calendars of Kurdish media
# in Iraq, Syria and Turkey (Kurmanji has two sets: Çile.. and Rêbendan..; Badini, Kurmanji in Arabic
# script: تشرینا دووێ..), Persian and Turkish.
_NAMES: dict[int, str] = {
    1: "يناير|كانون الثاني|جانفي|کانوونی دووەم|کانونی دووەم|ڕێبەندان|ژانویە|ژانویه|جەنیوەری|"
       "کانوونا دووێ|کانونا دووێ|january|jan|çile|kanûna paşîn|rêbendan|ocak",
    2: "فبراير|شباط|فيفري|شوبات|ڕەشەمە|فێبریوەری|فوریه|february|feb|sibat|şibat|reşemî|şubat",
    3: "مارس|آذار|ئازار|ئادار|adar|march|mar|mart",
    4: "أبريل|ابريل|إبريل|نيسان|أفريل|افريل|نیسان|ئەپریل|آوریل|april|apr|nîsan|avrêl|nisan",
    5: "مايو|أيار|ايار|ماي|ئایار|مەی|مه|گولان|may|gulan|mayıs",
    6: "يونيو|يونيه|حزيران|جوان|حوزەیران|جوون|ژوئن|june|jun|hezîran|pûşper|haziran",
    7: "يوليو|يوليه|تموز|جويلية|يوليوز|تەمموز|تەممووز|جولای|ژوئیه|تیرمەه|july|jul|tîrmeh|temmuz",
    8: "أغسطس|اغسطس|آب|أوت|اوت|غشت|ئاب|ئۆگەست|اوت|تەباخ|august|aug|tebax|gelawêj|ağustos",
    9: "سبتمبر|أيلول|ايلول|شتنبر|ئەیلوول|ئەیلول|سێپتەمبەر|سپتامبر|ئیلوون|ئیلون|september|sep|sept|îlon|rezber|eylül",
    10: "أكتوبر|اكتوبر|تشرين الأول|تشرين الاول|تشرینی یەکەم|ئۆکتۆبەر|اکتبر|تشرینا ئێکێ|چریا ئێکێ|october|oct|cotmeh|"
        "kewçêr|ekim",
    11: "نوفمبر|تشرين الثاني|نونبر|تشرینی دووەم|نۆڤەمبەر|نوامبر|تشرینا دووێ|چریا دووێ|november|nov|mijdar|sermawez|"
        "kasım",
    12: "ديسمبر|كانون الأول|كانون الاول|دجنبر|کانوونی یەکەم|کانونی یەکەم|دیسەمبەر|دسامبر|کانوونا ئێکێ|کانونا ئێکێ|"
        "december|dec|"
        "kanûn|kanûna pêşîn|berfanbar|aralık",
}
# Grammatical endings after a month name: Sorani ezafe (ـی: کانوونی دووەمی), Kurmanji ezafe/oblique
# (Cotmehê, Çileya, Kanûna), Turkish genitive is not used in dates.
_SUFFIXES = ("", "ی", "e", "a", "ya", "ye", "yê")


def fold(text: str) -> str:
    """Lower case, folded Arabic-script letters, Latin letters without diacritics (Hezîran = Heziran)."""
    text = text.lower().translate(FOLD)
    decomposed = unicodedata.normalize("NFD", text)
    # Only Latin combining marks go; Arabic marks were removed by the caller with the invisible marks.
    return "".join(c for c in decomposed if not ("\u0300" <= c <= "\u036f")).replace("ı", "i")


def _table() -> dict[tuple[str, ...], int]:
    table: dict[tuple[str, ...], int] = {}
    for month, names in _NAMES.items():
        for name in names.split("|"):
            table.setdefault(tuple(fold(name).split()), month)
    return table


MONTHS = _table()
MAX_WORDS = max(len(k) for k in MONTHS)
_WORD = re.compile(r"\d+|[^\W\d_]+")


def words(text: str) -> list[str]:
    """Folded words and digit runs (`7ی` -> `7`, `ی`); punctuation and weekday commas are separators."""
    return _WORD.findall(fold(text))


def month_at(tokens: list[str], i: int) -> tuple[int, int] | None:
    """(month, tokens used) for a month name starting at tokens[i]; the longest name wins."""
    for size in range(min(MAX_WORDS, len(tokens) - i), 0, -1):
        words_ = tokens[i:i + size]
        last = words_[-1]
        for suffix in _SUFFIXES:
            if suffix and not last.endswith(suffix):
                continue
            stem = last[: len(last) - len(suffix)] if suffix else last
            if not stem:
                continue
            month = MONTHS.get((*words_[:-1], stem))
            if month is not None:
                return month, size
    return None


def named_date(text: str) -> datetime | None:
    """A date written with a month name: `الأربعاء، 07 أكتوبر 2020 - 12:09 م`, `7 تشرين الأول 2020`,
    `٧ی کانوونی دووەمی ٢٠٢٤`, `7ê Cotmehê 2020`, `October 7, 2020` -> that day at midnight (the caller adds
    the clock time). The text's digits must already be ASCII. None for an impossible day (31 شباط)."""
    tokens = words(text)
    for i in range(len(tokens)):
        found = month_at(tokens, i)
        if found is None:
            continue
        month, size = found
        # "آذار/مارس", "تشرين الأول (أكتوبر)": the same month in two calendars' names.
        while (again := month_at(tokens, i + size)) is not None and again[0] == month:
            size += again[1]
        day = _number(tokens, i - 1, -1, 1, 31)                 # 07 أكتوبر 2020
        year = _number(tokens, i + size, 1, 1000, 99999)
        if day is None:                                          # October 7, 2020
            day = _number(tokens, i + size, 1, 1, 31)
            year = _number(tokens, i + size + 1 + _skipped(tokens, i + size), 1, 1000, 99999) if day else None
        if day is None or year is None:
            continue
        try:
            date = datetime(year, month, day)
        except ValueError:  # 31 شباط, year 99999
            return None
        return date
    return None


# Words that may stand between a day, month and year: Sorani/Kurmanji ezafe, "of", ordinal endings, "من".
_FILLER = frozenset({"ی", "e", "a", "ya", "ye", "ê", "ji", "of", "th", "st", "nd", "rd", "من", "sala", "ساڵی", "سالی"})


def _skipped(tokens: list[str], i: int) -> int:
    n = 0
    while i + n < len(tokens) and tokens[i + n] in _FILLER and n < 2:
        n += 1
    return n


def _number(tokens: list[str], i: int, step: int, low: int, high: int) -> int | None:
    """The number at tokens[i] (stepping over up to two filler words in direction `step`) if low..high."""
    for _ in range(3):
        if not 0 <= i < len(tokens):
            return None
        tok = tokens[i]
        if tok.isdigit() and tok.isascii():
            value = int(tok)
            return value if low <= value <= high and (high < 1000 or len(tok) >= 4) else None
        if tok not in _FILLER:
            return None
        i += step
    return None
