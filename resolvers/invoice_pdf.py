"""Invoices and pro-formas as PDF (fpdf2, pure Python)."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF

from gateway.i18n import DEFAULT_LANGUAGE, N_, Text, day, described, money, translate
from gateway.i18n import render as render_text
from resolvers.domains import display_name

SELLER = ("Hosting Provider S.r.l.", "Via dell'Innovazione 1, 50100 Firenze (FI), Italia", "P.IVA IT01114601006")


# How each way of paying reads in the invoice's footer.
METHOD_NAMES = {
    "PREPAID": N_("prepaid credit"),
    "CARD": N_("card"),
    "PAYPAL": N_("PayPal"),
    "BANK_TRANSFER": N_("bank transfer"),
}


def euros(cents: int, currency: str = "EUR", language: str = DEFAULT_LANGUAGE) -> str:
    return money(cents, currency, language)


def _text(value: Any) -> str:
    # The core fonts cover Windows-1252 (so "€" and typographic quotes); anything else is shown approximately.
    return str(value or "").encode("cp1252", "replace").decode("cp1252")


def render(
    *,
    title: str,
    number: str,
    issued: str,
    customer: dict[str, Any],
    lines: list[dict[str, Any]],
    subtotal_cents: int,
    vat_cents: int,
    total_cents: int,
    currency: str,
    vat_note: str | None = None,
    footer: str | None = None,
    watermark: str | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> bytes:
    def _(label: str) -> str:
        return translate(label, language)

    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_title(_text(f"{title} {number}"))
    pdf.set_author(SELLER[0])
    pdf.add_page()
    if watermark:
        pdf.set_font("Helvetica", "B", 40)
        pdf.set_text_color(220, 220, 220)
        with pdf.rotation(35, x=105, y=150):
            pdf.text(25, 160, _text(watermark))
        pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(
        0,
        10,
        _text(render_text(N_("{title} no. {number}"), {"title": title, "number": number}, language)),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 6, _text(render_text(N_("Date: {date}"), {"date": issued}, language)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for line in SELLER:
        pdf.cell(0, 5, _text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, _text(_(N_("Bill to"))), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    address = ", ".join(
        filter(
            None, [customer.get("street"), customer.get("postalCode"), customer.get("city"), customer.get("country")]
        )
    )
    for value in (
        customer.get("name"),
        address,
        customer.get("vatNumber") and render_text(N_("VAT no. {number}"), {"number": customer["vatNumber"]}, language),
        customer.get("taxCode") and render_text(N_("Tax code {code}"), {"code": customer["taxCode"]}, language),
    ):
        if value:
            pdf.cell(0, 5, _text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    widths = (100, 30, 25, 35)
    pdf.set_font("Helvetica", "B", 10)
    for width, head in zip(widths, (N_("Description"), N_("Net"), N_("VAT"), N_("Total")), strict=True):
        pdf.cell(width, 7, _text(_(head)), border=1)
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for line in lines:
        cells = (
            display_name(described(line["description"], line.get("descriptionText"), language)),
            euros(line["netCents"], currency, language),
            euros(line["vatCents"], currency, language),
            euros(line["totalCents"], currency, language),
        )
        for width, value in zip(widths, cells, strict=True):
            pdf.cell(width, 7, _text(value)[:60], border=1)
        pdf.ln()
    pdf.ln(4)
    pdf.set_font("Helvetica", size=10)
    for label, cents in ((N_("Net"), subtotal_cents), (N_("VAT"), vat_cents), (N_("Total"), total_cents)):
        pdf.cell(155, 6, _text(_(label)), align="R")
        pdf.cell(35, 6, _text(euros(cents, currency, language)), align="R", new_x="LMARGIN", new_y="NEXT")
    if vat_note:
        pdf.ln(3)
        pdf.multi_cell(0, 5, _text(vat_note))
    if footer:
        pdf.ln(6)
        pdf.set_font("Helvetica", "I", 9)
        pdf.multi_cell(0, 5, _text(footer))
    return bytes(pdf.output())


def invoice_document(invoice: Any, language: str = DEFAULT_LANGUAGE) -> tuple[str, bytes]:
    """An issued invoice (row or model) as (file name, PDF), in the reader's language."""
    method = Text(METHOD_NAMES.get(invoice.payment_method, invoice.payment_method))
    pdf = render(
        title=translate(N_("Invoice"), language),
        number=invoice.number,
        issued=day(invoice.issued_at, language),
        customer=invoice.billing_snapshot,
        lines=invoice.lines,
        subtotal_cents=invoice.subtotal_cents,
        vat_cents=invoice.vat_cents,
        total_cents=invoice.total_cents,
        currency=invoice.currency,
        vat_note=invoice.vat_note,
        footer=render_text(N_("Paid by {method}."), {"method": method}, language),
        language=language,
    )
    return f"{translate(N_('invoice'), language)}-{invoice.number.replace('/', '-')}.pdf", pdf
