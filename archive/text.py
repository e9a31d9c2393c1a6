"""Display and key layers for Arabic-script text, as specified in docs/arabic-text.md."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache, wraps

__all__ = ["display", "key", "split_paragraphs", "count_replacement", "content_hash", "split_dateline"]

_ZWNJ = "\u200c"
_ZWJ = "\u200d"
_TATWEEL = "\u0640"
_REPLACEMENT = "\ufffd"


def _span(first: int, last: int) -> range:
    return range(first, last + 1)


# ---------------------------------------------------------------------------------------------------
# Translate tables, built once: str.translate does the per-character work in C.
# ---------------------------------------------------------------------------------------------------

_BIDI = [0x200E, 0x200F, 0x061C, *_span(0x202A, 0x202E), *_span(0x2066, 0x2069)]
_INVISIBLE = [0x200B, 0xFEFF, 0x2060]

# Bidi controls, ZWSP, BOM, soft hyphen, word joiner and C0/C1 controls (the newline aside) are
# invisible junk. The soft hyphen and C1 controls are also mojibake bytes (`Ù\x81` is ف, `Ø\xad` is
# ح), which is why display() repairs mojibake before applying this table.
_DISPLAY_TABLE: dict[int, str | None] = {
    cp: None for cp in [*_span(0x00, 0x1F), *_span(0x7F, 0x9F), 0xAD, *_BIDI, *_INVISIBLE]
}
del _DISPLAY_TABLE[0x0A]
# Tab, VT and FF separate words: deleting them would glue the words together.
_DISPLAY_TABLE.update({0x09: " ", 0x0B: " ", 0x0C: " "})
_DISPLAY_TABLE.update({cp: " " for cp in range(0x10000) if unicodedata.category(chr(cp)) == "Zs"})
del _DISPLAY_TABLE[0x20]  # already a plain space; listing it would make every text look dirty
_DISPLAY_TABLE[0x2028] = "\n"
_DISPLAY_TABLE[0x2029] = "\n\n"
# Legacy glyph text is unsearchable and unreadable to copy-paste, so presentation forms become letters;
# U+FDFA-FDFD (ﷺ ﷻ ﷼ ﷽) are outside these ranges and stay, since they are words, not glyph variants.
for _cp in [*_span(0xFB50, 0xFDF9), *_span(0xFE70, 0xFEFC)]:
    _nfkc = unicodedata.normalize("NFKC", chr(_cp))
    if _nfkc != chr(_cp):
        _DISPLAY_TABLE[_cp] = _nfkc

# NFKC has no mapping for ﷽ and would glue the words of ﷺ ﷻ ﷼ to their neighbours (`100﷼`); padding
# keeps them separate words.
_KEY_EXPAND: dict[int, str] = {
    0xFDFA: " صلى الله عليه وسلم ",
    0xFDFB: " جل جلاله ",
    0xFDFC: " ريال ",
    0xFDFD: " بسم الله الرحمن الرحيم ",
}

_KEY_MARKS = [*_span(0x064B, 0x0652), 0x0670, *_span(0x0610, 0x061A), *_span(0x0653, 0x065F),
              *_span(0x06D6, 0x06DC), *_span(0x06DF, 0x06E8), *_span(0x06EA, 0x06ED)]
assert 0x06D5 not in _KEY_MARKS  # Kurdish ە is a letter; a range starting there would delete it

_KEY_FOLD = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ة": "ه",
    "ی": "ي", "ے": "ي", "ې": "ي", "ک": "ك", "ڪ": "ك",
    "ھ": "ه", "ہ": "ه", "ۀ": "ه",
    "ە": "ه", "ڕ": "ر",
}

_KEY_TABLE: dict[int, str | None] = {}
# Punctuation and symbols separate words. Planes 0-1 hold every assigned P*/S* character.
_KEY_TABLE.update({cp: " " for cp in range(0x20000) if unicodedata.category(chr(cp))[0] in "PS"})
# `.` and `,` survive here so that a separator between two digits (3.5, 10,000) can be kept later.
_KEY_TABLE.update({ord("."): ".", ord(","): ",", 0x066B: ".", 0x066C: ","})
_KEY_TABLE[ord(_REPLACEMENT)] = _REPLACEMENT  # a decode error must stay visible in the key too
_KEY_TABLE[ord("\n")] = " "
_KEY_TABLE.update({cp: None for cp in [*_KEY_MARKS, ord(_ZWNJ), ord(_ZWJ)]})
_KEY_TABLE.update({ord(src): dst for src, dst in _KEY_FOLD.items()})
_KEY_TABLE.update({0x0660 + d: str(d) for d in range(10)})
_KEY_TABLE.update({0x06F0 + d: str(d) for d in range(10)})
del _cp, _nfkc

# ---------------------------------------------------------------------------------------------------
# Regexes: every repetition is over disjoint character classes or possessive, so none can backtrack
# more than linearly on long adversarial input.
# ---------------------------------------------------------------------------------------------------

_ZWNJ_RUN = re.compile("\u200c{2,}")
_ZWNJ_AT_SPACE = re.compile("(?<![^ \n])\u200c|\u200c(?![^ \n])")
_SPACE_RUN = re.compile(" {2,}")
_SPACE_AT_NEWLINE = re.compile(" ?\n ?")
_NEWLINE_RUN = re.compile("\n{3,}")
_BLANK_LINE = re.compile(r"\n[^\S\n]*+\n\s*+")

# Most text needs none of the display table; a regex character set finds that out far faster than
# str.translate, which builds a new string whatever it finds.
_DISPLAY_CHANGES = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_DISPLAY_TABLE)) + "]")
# The key's context rules look at a token's two neighbours in a callback: a lookbehind tried at every
# position scans several times slower than a pattern that starts with a character set.
_TATWEEL_RUN = re.compile("\u0640+")
_SEPARATOR = re.compile("[.,]")
_DIGITS = re.compile(r"\d+")
_KEY_EXPANDED = "\ufdfa\ufdfb\ufdfc\ufdfd"


def _sloppy_cp1252_class(first: int, last: int) -> str:
    """A character class of what bytes first..last look like after cp1252 or latin-1 decoding."""
    chars = []
    for byte in range(first, last + 1):
        chars.append(chr(byte))
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            pass  # bytes cp1252 leaves undefined show up as C1 controls, already listed
    return "[" + "".join(re.escape(c) for c in dict.fromkeys(chars)) + "]"


_C = _sloppy_cp1252_class(0x80, 0xBF)
# Exactly the well-formed UTF-8 sequences (no overlongs, surrogates or values past U+10FFFF), so
# every match decodes.
_UTF8_SEQ = (
    f"[\u00c2-\u00df]{_C}"
    f"|\u00e0{_sloppy_cp1252_class(0xA0, 0xBF)}{_C}"
    f"|[\u00e1-\u00ec\u00ee\u00ef]{_C}{_C}"
    f"|\u00ed{_sloppy_cp1252_class(0x80, 0x9F)}{_C}"
    f"|\u00f0{_sloppy_cp1252_class(0x90, 0xBF)}{_C}{_C}"
    f"|[\u00f1-\u00f3]{_C}{_C}{_C}"
    f"|\u00f4{_sloppy_cp1252_class(0x80, 0x8F)}{_C}{_C}"
)
# ASCII is identical in both decodings, so runs separated only by ASCII (spaces, digits, Latin words)
# are judged together: a lone `â€“` between two mojibake Arabic words is repaired with them.
_MOJIBAKE_RUN = re.compile(f"(?:{_UTF8_SEQ})++(?:[\\x00-\\x7f]++(?:{_UTF8_SEQ})++)*+")
_MOJIBAKE_LEAD = re.compile("[\u00c2-\u00f4]")
# cp1252's printable characters back to the latin-1 character of the same byte, so that one
# encode("latin-1") recovers the bytes; cp1252's undefined bytes already arrive as C1 controls.
_TO_LATIN1 = {ord(c): chr(b) for b in range(0x80, 0xA0) if (c := bytes([b]).decode("cp1252", "ignore"))}
_ARABIC_SCRIPT = re.compile(
    "[\u0620-\u064a\u0660-\u0669\u066e-\u06d3\u06d5\u06ee-\u06fc\u06ff\u0750-\u077f"
    "\u08a0-\u08c9\ufb50-\ufdfb\ufe70-\ufefc]"
)
# Each repair round needs mojibake nested one level deeper (which doubles its length), so a handful
# of rounds covers any real page; the cap only bounds the cost on adversarial input.
_MAX_REPAIR_ROUNDS = 8

_DATELINE_WORD = r"[^\s()\[\]{}.,:;!?،؛؟«»\"“”‘’…–—]++"
_DATELINE = re.compile(
    rf" *(?P<place>{_DATELINE_WORD}(?: {_DATELINE_WORD}){{0,3}})"
    r" *\( *(?P<agency>[^\s()]++(?: +[^\s()]++){0,3}) *\)"
    r" *[-\u2010-\u2015]"
)
# A dateline is a short prefix; looking at a bounded slice keeps the match cheap on huge paragraphs.
_DATELINE_SCAN = 300


# ---------------------------------------------------------------------------------------------------
# Display layer
# ---------------------------------------------------------------------------------------------------


def _fix_mojibake_run(match: re.Match[str]) -> str:
    run = match.group()
    try:
        fixed = run.translate(_TO_LATIN1).encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return run
    # Latin text that happens to form valid UTF-8 (rare) stays: only Arabic-script letters or digits
    # in the result prove that the page was decoded with the wrong charset.
    return fixed if _ARABIC_SCRIPT.search(fixed) else run


def _repair_mojibake(text: str) -> str:
    if not _MOJIBAKE_LEAD.search(text):
        return text
    return _MOJIBAKE_RUN.sub(_fix_mojibake_run, text)


def _normalise(text: str) -> str:
    """Every display operation except the mojibake repair; idempotent on its own."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _DISPLAY_CHANGES.search(text):
        text = text.translate(_DISPLAY_TABLE)
    # After the deletions: a junk character between `ا` and U+0654 would have blocked composition.
    text = unicodedata.normalize("NFC", text)
    if _ZWNJ in text:
        # Runs first, so the edge rule below never scans a long run repeatedly.
        text = _ZWNJ_RUN.sub(_ZWNJ, text)
        text = _ZWNJ_AT_SPACE.sub("", text)
    text = _SPACE_RUN.sub(" ", text)
    if "\n" in text:
        text = _SPACE_AT_NEWLINE.sub("\n", text)
        text = _NEWLINE_RUN.sub("\n\n", text)
    return text.strip(" \n")


def display(text: str) -> str:
    """The faithful text: invisible junk removed, spacing normalised, mojibake repaired; idempotent."""
    # The repair runs before the deletions because C1 controls and soft hyphens are mojibake bytes.
    text = _normalise(_repair_mojibake(text))
    # Deleting junk can bring mojibake bytes together (`Ø` ZWSP `£`), and a repair can reveal a second
    # layer; repeat until nothing changes, which is what makes display(display(x)) == display(x).
    for _ in range(_MAX_REPAIR_ROUNDS):
        repaired = _repair_mojibake(text)
        if repaired == text:
            break
        text = _normalise(repaired)
    return text


# ---------------------------------------------------------------------------------------------------
# Key layer
# ---------------------------------------------------------------------------------------------------


def _is_letter(char: str) -> bool:
    # Same notion as the regex class [^\W\d_]; "" (text edge) is not a letter.
    return char.isalnum() and not char.isdecimal()


def _neighbours(match: re.Match[str]) -> tuple[str, str]:
    start, end = match.span()
    return match.string[start - 1 : start], match.string[end : end + 1]


def _tatweel(match: re.Match[str]) -> str:
    # Inside a word tatweel is only stretching; next to a digit, space or quote it marks a clitic
    # boundary (`بـ 10`, `27ـی`), which must stay a word break.
    before, after = _neighbours(match)
    return "" if _is_letter(before) and _is_letter(after) else " "


def _separator(match: re.Match[str]) -> str:
    # Decision: between two digits `.` and `,` are decimal/thousands separators and stay (`3.5`,
    # `٣٫٥` -> `3.5`, `١٠٬٠٠٠` -> `10,000`) so a number stays one word; elsewhere they are punctuation.
    before, after = _neighbours(match)
    return match.group() if "0" <= before <= "9" and "0" <= after <= "9" else " "


def _digits(match: re.Match[str]) -> str:
    # FTS would otherwise see `كوردستان24` and `كوردستان 24` as different words.
    before, after = _neighbours(match)
    return (" " if _is_letter(before) else "") + match.group() + (" " if _is_letter(after) else "")


def key(text: str) -> str:
    """The lossy match key (one line, single spaces) used for hashes, dedup, FTS and queries."""
    # Deriving from display makes key(display(x)) == key(x) hold by construction.
    text = display(text)
    if any(char in text for char in _KEY_EXPANDED):
        text = text.translate(_KEY_EXPAND)
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    text = text.translate(_KEY_TABLE)
    # Tatweel first: where it becomes a space, the digit rule must see that space, not a letter.
    if _TATWEEL in text:
        text = _TATWEEL_RUN.sub(_tatweel, text)
    if "." in text or "," in text:
        text = _SEPARATOR.sub(_separator, text)
    text = _DIGITS.sub(_digits, text)
    if not unicodedata.is_normalized("NFKC", text):
        # Deleted marks or tatweel can leave composable neighbours; recompose so key(key(x)) is stable.
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


# ---------------------------------------------------------------------------------------------------
# Helpers on display text
# ---------------------------------------------------------------------------------------------------


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of display text: split on blank lines, empty ones dropped."""
    return [part for part in (p.strip(" \n") for p in _BLANK_LINE.split(text)) if part]


def count_replacement(text: str) -> int:
    """Number of U+FFFD REPLACEMENT CHARACTERs (decode errors) in `text`."""
    return text.count(_REPLACEMENT)


def content_hash(parts: Iterable[str]) -> str:
    """SHA-256 hex of the parts' key layers joined by U+001E; changes only when a key changes."""
    if isinstance(parts, str):
        # A bare string would otherwise be hashed character by character.
        parts = [parts]
    # key() deletes C0 controls, so no part can contain the separator and shift the boundaries.
    joined = "\x1e".join(key(part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def split_dateline(paragraph: str) -> tuple[str | None, str | None]:
    """(place, agency) when `paragraph` starts with `PLACE (AGENCY)- `, else (None, None); never edits it."""
    match = _DATELINE.match(paragraph[:_DATELINE_SCAN])
    if match is None:
        return None, None
    return match.group("place"), match.group("agency")


# ---------------------------------------------------------------------------------------------------
# Memoisation: one article's paragraphs pass through display() and key() several times on their way
# to the archive (dedupe, cleaning, boilerplate, content hash, key columns) and search snippets key
# the same words over and over. Both functions are pure, so a bounded cache changes nothing but time;
# long texts (a whole body) are computed directly so the cache stays a few MB whatever the crawl size.
# ---------------------------------------------------------------------------------------------------

_CACHE_ENTRIES = 4096
_CACHE_MAX_CHARS = 4000


def _memoised(fn: Callable[[str], str]) -> Callable[[str], str]:
    cached = lru_cache(maxsize=_CACHE_ENTRIES)(fn)

    @wraps(fn)
    def call(text: str) -> str:
        return cached(text) if len(text) <= _CACHE_MAX_CHARS else fn(text)

    call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return call


# key() calls display() through the module global, so it uses the memoised one too.
display = _memoised(display)  # type: ignore[assignment]
key = _memoised(key)  # type: ignore[assignment]
