from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gateway.db.models import CatalogItem, CatalogPrice
from resolvers.context import Context


async def items(ctx: Context, kind: str | None) -> list[tuple[CatalogItem, list[CatalogPrice]]]:
    stmt = select(CatalogItem).where(CatalogItem.active.is_(True)).order_by(CatalogItem.kind, CatalogItem.sku)
    if kind:
        stmt = stmt.where(CatalogItem.kind == kind)
    async with ctx.reads() as session:
        found = (await session.execute(stmt)).scalars().all()
        prices = (
            (
                await session.execute(
                    select(CatalogPrice)
                    .where(CatalogPrice.sku.in_([i.sku for i in found]))
                    .order_by(CatalogPrice.sku, CatalogPrice.period_months)
                )
            )
            .scalars()
            .all()
        )
    by_sku: dict[str, list[Any]] = {}
    for price in prices:
        by_sku.setdefault(price.sku, []).append(price)
    return [(item, by_sku.get(item.sku, [])) for item in found]
