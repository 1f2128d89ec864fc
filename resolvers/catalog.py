from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gateway.db.models import CatalogItem, CatalogPrice
from gateway.i18n import N_, Text
from resolvers.context import Context

# Kinds of product as people call them (catalog item names are already readable).
KIND_NAMES = {
    "DOMAIN": N_("domain"),
    "HOSTING": N_("hosting"),
    "WORDPRESS_HOSTING": N_("WordPress hosting"),
    "MAIL": N_("mail"),
    "SSL": N_("SSL certificate"),
    "SERVER": N_("cloud server"),
    "BACKUP": N_("backup"),
    "DNS_ANYCAST": N_("anycast DNS"),
    "DOMAIN_PRIVACY": N_("domain privacy"),
    "RENEWAL_WARRANTY": N_("renewal warranty"),
}


def kind_name(kind: str) -> Text:
    return Text(KIND_NAMES.get(kind, kind))


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
