"""Tests for archive.text: the display and key layers of docs/arabic-text.md."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.text import content_hash, count_replacement, display, key, split_dateline, split_paragraphs

ZWNJ = "\u200c"
ZWJ = "\u200d"
RLM = "\u200f"
LRM = "\u200e"
ZWSP = "\u200b"
BOM = "\ufeff"
FFFD = "\ufffd"


# --- The spec's test cases -------------------------------------------------------------------------

SPEC_DISPLAY = [
    ("دَاعِش", "دَاعِش"),
    ("ا\u0654حمد", "أحمد"),
    ("ﺩﺍﻋﺶ ﻻ", "داعش لا"),
    (RLM + "أربيل" + RLM, "أربيل"),
    ("می" + ZWNJ + "خواهم", "می" + ZWNJ + "خواهم"),
    ("بغ" + ZWSP + "داد" + BOM, "بغداد"),
    ("العـــربية", "العـــربية"),
    ("بـ 10 آلاف دولار", "بـ 10 آلاف دولار"),
    ("هەولێر، ڕۆژی ٢٧ی کانوونی دووەم", "هەولێر، ڕۆژی ٢٧ی کانوونی دووەم"),
    ("«مرحبا» “نعم” ؟ ، ؛", "«مرحبا» “نعم” ؟ ، ؛"),
    ("سطر أول\r\n\r\n\r\n  سطر   ثان ", "سطر أول\n\nسطر ثان"),
]

SPEC_KEY = [
    ("دَاعِش", "داعش"),
    ("أربيل", "اربيل"),
    ("إقليم آمن ٱلله", "اقليم امن الله"),
    ("على مستشفى", "علي مستشفي"),
    ("الحكومة الاتحادية", "الحكومه الاتحاديه"),
    ("العـــربية", "العربيه"),
    ("بـ 10 آلاف", "ب 10 الاف"),
    ("27ـی کانوونی", "27 ي كانووني"),
    ("كوردستان24", "كوردستان 24"),
    ("٢٠٢٤ و۲۰۲۴", "2024 و 2024"),
    ("هەولێر", "ههولێر"),
    ("ڕێگا گۆڤار پێشمەرگە ژمارە چوار ڵ", "رێگا گۆڤار پێشمهرگه ژماره چوار ڵ"),
    ("ئەو ئێستا", "ئهو ئێستا"),
    ("ڕاگه" + ZWNJ + "یه" + ZWNJ + "نراو", "راگهيهنراو"),
    ("«داعش»، (الموصل)؟", "داعش الموصل"),
    ("الرحمٰن هٰذا", "الرحمن هذا"),
    ("COVID-19 Erbil", "covid 19 erbil"),
    ("مسؤول مسئول", "مسؤول مسئول"),
    ("ﷲ", "الله"),
    ("﷽", "بسم الله الرحمن الرحيم"),
    ("وهزیری", "وهزيري"),
    ("وەزیری", "وهزيري"),
    ("دهكەم", "دهكهم"),
    ("دەکەم", "دهكهم"),
]


@pytest.mark.parametrize(("raw", "expected"), SPEC_DISPLAY)
def test_spec_display(raw: str, expected: str) -> None:
    assert display(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), SPEC_KEY)
def test_spec_key(raw: str, expected: str) -> None:
    assert key(raw) == expected


# --- Display details --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "هەولێر ڕۆژی پێشمەرگە گۆڤار ژمارە چوار ڵ ئێستا ۆ ڤ پ چ ژ گ ؤ ئ ء",
        "ڕاگه" + ZWNJ + "یه" + ZWNJ + "نراو",
        "می" + ZWNJ + "خواهم",
        "ن" + ZWJ + "ا",
        "کوردستان24ـی",
        "27ـی",
        "لـ\"الحكومة\"",
        "بِسْمِ اللَّهِ",
        "ﷺ ﷻ ﷼ ﷽",
    ],
)
def test_display_keeps_letters_marks_and_joiners_byte_for_byte(text: str) -> None:
    assert display(text).encode("utf-8") == text.encode("utf-8")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a" + ZWNJ * 3 + "b", "a" + ZWNJ + "b"),
        ("می" + ZWNJ + " خواهم", "می خواهم"),
        ("می " + ZWNJ + "خواهم", "می خواهم"),
        (ZWNJ + "می" + ZWNJ, "می"),
        ("می" + ZWNJ + "\nخواهم", "می\nخواهم"),
    ],
)
def test_display_zwnj_rules(raw: str, expected: str) -> None:
    assert display(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\u00a0\u2009\u3000b\tc", "a b c"),
        ("a\u00adb\u2060c\x00d\x1be\x85f", "abcdef"),
        (LRM + "\u202bnot\u202c" + "\u2066x\u2069\u061c", "notx"),
        ("one\ntwo", "one\ntwo"),
        ("one \n two\r\rthree\n\n\n\n\nfour", "one\ntwo\n\nthree\n\nfour"),
        ("  \n \n padded \n\n ", "padded"),
        ("a\u2029b\u2028c", "a\n\nb\nc"),
    ],
)
def test_display_junk_and_spacing(raw: str, expected: str) -> None:
    assert display(raw) == expected


MOJIBAKE_SENTENCE_SOURCE = "قال في أربيل، عاصمة إقليم كوردستان: «الحكومة» – ٢٠٢٤ COVID-19 هەولێر ڕۆژی."


def _mojibake(text: str, encoding: str) -> str:
    """What a browser shows for UTF-8 bytes decoded as `encoding` (cp1252 gaps become C1 controls)."""
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode(encoding))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


def test_mojibake_word_repaired() -> None:
    assert display("Ø£Ø±Ø¨ÙŠÙ„") == "أربيل"


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_mojibake_sentence_repaired(encoding: str) -> None:
    broken = _mojibake(MOJIBAKE_SENTENCE_SOURCE, encoding)
    assert broken != MOJIBAKE_SENTENCE_SOURCE
    assert display(broken) == MOJIBAKE_SENTENCE_SOURCE


def test_mojibake_repaired_inside_legitimate_text() -> None:
    assert display("Kurdistan24: Ø£Ø±Ø¨ÙŠÙ„ Café") == "Kurdistan24: أربيل Café"


@pytest.mark.parametrize(
    "text",
    ["Café", "Navenda Nûçeyan", "Kurdistan24", "Ã©tÃ© alone is not proof", "Zürich Øresund São Paulo ©",
     "naïve façade — “quoted” – señor", "Ø and £ split by a word: Ø x £"],
)
def test_latin_text_untouched(text: str) -> None:
    assert display(text) == text


def test_replacement_character_kept_and_counted() -> None:
    text = "أرب" + FFFD + "يل " + FFFD + FFFD
    assert display(text) == text
    assert FFFD in key(text)
    assert count_replacement(display(text)) == 3
    assert count_replacement("سلام") == 0


# --- Key details ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3.5 مليون", "3.5 مليون"),
        ("٣٫٥ مليون", "3.5 مليون"),
        ("١٠٬٠٠٠ دولار", "10,000 دولار"),
        ("نهاية الجملة. 2024.", "نهايه الجمله 2024"),
        ("a.b, c", "a b c"),
        ("سطر\n\nسطر", "سطر سطر"),
        ("كوردستان24ـی", "كوردستان 24 ي"),
        ("لـ\"الحكومة\"", "ل الحكومه"),
        ("ﷺ", "صلي الله عليه وسلم"),
        ("100﷼", "100 ريال"),
        ("ن" + ZWJ + "ا", "نا"),
    ],
)
def test_key_details(raw: str, expected: str) -> None:
    assert key(raw) == expected


def test_key_never_deletes_kurdish_ae() -> None:
    assert "ە" not in key("ە")
    assert key("ە") == "ه"


# --- Paragraphs, hashes, datelines -------------------------------------------------------------------


def test_split_paragraphs() -> None:
    assert split_paragraphs("أول\nسطر\n\nثان\n\n\n\nثالث") == ["أول\nسطر", "ثان", "ثالث"]
    assert split_paragraphs("") == []
    assert split_paragraphs(display(" \n\n a \n \n b ")) == ["a", "b"]


def test_content_hash_ignores_display_only_differences() -> None:
    plain = ["الحكومة الاتحادية", "أربيل (كوردستان 24)- قال مسؤول"]
    noisy = ["الحكـــومة  الاتِّحادية ", "أربيل" + ZWNJ + " (كوردستان 24)- قال \u00a0مسؤول"]
    assert content_hash(plain) == content_hash(noisy)
    assert len(content_hash(plain)) == 64


def test_content_hash_changes_with_a_word_or_a_boundary() -> None:
    base = content_hash(["الحكومة الاتحادية", "قال مسؤول"])
    assert base != content_hash(["الحكومة الاتحادية", "قال وزير"])
    assert base != content_hash(["الحكومة", "الاتحادية قال مسؤول"])
    assert content_hash(["", "x"]) != content_hash(["x", ""])


@pytest.mark.parametrize(
    ("paragraph", "place", "agency"),
    [
        ("أربيل (كوردستان 24)- أعلنت حكومة إقليم كوردستان", "أربيل", "كوردستان 24"),
        ("هەولێر (کوردستان24)- حکومەتی هەرێمی کوردستان", "هەولێر", "کوردستان24"),
        ("اربیل (کوردستان۲۴) – دولت اقلیم کردستان", "اربیل", "کوردستان۲۴"),
        ("Navenda Nûçeyan (K24) – Hikûmeta Herêma Kurdistanê", "Navenda Nûçeyan", "K24"),
        ("ERBIL (Kurdistan24) – The Kurdistan Region", "ERBIL", "Kurdistan24"),
    ],
)
def test_split_dateline(paragraph: str, place: str, agency: str) -> None:
    assert split_dateline(paragraph) == (place, agency)


@pytest.mark.parametrize(
    "paragraph",
    [
        "قال مسؤول إن أربيل (كوردستان 24) ليست",
        "أعلنت حكومة إقليم كوردستان اليوم عن خطة جديدة.",
        "قال المتحدث، في أربيل (كوردستان 24)- إن",
        "",
    ],
)
def test_split_dateline_negative(paragraph: str) -> None:
    assert split_dateline(paragraph) == (None, None)


# --- Invariants -------------------------------------------------------------------------------------

TRICKY = [
    "",
    " ",
    "\n\n\n",
    ZWNJ,
    ZWNJ * 5 + " " + ZWNJ,
    "ـــ",
    "ا\u0654",
    "ا" + RLM + "\u0654",
    "Ø" + ZWSP + "£Ø±",
    "Ø\u00adØ£",
    "Ù\x81",
    "Ã˜Â£Ø£",
    "ﹰ ﹱ ﳲ",
    "ﷺﷻ﷼﷽ﷲ",
    "\u0300\u064e" + ZWNJ + "\u0640",
    "a\u0610\u0301",
    "ᄀ\u0640ᅡ",
    "İstanbul ß ﬁ ①",
    "1.2.3..4,,5 .5 5.",
    "کوردستان۲۴ـی\u200cی",
    FFFD + "\x00\x85\u2028\u2029",
    *[raw for raw, _ in SPEC_DISPLAY],
    *[raw for raw, _ in SPEC_KEY],
]


@pytest.mark.parametrize("text", TRICKY)
def test_invariants_on_tricky_strings(text: str) -> None:
    _check_invariants(text)


def _check_invariants(text: str) -> None:
    shown = display(text)
    folded = key(text)
    assert display(shown) == shown
    assert key(shown) == folded
    assert key(folded) == folded
    assert "\n" not in folded
    assert folded == " ".join(folded.split())
    assert display(text) == shown and key(text) == folded  # deterministic


ARABIC_SCRIPT = st.one_of(
    st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
    st.characters(min_codepoint=0xFB50, max_codepoint=0xFDFF),
    st.characters(min_codepoint=0xFE70, max_codepoint=0xFEFF),
    st.characters(min_codepoint=0x200B, max_codepoint=0x206F),
    st.sampled_from(list(" \n\r\t\u00a00123456789Ø£Ù")),
)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_properties_arbitrary_text(text: str) -> None:
    _check_invariants(text)


@settings(max_examples=300, deadline=None)
@given(st.text(ARABIC_SCRIPT, max_size=60))
def test_properties_arabic_script_text(text: str) -> None:
    _check_invariants(text)


# --- Performance ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "unit",
    [
        "\u064e" + ZWNJ + "\u0640 Ø",
        ZWNJ,
        " ",
        "\u0640",
        "Ø",
        "Ù\u0640",
        "\n ",
        "ب\u0651\u064e" + ZWNJ + ZWJ,
        "ا.",
        "a(",
        "Ø£Ã",
        "Ø\u200b£",
        "1.",
        "\u06401.",
    ],
)
def test_adversarial_200k_is_fast(unit: str) -> None:
    text = (unit * (200_000 // len(unit) + 1))[:200_000]
    start = time.perf_counter()
    display(text)
    key(text)
    split_dateline(text)
    split_paragraphs(text)
    assert time.perf_counter() - start < 2.0
