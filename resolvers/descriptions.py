"""What order lines and prepaid entries are called, written once in both forms.

A description is kept twice: `description`, its Italian wording as written then (an invoice's text is
a legal record and never changes), and `description_text`, its template and parameters, from which an
English reader's API answers and English PDFs render it (gateway.i18n.described).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway.i18n import DEFAULT_LANGUAGE, Text, stored, text


@dataclass(frozen=True, slots=True)
class Written(Text):
    """A description from before templates: its stored wording, the same in every language."""

    def render(self, language: str) -> str:
        return self.template


def kept(wording: str, template: Mapping[str, Any] | None) -> Text:
    """A stored row's description as a Text, to render again in another document (a pro-forma)."""
    if not template:
        return Written(wording)
    return Text(template["template"], template.get("params") or {})


def columns(description: Text) -> dict[str, Any]:
    """The two columns of a row described by `description`."""
    return {"description": description.render(DEFAULT_LANGUAGE), "description_text": stored(description)}


def product_line(name: str, months: int) -> Text:
    # One template per case: "1 months" reads wrong in both languages, and there is no plural helper here.
    if months == 1:
        return text("{name} (1 month)", name=name)
    return text("{name} ({months} months)", name=name, months=months)


def renewal_line(name: str, months: int) -> Text:
    if months == 1:
        return text("Renewal of {name} (1 month)", name=name)
    return text("Renewal of {name} ({months} months)", name=name, months=months)
