"""The general conditions of contract as PDF (fpdf2), the same public text for everyone."""

from __future__ import annotations

from functools import cache

from fpdf import FPDF

from gateway.i18n import DEFAULT_LANGUAGE, text
from resolvers.contract import Version
from resolvers.invoice_pdf import SELLER

# The core PDF fonts cover Latin-1 only: typographic marks become their plain equivalents.
_PLAIN = str.maketrans(
    {
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u20ac": "EUR",
    }
)


def printable(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


@cache
def render(version: Version, language: str = DEFAULT_LANGUAGE) -> bytes:
    """The frame is in the reader's language; the conditions are the Italian legal text."""
    pdf = FPDF(format="A4")
    title = text("{title} - version {version}", title=version.title, version=version.version)
    pdf.set_title(printable(title.render(language)))
    pdf.set_author(SELLER[0])
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, printable(version.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    in_force = text("Version {version}, in force from {date}", version=version.version, date=version.effective_from)
    pdf.cell(0, 6, printable(in_force.render(language)), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, printable(" - ".join(SELLER)), new_x="LMARGIN", new_y="NEXT")
    for number, section in enumerate(version.sections, start=1):
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, printable(f"{number}. {section.heading}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 5, printable(section.text), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
