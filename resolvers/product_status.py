"""Product status changes, each one telling the organization's webhooks (`product.status_changed`)
in the transaction that makes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import Product
from resolvers import webhook_events


async def changed(session: AsyncSession, product: Product, previous: str, now: datetime) -> None:
    """After an ORM change of `product.status` from `previous`."""
    if product.status != previous:
        await _emit(
            session, product.organization_id, product.id, product.name, product.kind, previous, product.status, now
        )


async def change_where(
    session: AsyncSession, conditions: list[ColumnElement[bool]], now: datetime, **values: Any
) -> int:
    """One conditional UPDATE of every product matching `conditions`, which learns each row's previous
    status from the rows it locked (a run beside it waits, then finds them changed and skips them)."""
    old = select(Product.id, Product.status.label("previous")).where(*conditions).with_for_update().cte("old")
    rows = (
        await session.execute(
            update(Product)
            .where(Product.id == old.c.id)
            .values(updated_at=now, **values)
            .returning(Product.id, Product.organization_id, Product.name, Product.kind, Product.status, old.c.previous)
        )
    ).all()
    for row in rows:
        await _emit(session, row.organization_id, row.id, row.name, row.kind, row.previous, row.status, now)
    return len(rows)


async def _emit(
    session: AsyncSession,
    organization_id: Any,
    product_id: Any,
    name: str,
    kind: str,
    previous: str,
    status: str,
    now: datetime,
) -> None:
    if previous == status:
        return
    data = webhook_events.product_status_changed(organization_id, product_id, name, kind, previous, status)
    await webhook_events.emit(session, organization_id, "product.status_changed", data, now)
