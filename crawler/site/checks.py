"""Typed reading of a TOML table: every unknown key, wrong type and bad selector or regex becomes one problem line."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from cssselect import SelectorError
from lxml import etree
from parsel.csstranslator import HTMLTranslator

_CSS = HTMLTranslator()


class Table:
    """One TOML table being read; `problems` is shared by the whole file, each line `FILE: KEY: message`."""

    def __init__(self, data: Any, where: str, problems: list[str], source: str) -> None:
        self.where, self.problems, self.source = where, problems, source
        self.seen: set[str] = set()
        if not isinstance(data, dict):
            self.problem("expected a table")
            data = {}
        self.data: dict[str, Any] = data

    def key(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def problem(self, message: str, name: str | None = None) -> None:
        self.problems.append(f"{self.source}: {self.key(name) if name else self.where or '(top level)'}: {message}")

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        self.seen.add(name)
        if name not in self.data:
            if required:
                self.problem("required key missing", name)
            return default
        value = self.data[name]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            self.problem(f"expected {_NAMES.get(names, names)}, got {type(value).__name__} {value!r}"[:200], name)
            return default
        return value

    def strings(self, name: str, required: bool = False) -> tuple[str, ...]:
        """A list of strings; a single string is a list of one."""
        value = self.get(name, (list, str), [], required)
        values = [value] if isinstance(value, str) else value
        if not all(isinstance(v, str) for v in values):
            self.problem("expected a list of strings", name)
            return ()
        return tuple(values)

    def date(self, name: str) -> date | None:
        value = self.get(name, (date, str))
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                self.problem(f"expected a date YYYY-MM-DD, got {value!r}", name)
                return None
        return value  # type: ignore[no-any-return]

    def table(self, name: str) -> Table:
        self.seen.add(name)
        return Table(self.data.get(name, {}), self.key(name), self.problems, self.source)

    def tables(self, name: str) -> list[Table]:
        """An array of tables (`[[name]]`)."""
        self.seen.add(name)
        value = self.data.get(name, [])
        if not isinstance(value, list):
            self.problem("expected an array of tables ([[...]])", name)
            return []
        return [Table(v, f"{self.key(name)}[{i}]", self.problems, self.source) for i, v in enumerate(value)]

    def regex(self, name: str, pattern: str, groups: Iterable[str] = ()) -> re.Pattern[str] | None:
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            self.problem(f"bad regex {pattern!r}: {exc}", name)
            return None
        for group in groups:
            if group not in compiled.groupindex:
                self.problem(f"regex {pattern!r} has no named group ({group})", name)
        return compiled

    def selectors(self, name: str) -> tuple[str, ...]:
        """CSS (parsel's, with ::text and ::attr()) or XPath (starting with / or (), each compiled now."""
        found = self.strings(name)
        for sel in found:
            if problem := selector_problem(sel):
                self.problem(f"bad selector {sel!r}: {problem}", name)
        return found

    def done(self) -> None:
        """Every key not read is unknown: a misspelt key must never be silently ignored."""
        for name in self.data:
            if name not in self.seen:
                close = difflib.get_close_matches(name, sorted(self.seen), n=1)
                self.problem("unknown key" + (f" (did you mean {close[0]}?)" if close else ""), name)


_NAMES = {"str": "a string", "int": "an integer", "bool": "true or false", "float": "a number",
          "list or str": "a list of strings", "date or str": "a date"}


def selector_problem(selector: str) -> str | None:
    """Why a selector cannot be compiled, or None."""
    if not selector.strip():
        return "empty"
    try:
        if selector.startswith(("/", "(")):
            etree.XPath(selector)
        else:
            _CSS.css_to_xpath(selector)
    except (SelectorError, etree.XPathError) as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    except Exception as exc:  # cssselect raises ExpressionError and others for unsupported pseudo-classes
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return None
