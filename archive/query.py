"""A user's search query -> an FTS5 MATCH expression over the analysed index (archive/analysis.py).

A query word is analysed exactly as the indexed text was, so it is one index term (الحكومات, الحكومة
and حكومي are all حكوم). The single-letter Arabic clitics the index keeps (و ف ب ل ك, see
archive/analysis.py) are added as exact terms (وحكوم, بحكوم ...), never as prefix scans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive.analysis import ARABIC, PLAIN, SORANI, language, term
from archive.errors import QueryError
from archive.text import key

# Single-letter proclitics and their pairs, as they stand before a word without the article.
CLITICS = ("و", "ف", "ب", "ل", "ك", "وب", "فب", "ول", "فل", "وك", "فك")
# A typed word starting with a clitic letter is also read without it when this much remains (واربيل);
# shorter remainders are too often the word's own letters (وزارة, بغداد, لبنان).
_STRIP_TYPED_CLITIC = 5
OPERATORS = ("OR", "AND", "NOT")
# Field prefixes a user may type before a word or phrase (`title:أربيل`), mapped to FTS columns.
FIELDS = {"title:": "title", "عنوان:": "title"}
_FIELD_LIKE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?!//)")
ALL_LANGUAGES = (ARABIC, SORANI, PLAIN)
_ARABIC = re.compile("[\u0620-\u064a\u066e-\u06d3]")


@dataclass
class Unit:
    """One searchable piece of the query: its FTS expression, and the terms it matches (for highlights)."""

    expr: str
    terms: list[tuple[str, bool]] = field(default_factory=list)  # (index term, prefix match?)
    column: str | None = None  # restrict to one FTS column (title:word, --title-only)

    def fts(self) -> str:
        return f"{self.column} : {self.expr}" if self.column else self.expr


@dataclass
class Parsed:
    clauses: list[list[Unit]]  # AND of ORs
    negatives: list[Unit]

    def match(self, within: str | None = None) -> str:
        """The MATCH expression; `within` a column restricts the words to find (not the excluded ones)."""
        positive = " AND ".join("(" + " OR ".join(u.fts() for u in c) + ")" for c in self.clauses)
        if within:
            positive = f"{within} : ({positive})"
        elif len(self.clauses) > 1 and self.negatives:
            positive = f"({positive})"
        return " ".join([positive, *(f"NOT {u.fts()}" for u in self.negatives)])

    def terms(self) -> list[tuple[str, bool]]:
        """The index terms the positive part matches: what a snippet highlights."""
        return [t for clause in self.clauses for unit in clause for t in unit.terms]


def _quote(text: str) -> str:
    """An FTS5 string: whatever the user typed, it is a token sequence, never syntax."""
    return '"' + text.replace('"', '""') + '"'


def word_terms(token: str, languages: tuple[str, ...], prefix: bool = False) -> list[str]:
    """The index terms one key token may stand for, in every language searched (first: the plain term)."""
    found: list[str] = []
    for lang in languages:
        base = [term(token, lang, not prefix)]
        if lang == ARABIC and token.isalpha() and _ARABIC.match(token):
            for clitic in CLITICS:
                if token.startswith(clitic) and len(token) - len(clitic) >= _STRIP_TYPED_CLITIC:
                    base.append(term(token[len(clitic):], lang, not prefix))
            base += [c + b for b in list(base) for c in CLITICS]
        found += base
    return list(dict.fromkeys(found))


def _term(token: str, languages: tuple[str, ...], prefix: bool) -> Unit:
    terms = word_terms(token, languages, prefix)
    star = "*" if prefix else ""
    return Unit("(" + " OR ".join(_quote(t) + star for t in terms) + ")", [(t, prefix) for t in terms])


def _phrase(tokens: list[str], languages: tuple[str, ...]) -> Unit:
    """Consecutive words, each analysed; only the first may carry a clitic the index keeps."""
    exprs: list[str] = []
    terms: list[tuple[str, bool]] = []
    for lang in languages:
        rest = [term(t, lang) for t in tokens[1:]]
        for first in word_terms(tokens[0], (lang,)):
            exprs.append(_quote(" ".join([first, *rest])))
            terms.append((first, False))
        terms += [(t, False) for t in rest]
    return Unit("(" + " OR ".join(dict.fromkeys(exprs)) + ")", list(dict.fromkeys(terms)))


def _field(query: str, i: int) -> tuple[str | None, int]:
    """The FTS column of a `title:` prefix at i, and where the word after it starts."""
    for prefix, column in FIELDS.items():
        if query[i:i + len(prefix)].lower() == prefix:
            after = i + len(prefix)
            if after >= len(query) or query[after].isspace():
                raise QueryError(f"{prefix} needs a word or \"phrase\" right after it, as in {prefix}أربيل")
            return column, after
    other = _FIELD_LIKE.match(query, i)
    if other and other.end() < len(query) and not query[other.end()].isspace():
        raise QueryError(f"unknown field {other.group(1)}: (only title: is supported; a word is searched in "
                         "title, lead and body)")
    return None, i


def _lex(query: str) -> list[tuple[str, str, bool, str | None]]:
    """(kind, text, negated, column) with kind term/phrase/op."""
    tokens: list[tuple[str, str, bool, str | None]] = []
    i, n = 0, len(query)
    while i < n:
        if query[i].isspace():
            i += 1
            continue
        if query.startswith("NEAR(", i) or query.startswith("NEAR/", i):
            raise QueryError("NEAR is not supported: use a \"phrase\" or several words (all must match)")
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


def _unit(kind: str, text: str, languages: tuple[str, ...]) -> Unit | None:
    prefix = kind == "term" and text.endswith("*") and len(text.rstrip("*")) > 0
    words = key(text).split()
    if not words:
        return None
    if kind == "phrase" or len(words) > 1:
        return _phrase(words, languages)
    return _term(words[0], languages, prefix and not words[0].isdigit())


def parse(query: str, title_only: bool = False, edition: str | None = None) -> Parsed:
    """Words are ANDed; `OR` joins the words on each side; `NOT word` / `-word` exclude; "…" is a phrase;
    `word*` matches words starting with word; `title:word` matches in titles only (every word does with
    `title_only`). Words are analysed for `edition`'s language, or for every language when it is None."""
    if not query or not query.strip():
        raise QueryError("empty query: give at least one word to search for")
    languages = (language(edition),) if edition else ALL_LANGUAGES
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
        unit = _unit(kind, text, languages)
        if unit is None:
            if pending:
                raise QueryError(f"{pending} is followed by {text!r}, which has no searchable letters or digits")
            continue  # punctuation alone: nothing to match, like the indexed text
        unit.column = "title" if title_only else column
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


def build_match(query: str, title_only: bool = False, edition: str | None = None) -> str:
    """The FTS5 MATCH expression for `query` (every term quoted: user input is never FTS syntax)."""
    return parse(query, title_only, edition).match()
