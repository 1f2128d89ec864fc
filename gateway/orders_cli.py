"""`gateway orders mark-paid`: staff completing an order by hand (bank transfers, tests of the flow)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from gateway.db.models import Order
from gateway.resources import Resources
from resolvers import orders


async def mark_paid(resources: Resources, reference: str) -> str:
    async with resources.db.begin() as session:
        stmt = select(Order).with_for_update()
        try:
            stmt = stmt.where(Order.id == uuid.UUID(reference))
        except ValueError:
            stmt = stmt.where(Order.number == reference)
        order = (await session.execute(stmt)).scalar_one_or_none()
        if order is None:
            return f"no order {reference}"
        if order.status != orders.PENDING:
            return f"order {order.number} is {order.status}, not waiting for payment"
        await orders.complete(session, resources.settings, order, resources.clock.now())
        return f"order {order.number} paid; its products are delivered"
