"""Dates to ISO 8601 with offset: absolute strings (ISO, profile strptime formats) and relative labels."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
# Invisible marks that sit inside dates and labels copied from RTL pages.
_INVISIBLE = re.compile("[\u200b-\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff\u0640\u064b-\u0652\u0670]")
_TZ = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?$", re.I)
_ISO = re.compile(r"^\d{4}-?\d{2}-?\d{2}(?:[T ]\d{2}:?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?$", re.I)
_DATE = re.compile(r"\d{4}[/.-]\d{1,2}[/.-]\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}")
_TIME = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])\s*(am|pm|ص|م|صباحا|مساء|مساءا)?", re.I)


def to_ascii_digits(text: str) -> str:
    """Arabic-Indic ٠-٩ and Persian ۰-۹ digits to ASCII."""
    return text.translate(_DIGITS)


def parse_tz(tz: str | None) -> tzinfo:
    """`+03:00`, `+0300`, `UTC+3`, `Z` -> a fixed offset (the profiles use fixed offsets, no DST)."""
    if not tz or tz.strip().upper() in ("Z", "UTC", "GMT"):
        return timezone.utc
    m = _TZ.match(tz.strip())
    if not m:
        raise ValueError(f"unsupported timezone {tz!r}: use an offset like +03:00")
    sign = -1 if m.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0)))


def parse_absolute(text: str, formats: list[str], tz: str) -> str | None:
    """An absolute date string -> ISO 8601 in the site's offset; no offset given means the site's tz."""
    if not text:
        return None
    zone = parse_tz(tz)
    clean = " ".join(_INVISIBLE.sub("", to_ascii_digits(text)).split())
    dt = _iso(clean) or _strptime(clean, formats) or _embedded(clean, formats)
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone)
    # One offset for the whole archive makes stored dates comparable as strings; the instant is kept.
    return dt.astimezone(zone).replace(microsecond=0).isoformat(timespec="seconds")


def _iso(text: str) -> datetime | None:
    if not _ISO.match(text):
        return None
    text = re.sub(r"\s*(?:UTC|Z)$", "+00:00", text, flags=re.I)
    text = re.sub(r"\s+([+-]\d{2}:?\d{2})$", r"\1", text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _strptime(text: str, formats: list[str]) -> datetime | None:
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _embedded(text: str, formats: list[str]) -> datetime | None:
    """A date inside other words (`نشر في 2019/05/12 - 14:30`), time before or after the date."""
    date = _DATE.search(text)
    if not date:
        return None
    candidates = [date.group(0)]
    time = _TIME.search(text[: date.start()] + " " + text[date.end():])
    if time:
        hour, minute = int(time.group(1)), int(time.group(2))
        half = (time.group(4) or "").lower()
        # 12-hour clocks: Arabic م/مساء is p.m., ص/صباحا is a.m.
        if half in ("pm", "م", "مساء", "مساءا") and hour < 12:
            hour += 12
        elif half in ("am", "ص", "صباحا") and hour == 12:
            hour = 0
        candidates.insert(0, f"{date.group(0)} {hour:02d}:{minute:02d}")
    for candidate in candidates:
        dt = _iso(candidate) or _strptime(candidate, formats)
        if dt is not None:
            return dt
    return None


# --- relative labels -------------------------------------------------------------------------------
# Letters folded so that keheh/yeh/heh spellings and legacy Sorani forms match one vocabulary.
_FOLD = str.maketrans({"ك": "ک", "ي": "ی", "ى": "ی", "ە": "ه", "ة": "ه", "ۀ": "ه", "ھ": "ه", "أ": "ا",
                       "إ": "ا", "آ": "ا", "ٱ": "ا", "ڕ": "ر"})
_SECOND, _MINUTE, _HOUR, _DAY, _WEEK = 1, 60, 3600, 86400, 7 * 86400
_MONTH, _YEAR = 30 * 86400, 365 * 86400  # labels are approximate anyway

# word -> (seconds per unit, count implied by the word itself or None for a bare plural)
_WORDS: dict[str, tuple[int, int | None]] = {}
for _unit, _forms in {
    _SECOND: "ثانية:1 ثانيتين:2 ثانيتان:2 ثوان:0 ثواني:0 لحظات:0 لحظة:0 لحظاتی:0 ثانیه:1 چرکە:1 "
             "second:1 seconds:0 sec:1 secs:0 saniye:1",
    _MINUTE: "دقيقة:1 دقيقتين:2 دقيقتان:2 دقائق:- خولەک:1 دەقیقە:1 minute:1 minutes:- min:1 mins:- "
             "dakika:1",
    _HOUR: "ساعة:1 ساعتين:2 ساعتان:2 ساعات:- کاتژمێر:1 سەعات:1 ساعت:1 hour:1 hours:- hr:1 hrs:- saat:1",
    _DAY: "يوم:1 يومين:2 يومان:2 أيام:- ڕۆژ:1 روز:1 day:1 days:- gün:1",
    _WEEK: "أسبوع:1 أسبوعين:2 أسبوعان:2 أسابيع:- هەفتە:1 هفته:1 week:1 weeks:- wk:1 wks:- hafta:1",
    _MONTH: "شهر:1 شهرين:2 شهران:2 أشهر:- شهور:- مانگ:1 ماه:1 month:1 months:- ay:1",
    _YEAR: "سنة:1 سنتين:2 سنتان:2 سنوات:- عام:1 عامين:2 أعوام:- ساڵ:1 سال:1 year:1 years:- yr:1 yrs:- yıl:1",
}.items():
    for _form in _forms.split():
        _word, _count = _form.rsplit(":", 1)
        _WORDS[_word.translate(_FOLD)] = (_unit, None if _count == "-" else int(_count))

# Kurmanji (Latin): stem + case/plural suffix; a suffix with "ek" is the indefinite "one".
_KMR_STEMS = (("demjimêr", _HOUR), ("deqîqe", _MINUTE), ("deqe", _MINUTE), ("saet", _HOUR),
              ("çirk", _SECOND), ("roj", _DAY), ("hefte", _WEEK), ("meh", _MONTH), ("sal", _YEAR))
_KMR_SUFFIXES = ("", "an", "yan", "ê", "yê", "ek", "yek", "ekê", "yekê")
# Sorani indefinite suffixes: ڕۆژێک, هەفتەیەک = "one day", "one week".
_CKB_ONE = tuple(s.translate(_FOLD) for s in ("ێک", "یەک"))
_NUMBERS = {w.translate(_FOLD): n for w, n in {
    "a": 1, "an": 1, "one": 1, "یک": 1, "یەک": 1, "yek": 1, "bir": 1, "واحد": 1, "واحدة": 1,
    "دو": 2, "دوو": 2, "two": 2, "سه": 3, "سێ": 3, "three": 3}.items()}
_AGO = {w.translate(_FOLD) for w in ("منذ", "قبل", "پێش", "پیش", "لەمەوبەر", "لەوەپێش", "ago", "berê", "berî",
                                     "önce", "beriya")}
_NOW = {w.translate(_FOLD) for w in ("الآن", "now", "ئێستا", "niha", "şimdi", "اکنون", "همین")}
_MAX_TOKENS = 6  # a relative-time widget is short; a longer text is a sentence, not a label


def resolve_relative(label: str, fetched_at: datetime, *, tz: str | None = None) -> str | None:
    """`منذ 3 ساعات` / `پێش 11 خولەک` / `4 ساعت پیش` / `3 hours ago` -> ISO 8601, truncated to the minute.

    `tz` is the site's offset for the result (default: fetched_at's own offset; naive means UTC).
    """
    tokens = _tokens(label)
    if not tokens or len(tokens) > _MAX_TOKENS:
        return None
    seconds = _seconds(tokens)
    if seconds is None:
        return None
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=timezone.utc)
    zone = parse_tz(tz) if tz else fetched_at.tzinfo
    when = fetched_at.astimezone(zone) - timedelta(seconds=seconds)
    return when.replace(second=0, microsecond=0).isoformat(timespec="seconds")


def _tokens(label: str) -> list[str]:
    text = _INVISIBLE.sub("", to_ascii_digits(label)).translate(_FOLD).lower()
    text = re.sub(r"(\d+)", r" \1 ", text)  # منذ3ساعات
    return re.findall(r"\w+", text)


def _seconds(tokens: list[str]) -> int | None:
    if set(tokens) & _NOW and not set(tokens) & _AGO and len(tokens) <= 2:
        return 0
    if not set(tokens) & _AGO:
        return None
    number: int | None = None
    unit: tuple[int, int | None] | None = None
    for tok in tokens:
        if tok.isdigit() and tok.isascii():
            if number is not None:
                return None
            number = int(tok)
        elif tok in _NUMBERS and number is None and unit is None:
            number = _NUMBERS[tok]
        elif (found := _unit(tok)) is not None:
            if unit is not None:
                return None  # "ساعة و 5 دقائق": not a shape the sites use; do not guess
            unit = found
    if unit is None:
        return None
    per, implied = unit
    if number is None:
        if implied is None:
            return None  # "منذ دقائق": some minutes, unknown how many
        number = implied
    if number > 100_000:
        return None
    return number * per


def _unit(tok: str) -> tuple[int, int | None] | None:
    if tok in _WORDS:
        return _WORDS[tok]
    for suffix in _CKB_ONE:
        stem = tok[: -len(suffix)]
        if tok.endswith(suffix) and stem in _WORDS:
            return (_WORDS[stem][0], 1)
    for stem, per in _KMR_STEMS:
        if tok.startswith(stem) and tok[len(stem):] in _KMR_SUFFIXES:
            return (per, 1 if "ek" in tok[len(stem):] else None if tok != stem else 1)
    return None
