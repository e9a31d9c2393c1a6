"""The search layer: key text analysed into index terms (folded, light-stemmed, synonyms), for indexing and queries.

One function, analyse(), feeds both the FTS index (at write time, archive/rows.py) and the query
(archive/query.py), so a query word meets its inflected and differently spelled forms as one term.

Arabic (edition `ar`): Larkey's light10 / Lucene's ArabicStemmer, adapted. The article-bearing
proclitics (ال وال فال بال كال لل ولل فلل) are stripped at index time; the single-letter clitics
(و ف ب ل ك) are not, because they are as often the word's own first letter (وزارة, بغداد, كهرباء):
stripping them would make الوزارة and وزارة different terms. The query adds them instead, as exact
terms (archive/query.py). Suffixes ها ان ات ون ين يه ه ي are stripped to a fixed point, keeping at
least three letters. Sorani (`ckb`): the definite, indefinite, plural, ezafe and postposition suffixes
(ەکان ەکە ێک ی ەوە دا ...), never a prefix. Every language: hamza seats folded (مسئول = مسؤول),
كوردستان -> كردستان (Kurdistan24 writes كوردستان, readers type كردستان), and a small table of place names
whose Sorani and Arabic names differ (هەولێر = أربيل). The key layer (archive/text.py) is untouched:
content hashes and edit detection never depend on this file.
"""

from __future__ import annotations

from functools import lru_cache

from archive.text import key

ARABIC, SORANI, PLAIN = "ar", "ckb", "plain"
# Edition -> analyser. Unknown editions (en, tr, kmr ...) are folded only: an Arabic stemmer wrecks them.
LANGUAGE_OF_EDITION = {"ar": ARABIC, "ckb": SORANI}
EDITION_NAMES = {"ar": "العربية", "ckb": "کوردی (سۆرانی)", "kmr": "Kurmancî", "en": "English", "tr": "Türkçe",
                 "fa": "فارسی", "de": "Deutsch"}

_HAMZA = str.maketrans({"ؤ": "ء", "ئ": "ء"})
_AR_PREFIXES = ("وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال")
_AR_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
# Key form (ە -> ه, ی -> ي, ک -> ك): longest first, so ەکانی goes before ی.
_CKB_SUFFIXES = tuple(sorted((
    "هكانيان", "هكانمان", "هكانتان", "هكانهوه", "هكانيش", "هكاندا", "هكاني", "هكان", "هكهيان", "هكهي", "هكه",
    "هكهدا", "يهكي", "يهك", "ێكي", "ێك", "ێكدا", "هوه", "يش", "يان", "ان", "دا", "ي", "ه",
), key=len, reverse=True))
_MIN_STEM = 3
# Letters only Kurdish and Persian use: such a word in Arabic text is a name, not a stemmable Arabic word.
_KURDISH = frozenset("پچژگڤێۆڵ")

# Canonical Arabic name -> other spellings (Sorani, transliterations). Analysed at import by every
# analyser, so the table is written as people write the names.
PLACE_NAMES: dict[str, tuple[str, ...]] = {
    "أربيل": ("هەولێر", "ههولێر", "هولير", "هەولیر"),
    "السليمانية": ("سلێمانی", "السليمانيه"),
    "دهوك": ("دهۆک",),
    "كركوك": ("کەرکووک",),
    "حلبجة": ("هەڵەبجە",),
    "زاخو": ("زاخۆ",),
    "الموصل": ("موسڵ", "مووسڵ"),
    "بغداد": ("بەغدا",),
    "العراق": ("عێراق",),
    "أنقرة": ("ئەنقەرە",),
    "البيشمركة": ("پێشمەرگە", "البشمركة"),
}


def language(edition: str | None) -> str:
    return LANGUAGE_OF_EDITION.get(edition or "", PLAIN)


def _arabic(token: str, suffixes: bool = True) -> str:
    if not token.isalpha() or _KURDISH.intersection(token):
        return token
    for prefix in _AR_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= _MIN_STEM:
            token = token[len(prefix):]
            break
    changed = suffixes
    while changed:
        changed = False
        for suffix in _AR_SUFFIXES:
            if token.endswith(suffix) and len(token) - len(suffix) >= _MIN_STEM:
                token, changed = token[:-len(suffix)], True
    return token


def _sorani(token: str, suffixes: bool = True) -> str:
    if not token.isalpha() or not suffixes:
        return token
    for _ in range(3):
        for suffix in _CKB_SUFFIXES:
            # Bare plural ان only on long words: باران (rain) is not بار + ان.
            least = _MIN_STEM + (1 if suffix == "ان" else 0)
            if token.endswith(suffix) and len(token) - len(suffix) >= least:
                token = token[:-len(suffix)]
                break
        else:
            break
    return token


_STEMMERS = {ARABIC: _arabic, SORANI: _sorani}


def _fold(token: str, lang: str) -> str:
    token = token.translate(_HAMZA)
    if "كورد" not in token:
        return token
    # Arabic كورد and كرد are both Kurd(s). Sorani keeps کورد (Kurd) apart from کرد (did): only
    # کوردستان is folded, to meet the Arabic spelling كردستان.
    if lang != SORANI:
        return token.replace("كورد", "كرد")
    return "كرد" + token[4:] if token.startswith("كوردستان") else token


@lru_cache(maxsize=65536)
def term(token: str, lang: str, suffixes: bool = True) -> str:
    """The index term of one key token (a `suffixes=False` term is for a typed prefix, `word*`)."""
    stem = _STEMMERS.get(lang)
    token = _fold(token, lang)
    if stem is not None:
        token = stem(token, suffixes)
    return _SYNONYMS.get(token, token) if suffixes else token


def terms(text: str, lang: str) -> list[str]:
    """The index terms of any text (display or key), in order."""
    return [term(t, lang) for t in key(text).split()]


def analyse(text: str | None, lang: str) -> str:
    """What the FTS index stores for `text`: its terms joined by spaces ("" for None)."""
    return " ".join(terms(text, lang)) if text else ""


def _build_synonyms() -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, variants in PLACE_NAMES.items():
        [target] = [term(t, ARABIC) for t in key(canonical).split()]
        for variant in variants:
            for lang in (ARABIC, SORANI, PLAIN):
                for token in key(variant).split():
                    stemmed = _STEMMERS.get(lang, lambda t, s=True: t)(_fold(token, lang))
                    if stemmed != target:
                        table[stemmed] = target
    return table


_SYNONYMS: dict[str, str] = {}
_SYNONYMS.update(_build_synonyms())
term.cache_clear()  # terms computed while the table was empty must not be served from the cache
