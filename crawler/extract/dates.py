"""Dates to ISO 8601 with offset: absolute strings (ISO, strptime formats, month names) and relative labels.

A date keeps the offset the page gave it; a date without one takes the site's. Dates outside a sane
window (year 1900 to one day after the fetch) are dropped with a note, never raised or stored wrong.
"""

from __future__ import annotations

import email.utils
import re
from datetime import datetime, timedelta, timezone, tzinfo

from .months import named_date

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
# Invisible marks that sit inside dates and labels copied from RTL pages.
_INVISIBLE = re.compile("[\u200b-\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff\u0640\u064b-\u0652\u0670]")
_TZ = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?$", re.I)
_ISO = re.compile(r"^\d{4}-?\d{2}-?\d{2}(?:[T ]\d{2}:?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?$", re.I)
# Digit boundaries: "99999-01-01" or "-0001-01-01" must not yield a 4-digit year from their middle.
_DATE = re.compile(r"(?<![\d-])\d{4}[/.-]\d{1,2}[/.-]\d{1,2}(?!\d)|(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-]\d{4}(?!\d)")
# 12-hour marks, longest first; the mark must end a word ("12:09 مدينة" is no p.m.).
_TIME = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])\s*"
                   r"(a\.m\.|p\.m\.|am|pm|صباحاً|صباحا|مساءً|مساءا|مساء|ق\.ظ|ب\.ظ|پ\.ن|د\.ن|ص|م)?(?!\w)", re.I)
# Persian ق.ظ/ب.ظ; Sorani پ.ن (پێش نیوەڕۆ, before noon) and د.ن (دوای نیوەڕۆ, after noon).
_PM = {"pm", "p.m.", "م", "مساء", "مساءا", "مساءً", "ب.ظ", "د.ن"}
_AM = {"am", "a.m.", "ص", "صباحا", "صباحاً", "ق.ظ", "پ.ن"}
MIN_YEAR = 1900
# Pages are stamped a little ahead by clocks and time zones; further ahead is an error, not a date.
MAX_AHEAD = timedelta(days=1)


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


def parse_absolute(text: str, formats: list[str], tz: str, *, fetched_at: datetime | None = None,
                   notes: list[str] | None = None) -> str | None:
    """An absolute date string -> ISO 8601 with the page's own offset, or the site's when it gives none.

    A date before 1900 or more than a day after `fetched_at` (default: now) is None, and a note saying
    why is appended to `notes`. Never raises on the text (only on a bad `tz`, a profile error).
    """
    if not text:
        return None
    zone = parse_tz(tz)
    clean = " ".join(_INVISIBLE.sub("", to_ascii_digits(text)).split())
    try:
        dt = _iso(clean) or _strptime(clean, formats) or _rfc2822(clean) or _embedded(clean, formats) \
            or _named(clean)
    except (OverflowError, ValueError):  # a year or offset that datetime cannot hold
        dt = None
        _note(notes, f"unreadable date {_short(text)}")
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone)
    return _checked(dt, text, fetched_at, notes)


def _checked(dt: datetime, text: str, fetched_at: datetime | None, notes: list[str] | None) -> str | None:
    """The ISO form of `dt` when it lies in the sane window, else None and a note."""
    latest = fetched_at or datetime.now(timezone.utc)
    if latest.tzinfo is None:
        latest = latest.replace(tzinfo=timezone.utc)
    try:
        # Compared in UTC by hand: subtracting an offset from year 1 or adding a day to year 9999 overflows.
        instant = dt.replace(tzinfo=None) - (dt.utcoffset() or timedelta(0))
        ok = dt.year >= MIN_YEAR and instant <= latest.astimezone(timezone.utc).replace(tzinfo=None) + MAX_AHEAD
    except OverflowError:
        ok = False
    if not ok:
        _note(notes, f"date {_short(text)} outside {MIN_YEAR} to a day after the fetch: dropped")
        return None
    return dt.replace(microsecond=0).isoformat(timespec="seconds")


def _note(notes: list[str] | None, note: str) -> None:
    if notes is not None and note not in notes:
        notes.append(note)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 60 else text[:59] + "…")


def _iso(text: str) -> datetime | None:
    if not _ISO.match(text):
        return None
    text = re.sub(r"\s*(?:UTC|Z)$", "+00:00", text, flags=re.I)
    text = re.sub(r"\s+([+-]\d{2}:?\d{2})$", r"\1", text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


_RFC2822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s+"
                      r"(?:[A-Z]{1,3}|[+-]\d{4})$")


def _rfc2822(text: str) -> datetime | None:
    """`Wed, 07 Oct 2020 12:09:00 GMT` (feeds and HTTP-style dates): its zone is kept."""
    if not _RFC2822.match(text):
        return None
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
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
    # "15.06.2024" (Kurmanji and Turkish pages write dates with dots) is read as the slashed form.
    day = date.group(0)
    days = [day] if "." not in day else [day, day.replace(".", "/")]
    time = _time(text[: date.start()] + " " + text[date.end():])
    candidates = [f"{d} {time[0]:02d}:{time[1]:02d}" for d in days] if time else []
    candidates += days
    for candidate in candidates:
        dt = _iso(candidate) or _strptime(candidate, formats)
        if dt is not None:
            return dt
    return None


def _time(text: str) -> tuple[int, int, int] | None:
    """The first clock time in `text` as 24-hour (hour, minute, second); `12:09 م` is 12:09, `12:30 ص` 00:30."""
    for m in _TIME.finditer(text):
        hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        half = (m.group(4) or "").lower()
        if half and not 1 <= hour <= 12:
            half = ""  # "14:30 م": a 24-hour time with a redundant mark
        if half in _PM and hour < 12:
            hour += 12
        elif half in _AM and hour == 12:
            hour = 0
        if hour < 24 and minute < 60 and second < 60:
            return hour, minute, second
    return None


def _named(text: str) -> datetime | None:
    """A date written with a month name (crawler/extract/months.py), with the text's clock time if any."""
    date = named_date(text)
    if date is None:
        return None
    time = _time(text)
    return date.replace(hour=time[0], minute=time[1], second=time[2]) if time else date


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


# "today HH:MM" / "yesterday HH:MM": a day relative to the fetch, the time as printed.
_TODAY = {w.translate(_FOLD) for w in ("اليوم", "today", "ئەمڕۆ", "ئه‌مڕۆ", "îro", "امروز", "bugün")}
_YESTERDAY = {w.translate(_FOLD) for w in ("أمس", "امس", "البارحة", "yesterday", "دوێنێ", "duh", "دیروز", "dün")}


def resolve_relative(label: str, fetched_at: datetime, *, tz: str | None = None,
                     notes: list[str] | None = None) -> str | None:
    """`منذ 3 ساعات` / `پێش 11 خولەک` / `4 ساعت پیش` / `3 hours ago` / `اليوم 14:30` -> ISO 8601, truncated
    to the minute.

    `tz` is the site's offset for the result (default: fetched_at's own offset; naive means UTC). A label
    reaching before 1900 (`منذ 3000 سنة`) is None with a note.
    """
    tokens = _tokens(label)
    if not tokens or len(tokens) > _MAX_TOKENS:
        return None
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=timezone.utc)
    zone = parse_tz(tz) if tz else fetched_at.tzinfo
    local = fetched_at.astimezone(zone)
    day = _day_word(tokens)
    if day is not None:
        time = _time(" ".join(_INVISIBLE.sub("", to_ascii_digits(label)).split()))
        if time is None:
            return None  # "أمس" alone: some hour of that day, unknown which
        when = (local - timedelta(days=day)).replace(hour=time[0], minute=time[1], second=0, microsecond=0)
        return when.isoformat(timespec="seconds")
    seconds = _seconds(tokens)
    if seconds is None:
        return None
    if seconds > (local.replace(tzinfo=None) - datetime(MIN_YEAR, 1, 1)).total_seconds():
        _note(notes, f"date {_short(label)} outside {MIN_YEAR} to a day after the fetch: dropped")
        return None
    when = local - timedelta(seconds=seconds)
    return when.replace(second=0, microsecond=0).isoformat(timespec="seconds")


def _day_word(tokens: list[str]) -> int | None:
    """0 for a today label, 1 for yesterday, None otherwise (a label of at most a word and a time)."""
    words_ = [t for t in tokens if not t.isdigit() and t not in ("ص", "م", "am", "pm", "الساعه", "at")]
    if len(words_) != 1:
        return None
    return 0 if words_[0] in _TODAY else 1 if words_[0] in _YESTERDAY else None


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
