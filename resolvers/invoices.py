"""Invoices: issued in the transaction that records a payment, numbered without gaps per calendar year."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.base import new_id
from gateway.db.models import BillingAddress, Invoice, InvoiceCounter, Order, OrderLine, Organization
from resolvers import webhook_events


async def next_number(session: AsyncSession, year: int) -> int:
    """The year's next number. The counter row stays locked until the payer commits, so two payments
    never share a number, and a rolled-back payment gives its number back: no gaps."""
    return int(
        await session.scalar(
            insert(InvoiceCounter)
            .values(year=year, last_number=1)
            .on_conflict_do_update(
                index_elements=[InvoiceCounter.year], set_={"last_number": InvoiceCounter.last_number + 1}
            )
            .returning(InvoiceCounter.last_number)
        )
    )


async def billing_address_for(
    session: AsyncSession, organization_id: Any, billing_address_id: Any | None
) -> BillingAddress | None:
    """The address chosen for an order, else the organization's default one (None: the organization's own)."""
    address = None
    if billing_address_id is not None:
        address = await session.get(BillingAddress, billing_address_id)
    if address is None:
        address = await session.scalar(
            select(BillingAddress).where(
                BillingAddress.organization_id == organization_id,
                BillingAddress.is_default.is_(True),
                BillingAddress.removed_at.is_(None),
            )
        )
    return address


async def billing_snapshot(session: AsyncSession, order: Order) -> dict[str, Any]:
    """The address the invoice is made out to, copied: later edits do not change issued invoices."""
    address = await billing_address_for(session, order.organization_id, order.billing_address_id)
    return await snapshot(session, order.organization_id, address)


async def snapshot(session: AsyncSession, organization_id: Any, address: BillingAddress | None) -> dict[str, Any]:
    """Who is billed, as data. Its country and VAT number also decide the VAT (resolvers/pricing.py)."""
    if address is not None:
        return {
            "name": address.name,
            "street": address.street,
            "postalCode": address.postal_code,
            "city": address.city,
            "province": address.province,
            "country": address.country,
            "vatNumber": address.vat_number,
            "taxCode": address.tax_code,
            "sdiCode": address.sdi_code,
            "pec": address.pec,
        }
    organization = await session.get_one(Organization, organization_id)
    return {
        "name": organization.legal_name,
        "street": organization.street,
        "postalCode": organization.postal_code,
        "city": organization.city,
        "province": organization.province,
        "country": organization.country,
        "vatNumber": organization.vat_number,
        "taxCode": organization.tax_code,
        "sdiCode": None,
        "pec": None,
    }


async def issue(session: AsyncSession, order: Order, method: str, now: datetime) -> Invoice:
    lines = (
        await session.execute(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.position))
    ).scalars()
    number = await next_number(session, now.year)
    invoice = Invoice(
        id=new_id(),
        organization_id=order.organization_id,
        order_id=order.id,
        number=f"{now.year}/{number:06d}",
        year=now.year,
        sequence=number,
        status="PAID",
        currency=order.currency,
        subtotal_cents=order.subtotal_cents,
        vat_cents=order.vat_cents,
        total_cents=order.total_cents,
        vat_note=order.vat_note,
        billing_snapshot=await billing_snapshot(session, order),
        lines=[
            {
                "description": line.description,  # the Italian text, as issued
                "descriptionText": line.description_text,
                "sku": line.sku,
                "periodMonths": line.period_months,
                "netCents": line.unit_price_cents,
                "vatRateBasisPoints": order.vat_rate_basis_points,
                "vatCents": line.vat_cents,
                "totalCents": line.total_cents,
            }
            for line in lines
        ],
        payment_method=method,
        issued_at=now,
    )
    session.add(invoice)
    await webhook_events.emit(
        session, invoice.organization_id, "invoice.issued", webhook_events.invoice_issued(invoice), now
    )
    return invoice
