"""Billing of the demo organizations: invoices, a prepaid balance, addresses, a promo code, and a product
suspended because its renewal went unpaid."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.base import new_id
from gateway.db.models import BillingAddress, Order, Product, PromoCode
from gateway.i18n import text
from resolvers import fees, invoices, prepaid, renewals, vies


async def add(session: AsyncSession, organizations: dict[str, uuid.UUID], now: datetime) -> None:
    agency = organizations["Studio Web Demo"]
    for label, street, city, default in (
        ("Sede legale", "Via Roma 1", "Firenze", True),
        ("Ufficio di Milano", "Corso Buenos Aires 10", "Milano", False),
    ):
        session.add(
            BillingAddress(
                id=new_id(),
                organization_id=agency,
                label=label,
                name="Studio Web Demo S.r.l.",
                street=street,
                postal_code="50100" if city == "Firenze" else "20124",
                city=city,
                country="IT",
                vat_number="IT01114601006",
                sdi_code="M5UXCR1",
                is_default=default,
                created_at=now,
                updated_at=now,
            )
        )
    await session.flush()
    for order in (
        await session.execute(select(Order).where(Order.status == "PAID").order_by(Order.created_at))
    ).scalars():
        await invoices.issue(session, order, "CARD", order.paid_at or now)
    await prepaid.credit(session, agency, 15_000, "TOP_UP", text("Top-up by card"), now - timedelta(days=30))
    session.add(
        PromoCode(
            code="BENVENUTO10",
            description="10% sul primo ordine di hosting",
            percent_off=10,
            kinds=["HOSTING"],
            valid_from=now - timedelta(days=30),
            valid_until=now + timedelta(days=365),
            max_uses=1000,
            uses=0,
        )
    )
    await _suspended_for_non_payment(session, organizations["Ferramenta Ricci"], now)


async def _suspended_for_non_payment(session: AsyncSession, organization_id: uuid.UUID, now: datetime) -> None:
    mail = (
        await session.execute(select(Product).where(Product.organization_id == organization_id, Product.kind == "MAIL"))
    ).scalar_one()
    due = now - timedelta(days=20)
    mail.expires_at, mail.status, mail.suspended_reason = due, "SUSPENDED", "NON_PAYMENT"
    order = await renewals.renewal_order(session, mail, due, vies.LocalVies())
    assert order is not None, "the catalog prices the mail service for its term"
    await fees.add_reactivation_fee(session, order)
