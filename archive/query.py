"""A user's search query -> an FTS5 MATCH expression over the key layer, with Arabic clitic prefix expansion."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive.errors import QueryError
from archive.text import key

# Proclitics in key form (ة/أ already folded): article, conjunctions, prepositions and their combinations.
# ل + ال is written لل, so "لال" never occurs.
PREFIXES = ("", "ال", "و", "ف", "ب", "ل", "ك", "وال", "فال", "بال", "كال", "لل", "ول", "فل", "وب", "فب", "وك", "فك",
            "ولل", "فلل", "وبال", "فبال", "وكال", "فكال")
_BY_LENGTH = sorted((p for p in PREFIXES if p), key=len, reverse=True)
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# Letters only Kurdish/Persian use: their initial ب/و/ل is not a clitic, so such words are not stripped.
_KURDISH = re.compile(r"[پچژگڤێۆڵ]")
OPERATORS = ("OR", "AND", "NOT")
# Field prefixes a user may type before a word or phrase (`title:أربيل`), mapped to FTS columns.
FIELDS = {"title:": "title_key", "عنوان:": "title_key"}


@dataclass
class Unit:
    """One searchable piece of the query: its FTS expression, and the key forms it matches (for snippets)."""

    expr: str
    forms: list[tuple[str, bool]] = field(default_factory=list)  # (key word, prefix match?)
    column: str | None = None  # restrict to one FTS column (title:word, --title-only)

    def fts(self) -> str:
        return f"{self.column} : {self.expr}" if self.column else self.expr


@dataclass
class Parsed:
    clauses: list[list[Unit]]  # AND of ORs
    negatives: list[Unit]

    def match(self) -> str:
        positive = " AND ".join("(" + " OR ".join(u.fts() for u in c) + ")" for c in self.clauses)
        if len(self.clauses) > 1 and self.negatives:
            positive = f"({positive})"
        return " ".join([positive, *(f"NOT {u.fts()}" for u in self.negatives)])

    def forms(self) -> list[tuple[str, bool]]:
        return [f for clause in self.clauses for unit in clause for f in unit.forms]


def _quote(text: str) -> str:
    """An FTS5 string: whatever the user typed, it is a token sequence, never syntax."""
    return '"' + text.replace('"', '""') + '"'


def stem(word: str) -> str:
    """Strip the longest proclitic when enough of the word remains (so كتاب keeps its ك, والحكومه -> حكومه)."""
    if not _ARABIC.search(word) or _KURDISH.search(word):
        return word
    for prefix in _BY_LENGTH:
        # After an article at least 3 letters must remain, after a bare و/ب/ل/ف/ك at least 4: shorter
        # remainders are too often the word's own letters (كتاب, وزير, بيان).
        minimum = 3 if prefix.endswith(("ال", "لل")) else 4
        if word.startswith(prefix) and len(word) - len(prefix) >= minimum:
            return word[len(prefix):]
    return word


def clitic_forms(word: str) -> list[str]:
    """The word and its clitic-prefixed forms, all built on its stem; Latin and digits are left alone."""
    if not _ARABIC.search(word):
        return [word]
    base = stem(word)
    forms = [p + base for p in PREFIXES]
    if len(word) - len(base) == 1:
        # A lone و/ب/ل/ف/ك may be the word's own first letter (كهرباء, وزارة, بغداد): the clitics go
        # in front of the whole word too, or الكهرباء and الوزارة would never be found.
        forms += [p + word for p in PREFIXES if p]
    forms = list(dict.fromkeys(forms))
    return forms if word in forms else [word, *forms]


def _term(words: list[str]) -> Unit:
    """A single bare word: prefix queries over its clitic forms (digits exact, so 24 does not match 2024x)."""
    [word] = words
    prefix = not word.isdigit()
    forms = clitic_forms(word)
    star = "*" if prefix else ""
    return Unit("(" + " OR ".join(_quote(f) + star for f in forms) + ")", [(f, prefix) for f in forms])


def _phrase(words: list[str]) -> Unit:
    """Consecutive words, exact; only the first may carry a clitic (والحكومه الاتحاديه)."""
    firsts = clitic_forms(words[0])
    rest = " ".join(words[1:])
    exprs = [_quote(f"{first} {rest}".strip()) for first in firsts]
    forms = [(f, False) for f in firsts] + [(w, False) for w in words[1:]]
    return Unit("(" + " OR ".join(exprs) + ")", forms)


def _field(query: str, i: int) -> tuple[str | None, int]:
    """The FTS column of a `title:` prefix at i, and where the word after it starts."""
    for prefix, column in FIELDS.items():
        if query[i:i + len(prefix)].lower() == prefix:
            after = i + len(prefix)
            if after >= len(query) or query[after].isspace():
                raise QueryError(f"{prefix} needs a word or \"phrase\" right after it, as in {prefix}أربيل")
            return column, after
    return None, i


def _lex(query: str) -> list[tuple[str, str, bool, str | None]]:
    """(kind, text, negated, column) with kind term/phrase/op."""
    tokens: list[tuple[str, str, bool, str | None]] = []
    i, n = 0, len(query)
    while i < n:
        if query[i].isspace():
            i += 1
            continue
        negated = query[i] == "-" and i + 1 < n and not query[i + 1].isspace()
        if negated:
            i += 1
        column, i = _field(query, i)
        if query[i] == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QueryError(f"unbalanced quote in {query!r}: close the phrase with a second \"")
            tokens.append(("phrase", query[i + 1:end], negated, column))
            i = end + 1
            continue
        start = i
        while i < n and not query[i].isspace() and query[i] != '"':
            i += 1
        word = query[start:i]
        kind = "op" if word in OPERATORS and not negated and column is None else "term"
        tokens.append((kind, word, negated, column))
    return tokens


def parse(query: str, title_only: bool = False) -> Parsed:
    """Words are ANDed; `OR` joins the words on each side; `NOT word` / `-word` exclude; "…" is a phrase;
    `title:word` matches in titles only (every word does with `title_only`)."""
    if not query or not query.strip():
        raise QueryError("empty query: give at least one word to search for")
    clauses: list[list[Unit]] = []
    negatives: list[Unit] = []
    pending: str | None = None  # an operator waiting for its right-hand word
    last_positive = False
    for kind, text, negated, column in _lex(query):
        if kind == "op":
            if pending:
                raise QueryError(f"{pending} followed by {text} in {query!r}: put a word between them")
            if text in ("OR", "AND") and not last_positive:
                raise QueryError(f"{text} needs a word to search for on its left, in {query!r}")
            pending = text
            continue
        words = key(text).split()
        if not words:
            if pending:
                raise QueryError(f"{pending} is followed by {text!r}, which has no searchable letters or digits")
            continue  # punctuation alone: nothing to match, like the indexed text
        unit = _phrase(words) if kind == "phrase" or len(words) > 1 else _term(words)
        unit.column = "title_key" if title_only else column
        if negated or pending == "NOT":
            if pending == "OR":
                raise QueryError(f"cannot OR an excluded word ({text!r}) in {query!r}")
            negatives.append(unit)
            last_positive = False
        elif pending == "OR":
            clauses[-1].append(unit)
            last_positive = True
        else:
            clauses.append([unit])
            last_positive = True
        pending = None
    if pending:
        raise QueryError(f"the query ends with {pending}: add the word it applies to")
    if not clauses:
        if negatives:
            raise QueryError("only excluded words: add at least one word to search for")
        raise QueryError(f"no searchable words in {query!r}")
    return Parsed(clauses, negatives)


def build_match(query: str, title_only: bool = False) -> str:
    """The FTS5 MATCH expression for `query` (every term quoted: user input is never FTS syntax)."""
    return parse(query, title_only).match()
