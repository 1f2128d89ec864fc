"""The reactivation fee: a product suspended for non-payment costs a fee to bring back.

The fee is a line of the order that renews the product, written when the product is suspended (or
when a renewal of an already suspended product is ordered), never at payment time: the order the
customer sees, its pro-forma and `toPay` show it before anything is charged, and the payment charges
the order's total as it stands.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.base import new_id
from gateway.db.models import Order, OrderLine, Product
from gateway.i18n import text
from resolvers import descriptions
from resolvers.pricing import vat_cents

REACTIVATION_FEE_CENTS = 2_000
DESCRIPTION = text("Reactivation fee for the suspended service")


def applies_to(product: object) -> bool:
    return getattr(product, "status", None) == "SUSPENDED" and getattr(product, "suspended_reason", None) == (
        "NON_PAYMENT"
    )


async def add_reactivation_fee(session: AsyncSession, order: Order) -> bool:
    """Add the fee once to a pending `order` that renews a product suspended for non-payment.
    The caller holds the order's row lock, so a payment cannot be charging the old total meanwhile."""
    await session.flush()  # the order's own lines may still be pending in this session
    suspended = await session.scalar(
        select(OrderLine.id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(
            OrderLine.order_id == order.id,
            OrderLine.action == "RENEWAL",
            Product.status == "SUSPENDED",
            Product.suspended_reason == "NON_PAYMENT",
        )
        .limit(1)
    )
    has_fee = await session.scalar(
        select(OrderLine.id).where(OrderLine.order_id == order.id, OrderLine.action == "FEE").limit(1)
    )
    if suspended is None or has_fee is not None:
        return False
    vat = vat_cents(REACTIVATION_FEE_CENTS, order.vat_rate_basis_points)
    position = await session.scalar(
        select(OrderLine.position).where(OrderLine.order_id == order.id).order_by(OrderLine.position.desc()).limit(1)
    )
    session.add(
        OrderLine(
            id=new_id(),
            order_id=order.id,
            organization_id=order.organization_id,
            position=(position or 0) + 1,
            action="FEE",
            **descriptions.columns(DESCRIPTION),
            period_months=0,
            unit_price_cents=REACTIVATION_FEE_CENTS,
            vat_cents=vat,
            total_cents=REACTIVATION_FEE_CENTS + vat,
        )
    )
    order.subtotal_cents += REACTIVATION_FEE_CENTS
    order.vat_cents += vat
    order.total_cents = order.subtotal_cents + order.vat_cents
    await session.flush()
    return True
