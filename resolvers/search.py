"""Substring search over product names, indexed on any PostgreSQL.

Each name keeps its set of trigrams in an array column with a GIN index; a search
term matches only names holding all of the term's trigrams, then the exact
substring test runs on those few rows.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, String, and_, cast, func, or_
from sqlalchemy.dialects.postgresql import ARRAY

from resolvers.domains import ascii_form


def trigrams(text: str) -> list[str]:
    value = text.lower()
    return sorted({value[i : i + 3] for i in range(len(value) - 2)})


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def name_matches(name: ColumnElement[str], name_trigrams: ColumnElement[list[str]], term: str) -> ColumnElement[bool]:
    # Names keep domains in ASCII (xn--): a term typed in Unicode is looked for in that form too.
    ascii_term = ascii_form(term)
    if ascii_term is not None:
        return or_(_matches(name, name_trigrams, term), _matches(name, name_trigrams, ascii_term))
    return _matches(name, name_trigrams, term)


def _matches(name: ColumnElement[str], name_trigrams: ColumnElement[list[str]], term: str) -> ColumnElement[bool]:
    needle = term.strip().lower()
    contains = func.lower(name).like(f"%{escape_like(needle)}%", escape="\\")
    grams = trigrams(needle)
    if not grams:  # one or two characters: only the organization's own index narrows it
        return contains
    return and_(name_trigrams.contains(cast(grams, ARRAY(String(3)))), contains)
