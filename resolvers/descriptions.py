"""What order lines and prepaid entries are called, written once in both forms.

A description is kept twice: `description`, its Italian wording as written then (an invoice's text is
a legal record and never changes), and `description_text`, its template and parameters, from which an
English reader's API answers and English PDFs render it (gateway.i18n.described).
"""

from __future__ import annotations

from typing import Any

from gateway.i18n import DEFAULT_LANGUAGE, Text, stored, text


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
