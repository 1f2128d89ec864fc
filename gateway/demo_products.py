"""Products and orders of the demo organizations: what a customer area's home page shows."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.base import new_id
from gateway.db.models import CatalogPrice, Membership, Order, OrderLine, Product
from resolvers import descriptions
from resolvers.dates import add_months
from resolvers.pricing import vat_cents
from resolvers.search import trigrams

# organization, sku, name, status, days until expiry (None: not yet paid), parent index, extra
PRODUCTS: tuple[tuple[str, str, str, str, int | None, int | None, dict[str, Any]], ...] = (
    ("Studio Web Demo", "domain-it", "studiowebdemo.it", "ACTIVE", 20, None, {}),
    (
        "Studio Web Demo",
        "hosting-linux-pro",
        "studiowebdemo.it",
        "ACTIVE",
        200,
        None,
        {"settings": {"domain": "studiowebdemo.it", "phpVersion": "8.3"}},
    ),
    ("Studio Web Demo", "ssl-dv", "Certificato SSL DV · studiowebdemo.it", "ACTIVE", 200, 1, {}),
    ("Studio Web Demo", "mail-pro", "Posta Pro · studiowebdemo.it", "ACTIVE", 200, None, {}),
    ("Pizzeria Da Mario", "domain-it", "pizzeriadamario.it", "ACTIVE", 9, None, {}),
    ("Pizzeria Da Mario", "wordpress-start", "pizzeriadamario.it", "TO_CONFIGURE", 360, None, {}),
    ("Hotel Belvedere", "domain-com", "hotelbelvedere.com", "ACTIVE", 362, None, {"verify": True}),
    ("Hotel Belvedere", "domain-it", "hotelbelvedere.it", "ACTIVE", 25, None, {}),
    (
        "Hotel Belvedere",
        "vps-cloud-s",
        "Cloud VPS S · vps1.hotelbelvedere.com",
        "ACTIVE",
        120,
        None,
        {"settings": {"hostname": "vps1.hotelbelvedere.com", "os": "debian-12"}},
    ),
    ("Hotel Belvedere", "backup-50", "Backup 50 GB · vps1.hotelbelvedere.com", "ACTIVE", 120, 8, {}),
    ("Hotel Belvedere", "hosting-linux-start", "hotelbelvedere.it", "TO_CONFIGURE", 340, None, {}),
    ("Ferramenta Ricci", "domain-it", "ferramentaricci.it", "ACTIVE", 210, None, {}),
    ("Ferramenta Ricci", "mail-pro", "Posta Pro · ferramentaricci.it", "ACTIVE", 210, None, {}),
)
# The collaborator's scope at the hotel: the .com domain and the server.
COLLABORATOR_SCOPE = ("hotelbelvedere.com", "Cloud VPS S · vps1.hotelbelvedere.com")


async def add(session: AsyncSession, organizations: dict[str, uuid.UUID], placed_by: uuid.UUID, now: datetime) -> None:
    prices = {(p.sku, p.period_months): p.price_cents for p in (await session.execute(select(CatalogPrice))).scalars()}
    kinds = dict((await session.execute(text("SELECT sku, kind FROM catalog_items"))).all())
    made: list[Product] = []
    for org_name, sku, name, status, days, parent, extra in PRODUCTS:
        expires = now + timedelta(days=days) if days is not None else None
        started = add_months(expires, -12) if expires else now
        product = Product(
            id=new_id(),
            organization_id=organizations[org_name],
            kind=kinds[sku],
            name=name,
            name_trigrams=trigrams(name),
            status=status,
            catalog_sku=sku,
            parent_id=made[parent].id if parent is not None else None,
            term_months=12,
            auto_renew=days != 9,
            settings=extra.get("settings", {}),
            created_at=started,
            updated_at=started,
            activated_at=started,
            expires_at=expires,
            verification_status="PENDING" if extra.get("verify") else None,
            verification_deadline=now + timedelta(days=12) if extra.get("verify") else None,
            registrant={"type": "COMPANY", "name": org_name, "organization": org_name, "country": "IT"}
            if kinds[sku] == "DOMAIN"
            else None,
        )
        made.append(product)
    session.add_all(made)
    await session.flush()
    for org_id in organizations.values():
        bought = [p for p in made if p.organization_id == org_id]
        await _order(session, org_id, placed_by, bought, prices, "PAID", min(p.created_at for p in bought))
    # One renewal waiting for payment: the pizzeria's domain, expiring in 9 days.
    expiring = next(p for p in made if p.name == "pizzeriadamario.it" and p.kind == "DOMAIN")
    await _order(session, expiring.organization_id, placed_by, [expiring], prices, "PENDING_PAYMENT", now, renewal=True)
    scope = [p.id for p in made if p.name in COLLABORATOR_SCOPE]
    await session.execute(
        update(Membership)
        .where(Membership.organization_id == organizations["Hotel Belvedere"], Membership.all_products.is_(False))
        .values(product_ids=scope)
    )


async def _order(
    session: AsyncSession,
    organization_id: uuid.UUID,
    placed_by: uuid.UUID,
    products: list[Product],
    prices: dict[tuple[str, int], int],
    status: str,
    when: datetime,
    *,
    renewal: bool = False,
) -> None:
    sequence = await session.scalar(text("SELECT nextval('order_number_seq')"))
    number = f"ORD-{when.year}-{sequence:06d}"
    order = Order(
        id=new_id(),
        organization_id=organization_id,
        number=number,
        status=status,
        currency="EUR",
        subtotal_cents=0,
        vat_cents=0,
        total_cents=0,
        vat_rate_basis_points=2200,
        placed_by_id=placed_by,
        created_at=when,
        updated_at=when,
        paid_at=when if status == "PAID" else None,
    )
    session.add(order)
    for position, product in enumerate(products):
        net = (
            prices[(product.catalog_sku, 12)]
            if (product.catalog_sku, 12) in prices
            else prices[(product.catalog_sku, 1)]
        )
        vat = vat_cents(net, 2200)
        order.subtotal_cents += net
        order.vat_cents += vat
        session.add(
            OrderLine(
                id=new_id(),
                order_id=order.id,
                organization_id=organization_id,
                position=position,
                action="RENEWAL" if renewal else "NEW",
                sku=product.catalog_sku,
                kind=product.kind,
                **descriptions.columns(descriptions.product_line(product.name, 12)),
                period_months=12,
                domain_name=product.name if product.kind == "DOMAIN" else None,
                product_id=product.id,
                parent_product_id=product.parent_id,
                unit_price_cents=net,
                vat_cents=vat,
                total_cents=net + vat,
            )
        )
    order.total_cents = order.subtotal_cents + order.vat_cents
