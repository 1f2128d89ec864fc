"""Invoices and pro-formas as PDF (fpdf2, pure Python)."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF

SELLER = ("Hosting Provider S.r.l.", "Via dell'Innovazione 1, 50100 Firenze (FI), Italia", "P.IVA IT01114601006")


def euros(cents: int, currency: str = "EUR") -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{part:02d} {currency}".replace(",", "X").replace(".", ",").replace("X", ".")


def _text(value: Any) -> str:
    # The core fonts cover Latin-1 only; anything else is shown approximately rather than failing.
    return str(value or "").encode("latin-1", "replace").decode("latin-1")


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
) -> bytes:
    pdf = FPDF(format="A4")
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
    pdf.cell(0, 10, _text(f"{title} n. {number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 6, _text(f"Data: {issued}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for line in SELLER:
        pdf.cell(0, 5, _text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, "Intestatario", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    address = ", ".join(
        filter(
            None, [customer.get("street"), customer.get("postalCode"), customer.get("city"), customer.get("country")]
        )
    )
    for value in (
        customer.get("name"),
        address,
        customer.get("vatNumber") and f"P.IVA {customer['vatNumber']}",
        customer.get("taxCode") and f"C.F. {customer['taxCode']}",
    ):
        if value:
            pdf.cell(0, 5, _text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    widths = (100, 30, 25, 35)
    pdf.set_font("Helvetica", "B", 10)
    for width, head in zip(widths, ("Descrizione", "Imponibile", "IVA", "Totale"), strict=True):
        pdf.cell(width, 7, head, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for line in lines:
        cells = (
            line["description"],
            euros(line["netCents"], currency),
            euros(line["vatCents"], currency),
            euros(line["totalCents"], currency),
        )
        for width, value in zip(widths, cells, strict=True):
            pdf.cell(width, 7, _text(value)[:60], border=1)
        pdf.ln()
    pdf.ln(4)
    pdf.set_font("Helvetica", size=10)
    for label, cents in (("Imponibile", subtotal_cents), ("IVA", vat_cents), ("Totale", total_cents)):
        pdf.cell(155, 6, label, align="R")
        pdf.cell(35, 6, euros(cents, currency), align="R", new_x="LMARGIN", new_y="NEXT")
    if vat_note:
        pdf.ln(3)
        pdf.multi_cell(0, 5, _text(vat_note))
    if footer:
        pdf.ln(6)
        pdf.set_font("Helvetica", "I", 9)
        pdf.multi_cell(0, 5, _text(footer))
    return bytes(pdf.output())


def invoice_document(invoice: Any) -> tuple[str, bytes]:
    """An issued invoice (row or model) as (file name, PDF)."""
    pdf = render(
        title="Fattura",
        number=invoice.number,
        issued=invoice.issued_at.strftime("%d/%m/%Y"),
        customer=invoice.billing_snapshot,
        lines=invoice.lines,
        subtotal_cents=invoice.subtotal_cents,
        vat_cents=invoice.vat_cents,
        total_cents=invoice.total_cents,
        currency=invoice.currency,
        vat_note=invoice.vat_note,
        footer=f"Pagata con {invoice.payment_method}.",
    )
    return f"fattura-{invoice.number.replace('/', '-')}.pdf", pdf
