"""Staff completing payments by hand: `gateway payments reconcile` (bank transfers) and `gateway orders mark-paid`."""

from __future__ import annotations

from sqlalchemy import select

from gateway.cli_support import CommandError, object_id
from gateway.db.models import Order
from gateway.resources import Resources
from resolvers import orders, payments


async def settle(resources: Resources, reference: str, method: str, payment_reference: str) -> str:
    async with resources.db.begin() as session:
        stmt = select(Order).with_for_update()
        # An order is named by its number (what customers and bank transfers quote), its UUID or its API id.
        try:
            stmt = stmt.where(Order.id == object_id(reference, "Order"))
        except CommandError:
            stmt = stmt.where(Order.number == reference.strip())
        order = (await session.execute(stmt)).scalar_one_or_none()
        if order is None:
            raise CommandError(f"no order {reference}")
        if order.status != orders.PENDING:
            raise CommandError(f"order {order.number} is {order.status}, not waiting for payment")
        invoice = await payments.settle_by_staff(
            session, resources.settings, order, method, payment_reference, resources.clock.now()
        )
        return f"order {order.number} paid (invoice {invoice}); its products are delivered"


async def mark_paid(resources: Resources, reference: str) -> str:
    return await settle(resources, reference, "MANUAL", "marked paid by staff")
