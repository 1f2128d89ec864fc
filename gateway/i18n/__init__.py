"""What people read, in Italian and English.

A message is written once, in English, as a `str.format` template (the gettext msgid); its
parameters travel beside it and it is rendered only where the reader's language is known
(a payload's `userErrors`, a GraphQL error, a mail, a PDF). The Italian texts are the
`locale/it/LC_MESSAGES/messages.po` catalog, read with Babel once at import: nothing to
compile at install. Amounts, dates and lists in parameters are formatted for the reader's
locale by Babel; dates as people in Italy read them (Europe/Rome).

This module imports nothing from the project, so every layer may use it (like `gateway.clock`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

LANGUAGES = ("it", "en")
DEFAULT_LANGUAGE = "it"
TIMEZONE = ZoneInfo("Europe/Rome")
CATALOG_PATH = Path(__file__).with_name("locale") / "it" / "LC_MESSAGES" / "messages.po"


def _read_catalog(path: Path) -> dict[str, str]:
    with path.open("rb") as po:
        catalog = read_po(po)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


ITALIAN = _read_catalog(CATALOG_PATH)


def N_(template: str) -> str:
    """Marks a template kept in a table (names, blockers) so the catalog test finds it."""
    return template


@dataclass(frozen=True, slots=True)
class Money:
    cents: int
    currency: str = "EUR"


@dataclass(frozen=True, slots=True)
class Text:
    """A template and its parameters, rendered once the reader's language is known."""

    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, language: str) -> str:
        return render(self.template, self.params, language)


@dataclass(frozen=True, slots=True)
class Either:
    """Alternatives, read as "a, b or c"."""

    items: list[Any]


def text(template: str, **params: Any) -> Text:
    return Text(template, params)


def language_of(value: str | None) -> str:
    """One of LANGUAGES for a stored preference or a locale tag ('en-GB' -> 'en')."""
    primary = (value or "").strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def negotiate(accept_language: str | None) -> str:
    """The language an anonymous caller asked for in `Accept-Language` (RFC 9110 weights)."""
    offers: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, weight = part.strip().partition(";q=")
        try:
            q = float(weight) if weight else 1.0
        except ValueError:
            continue
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > 0:
            offers.append((q, -index, primary))  # equal weights: the one listed first
    return max(offers)[2] if offers else DEFAULT_LANGUAGE


def translate(template: str, language: str) -> str:
    if language == "it":
        return ITALIAN.get(template, template)
    return template


def money(cents: int, currency: str, language: str) -> str:
    return format_currency(Decimal(cents) / 100, currency, locale=_locale(language))


def moment(value: datetime, language: str, fmt: str = "medium") -> str:
    return format_datetime(value, fmt, tzinfo=TIMEZONE, locale=_locale(language))


def day(value: date | datetime, language: str, fmt: str = "long") -> str:
    if isinstance(value, datetime):
        value = value.astimezone(TIMEZONE).date()
    return format_date(value, fmt, locale=_locale(language))


def local_date(value: datetime) -> date:
    """The day it is in Italy at that moment: what a deadline or an expiry is read as."""
    return value.astimezone(TIMEZONE).date()


def format_value(value: Any, language: str) -> str:
    if isinstance(value, Text):
        return value.render(language)
    if isinstance(value, Money):
        return money(value.cents, value.currency, language)
    if isinstance(value, datetime):
        return moment(value, language)
    if isinstance(value, date):
        return day(value, language)
    if isinstance(value, int) and not isinstance(value, bool):
        return format_decimal(value, locale=_locale(language))
    if isinstance(value, Either):
        return format_list([format_value(v, language) for v in value.items], "or", locale=_locale(language))
    if isinstance(value, list | tuple):
        return format_list([format_value(v, language) for v in value], locale=_locale(language)) if value else ""
    return str(value)


def render(template: str, params: Mapping[str, Any] | None, language: str) -> str:
    translated = translate(template, language)
    if not params:
        return translated
    return translated.format(**{k: format_value(v, language) for k, v in params.items()})


def stored(value: Text) -> dict[str, Any]:
    """`value` as it is kept in a JSON column beside its Italian wording (plain str and int parameters)."""
    return {"template": value.template, "params": dict(value.params)}


def described(wording: str, kept: Mapping[str, Any] | None, language: str) -> str:
    """A stored description for `language`: Italian readers read the wording written then (on an invoice,
    the legal record); others its template rendered, or that same wording on rows from before templates."""
    if language == DEFAULT_LANGUAGE or not kept:
        return wording
    return render(kept["template"], kept.get("params"), language)


def _locale(language: str) -> str:
    return "it_IT" if language == "it" else "en"
